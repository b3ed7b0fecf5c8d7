#include "schedule/apply_schedule.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace fovea {
namespace {

using Halide::TailStrategy;

/// The loops of a Root stage after its strip split (or GPU tiling): `outer` is where Strip
/// producers go (a strip of rows, or a GPU block).
struct StripLoops {
  Halide::Var outer;
  bool split = false;
  bool gpu = false;
};

/// Splits each update whose domain has two or more dimensions over its outermost reduction
/// variable: partial results per band computed in parallel, then combined. Halide proves the
/// update associative first; when it cannot, the update stays serial.
void parallelizeReductions(Halide::Func& f) {
  const std::vector<Halide::Internal::Definition>& updates = f.function().updates();
  for (size_t i = 0; i < updates.size(); ++i) {
    const std::vector<Halide::Internal::ReductionVariable>& rvars = updates[i].schedule().rvars();
    if (rvars.size() < 2) continue;
    Halide::RVar outer(rvars.back().var);
    Halide::Var band(f.name() + "_band" + std::to_string(i));
    try {
      Halide::Func partial = f.update(static_cast<int>(i)).rfactor(outer, band);
      partial.compute_root().update().parallel(band);
    } catch (const Halide::Error&) {
      // Not associative (or not provably so): serial is correct.
    }
  }
}

/// The memory layouts that get a version of their own, in which the strides are constants so that
/// Halide reads and writes whole vectors instead of one lane at a time (gathers and scatters):
///   - dense: every buffer's x stride is 1 (gray images, planar color: how Halide stores them);
///   - interleaved: every 3-channel buffer is interleaved (x stride 3, channel stride 1: how
///     OpenCV stores color) and every other buffer dense.
/// Every other layout (ROIs of interleaved images with 4 channels, flipped views, ...) runs the
/// general version.
struct LayoutConditions {
  Halide::Expr dense, interleaved;
  bool anyColor = false;
};

LayoutConditions layoutConditions(const LoweredPipeline& lowered, const Halide::Func* output) {
  LayoutConditions c;
  c.dense = Halide::Internal::const_true();
  c.interleaved = Halide::Internal::const_true();
  auto add = [&](const Halide::OutputImageParam& b, int dims) {
    c.dense = c.dense && b.dim(0).stride() == 1;
    if (dims == 3) {
      c.anyColor = true;
      c.interleaved = c.interleaved && b.dim(0).stride() == 3 && b.dim(2).stride() == 1 && b.dim(2).extent() == 3;
    } else {
      c.interleaved = c.interleaved && b.dim(0).stride() == 1;
    }
  };
  for (const Halide::ImageParam& in : lowered.inputs) {
    if (in.dimensions() >= 1) add(in, in.dimensions());
  }
  if (output) add(output->output_buffer(), output->dimensions());
  return c;
}

/// Whether a stage computed in full gets layout versions: on the CPU, when it is an output or the
/// pipeline has buffer inputs (a stage reading only its producers' buffers sees dense memory).
bool hasLayoutVersions(const LoweredPipeline& lowered, const StageSchedule& s) {
  if (s.placement != Placement::Root || s.gpuTileX > 0) return false;
  bool output = std::find(lowered.outputNames.begin(), lowered.outputNames.end(), s.stage) != lowered.outputNames.end();
  return output || !lowered.inputs.empty();
}

/// Gives each stage computed in full on the CPU its layout versions (see LayoutConditions). The
/// stages computed per strip are inside their owner's loops, so they share its versions.
void specializeLayouts(LoweredPipeline& lowered, const Schedule& schedule, const std::map<std::string, Halide::Func>& funcs) {
  std::map<std::string, size_t> outputIndex;
  for (size_t o = 0; o < lowered.outputNames.size(); ++o) outputIndex[lowered.outputNames[o]] = o;
  for (const StageSchedule& s : schedule.stages) {
    if (!hasLayoutVersions(lowered, s)) continue;
    Halide::Func f = funcs.at(s.stage);
    auto out = outputIndex.find(s.stage);
    const Halide::Func* output = out == outputIndex.end() ? nullptr : &lowered.outputs[out->second];
    LayoutConditions c = layoutConditions(lowered, output);
    std::vector<Halide::Var> args = f.args();
    if (c.anyColor) {
      Halide::Stage interleaved = f.specialize(c.interleaved);
      if (s.vector > 1) interleaved.vectorize(args[0], s.vector, TailStrategy::GuardWithIf);
      if (output && f.dimensions() == 3 && s.unrollChannels > 1) interleaved.unroll(args[2], s.unrollChannels, TailStrategy::GuardWithIf);
    }
    Halide::Stage dense = f.specialize(c.dense);
    if (s.vector > 1) dense.vectorize(args[0], s.vector, TailStrategy::GuardWithIf);
  }
}

}  // namespace

bool applySchedule(LoweredPipeline& lowered, const Schedule& schedule, DiagnosticEngine& diags) {
  // The Funcs by the names schedules use (lowering's names, not Halide's: see LoweredPipeline).
  std::map<std::string, Halide::Func> funcs;
  for (size_t s = 0; s < lowered.stages.size(); ++s) {
    if (lowered.stages[s].defined()) funcs.emplace(lowered.stageNames[s], lowered.stages[s]);
  }
  for (size_t o = 0; o < lowered.outputs.size(); ++o) funcs.emplace(lowered.outputNames[o], lowered.outputs[o]);

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
  // A strip stage is computed in the loops of a stage computed in full; an output is computed in full.
  for (const StageSchedule& s : schedule.stages) {
    if (s.placement == Placement::Strip) {
      const StageSchedule* owner = schedule.find(s.computeAt);
      if (s.computeAt == s.stage || !owner || owner->placement != Placement::Root) {
        diags.error({}, fmt::format("the schedule computes '{}' in the strips of '{}', which is not a stage computed in full (placement root)",
                                    s.stage, s.computeAt));
        ok = false;
      }
    }
    for (const std::string& out : lowered.outputNames) {
      if (out == s.stage && s.placement != Placement::Root) {
        diags.error({}, fmt::format("the schedule places output '{}' {}; outputs are computed in full (placement root)", s.stage,
                                    toString(s.placement)));
        ok = false;
      }
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
      if (s.gpuTileX > 0 && args.size() >= 2) {
        Halide::Var xo(f.name() + "_bx"), yo(f.name() + "_by"), xi(f.name() + "_tx"), yi(f.name() + "_ty");
        f.gpu_tile(args[0], args[1], xo, yo, xi, yi, s.gpuTileX, std::max(1, s.gpuTileY), TailStrategy::GuardWithIf);
        loops.outer = xo;
        loops.split = true;
        loops.gpu = true;
        strips[s.stage] = loops;
        continue;
      }
      // Channels inside x: each vector of x is loaded and stored for every channel in turn, which
      // for interleaved color (unrolled in its specialization) is dense loads and stores.
      if (s.unrollChannels > 0 && args.size() == 3) f.reorder(args[2], args[0], args[1]);
      if (args.size() >= 2 && s.stripRows > 1) {
        Halide::Var yo(f.name() + "_yo"), yi(f.name() + "_yi");
        f.split(args[1], yo, yi, s.stripRows, TailStrategy::GuardWithIf);
        if (s.parallel) f.parallel(yo);
        loops.outer = yo;
        loops.split = true;
      } else if (args.size() >= 2 && s.parallel) {
        f.parallel(args[1]);
      }
      // A stage with layout versions is vectorized in those versions only (specializeLayouts):
      // the general version, for layouts no one should meet, stays scalar and quick to compile.
      if (s.vector > 1 && !args.empty() && !hasLayoutVersions(lowered, s)) f.vectorize(args[0], s.vector, TailStrategy::GuardWithIf);
      strips[s.stage] = loops;
      if (s.parallelReduction) parallelizeReductions(f);
    }
    for (const StageSchedule& s : schedule.stages) {
      if (s.placement != Placement::Strip) continue;
      Halide::Func f = funcs.at(s.stage);
      const StripLoops& owner = strips[s.computeAt];
      std::vector<Halide::Var> args = f.args();
      if (!owner.split) {
        f.compute_root();  // the owner has no strips: compute in full rather than per pixel
      } else {
        f.compute_at(funcs.at(s.computeAt), owner.outer);
      }
      if (owner.gpu) {
        // Per block of the owner, by the block's threads (Halide keeps it in shared memory).
        if (args.size() >= 2) f.gpu_threads(args[0], args[1]);
        else if (!args.empty()) f.gpu_threads(args[0]);
        continue;
      }
      if (s.vector > 1 && !args.empty()) f.vectorize(args[0], s.vector, TailStrategy::GuardWithIf);
    }
    specializeLayouts(lowered, schedule, funcs);
  } catch (const Halide::Error& e) {
    diags.error({}, fmt::format("the schedule cannot be applied: {}", e.what()));
    return false;
  }
  return true;
}

}  // namespace fovea
