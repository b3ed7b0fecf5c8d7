#include "schedule/apply_schedule.h"

#include <map>

#include <fmt/format.h>

namespace fovea {
namespace {

using Halide::TailStrategy;

/// The loops of a Root stage after its strip split: `outer` is where Strip producers go.
struct StripLoops {
  Halide::Var outer;
  bool split = false;
};

}  // namespace

bool applySchedule(LoweredPipeline& lowered, const Schedule& schedule, DiagnosticEngine& diags) {
  std::map<std::string, Halide::Func> funcs;
  for (const Halide::Func& f : lowered.stages) {
    if (f.defined()) funcs.emplace(f.name(), f);
  }
  for (const Halide::Func& f : lowered.outputs) funcs.emplace(f.name(), f);

  bool ok = true;
  for (const StageSchedule& s : schedule.stages) {
    if (!funcs.count(s.stage)) {
      diags.error({}, fmt::format("the schedule names stage '{}', which this pipeline does not have", s.stage));
      ok = false;
    }
    if (s.placement == Placement::Strip && !funcs.count(s.computeAt)) {
      diags.error({}, fmt::format("the schedule computes '{}' at '{}', which this pipeline does not have", s.stage, s.computeAt));
      ok = false;
    }
  }
  if (!ok) return false;

  std::map<std::string, StripLoops> strips;
  try {
    // Root stages first: Strip producers are placed in their loops.
    for (const StageSchedule& s : schedule.stages) {
      if (s.placement != Placement::Root) continue;
      Halide::Func f = funcs.at(s.stage);
      f.compute_root();
      std::vector<Halide::Var> args = f.args();
      StripLoops loops;
      if (args.size() >= 2 && s.stripRows > 1) {
        Halide::Var yo(f.name() + "_yo"), yi(f.name() + "_yi");
        f.split(args[1], yo, yi, s.stripRows, TailStrategy::GuardWithIf);
        if (s.parallel) f.parallel(yo);
        loops.outer = yo;
        loops.split = true;
      } else if (args.size() >= 2 && s.parallel) {
        f.parallel(args[1]);
      }
      if (s.vector > 1 && !args.empty()) f.vectorize(args[0], s.vector, TailStrategy::GuardWithIf);
      strips[s.stage] = loops;
    }
    for (const StageSchedule& s : schedule.stages) {
      if (s.placement != Placement::Strip) continue;
      Halide::Func f = funcs.at(s.stage);
      const StripLoops& owner = strips[s.computeAt];
      if (!owner.split) {
        f.compute_root();  // the owner has no strips: compute in full rather than per pixel
      } else {
        f.compute_at(funcs.at(s.computeAt), owner.outer);
      }
      std::vector<Halide::Var> args = f.args();
      if (s.vector > 1 && !args.empty()) f.vectorize(args[0], s.vector, TailStrategy::GuardWithIf);
    }
  } catch (const Halide::Error& e) {
    diags.error({}, fmt::format("the schedule cannot be applied: {}", e.what()));
    return false;
  }
  return true;
}

}  // namespace fovea
