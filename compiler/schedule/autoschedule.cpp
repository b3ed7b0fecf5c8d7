#include "schedule/autoschedule.h"

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "schedule/from_halide.h"
#include "sema/evaluate.h"

#ifndef FOVEA_HALIDE_PLUGIN_DIR
#define FOVEA_HALIDE_PLUGIN_DIR "/usr/lib/x86_64-linux-gnu/halide14"
#endif

namespace fovea {
namespace {

constexpr int64_t kEstimate[] = {1920, 1080, 3, 4};

bool definitionLoadsInput(const Halide::Internal::Definition& d, const std::map<std::string, Halide::Internal::Function>& env);

bool isInlined(const Halide::Internal::Function& f) {
  Halide::LoopLevel level = f.schedule().compute_level();
  level.lock();
  return level.is_inlined();
}

/// Finds loads of an input buffer, directly or through inlined Funcs (an ImageParam's own wrapper,
/// the wrapper BoundaryConditions makes).
class LoadsInput : public Halide::Internal::IRVisitor {
 public:
  explicit LoadsInput(const std::map<std::string, Halide::Internal::Function>& env) : env_(env) {}
  bool found = false;

 private:
  using Halide::Internal::IRVisitor::visit;
  void visit(const Halide::Internal::Call* op) override {
    if (op->call_type == Halide::Internal::Call::Image) found = true;
    if (!found && op->call_type == Halide::Internal::Call::Halide) {
      auto it = env_.find(op->name);
      if (it != env_.end() && isInlined(it->second) && definitionLoadsInput(it->second.definition(), env_)) found = true;
    }
    Halide::Internal::IRVisitor::visit(op);
  }
  const std::map<std::string, Halide::Internal::Function>& env_;
};

bool definitionLoadsInput(const Halide::Internal::Definition& d, const std::map<std::string, Halide::Internal::Function>& env) {
  LoadsInput v(env);
  d.accept(&v);
  return v.found;
}

/// Halide 14's Adams2019 splits the Funcs that read an input with ShiftInwards, sized by its own
/// estimate of their region; where a boundary condition folds that region (reflect at the left
/// edge), the shifted loop starts before the input's first pixel and the pipeline fails with "Input
/// buffer input is accessed at -1" (halide/Halide#5949). Such splits are made GuardWithIf: the
/// edge vectors are guarded, the rest unchanged. Returns how many splits changed.
int guardInputReaders(const LoweredPipeline& lowered) {
  int changed = 0;
  for (const Halide::Func& out : lowered.outputs) {
    std::map<std::string, Halide::Internal::Function> env = Halide::Internal::find_transitive_calls(out.function());
    env[out.name()] = out.function();
    for (auto& [name, fn] : env) {
      Halide::Internal::Function f = fn;
      std::vector<Halide::Internal::Definition*> definitions{&f.definition()};
      for (size_t u = 0; u < f.updates().size(); ++u) definitions.push_back(&f.update(static_cast<int>(u)));
      for (Halide::Internal::Definition* d : definitions) {
        if (!definitionLoadsInput(*d, env)) continue;
        for (Halide::Internal::Split& split : d->schedule().splits()) {
          if (split.tail == Halide::TailStrategy::ShiftInwards) {
            split.tail = Halide::TailStrategy::GuardWithIf;
            ++changed;
          }
        }
      }
    }
  }
  return changed;
}

bool loadPlugin(const std::string& file, DiagnosticEngine& diags) {
  static std::mutex mutex;
  static std::set<std::string> loaded;
  std::lock_guard<std::mutex> lock(mutex);
  if (loaded.count(file)) return true;
  try {
    Halide::load_plugin(std::string(FOVEA_HALIDE_PLUGIN_DIR) + "/" + file);
  } catch (const Halide::Error& e) {
    diags.error({}, fmt::format("cannot load the autoscheduler plugin {}: {}", file, e.what()));
    return false;
  }
  loaded.insert(file);
  return true;
}

}  // namespace

std::optional<std::string> autoschedulerName(const std::string& strategy) {
  if (strategy == "mullapudi2016") return "Mullapudi2016";
  if (strategy == "adams2019") return "Adams2019";
  if (strategy == "li2018") return "Li2018";
  return std::nullopt;
}

std::optional<Schedule> runAutoscheduler(const std::string& strategy, const ir::Pipeline& p, const LoweredPipeline& lowered,
                                         const Halide::Target& target, DiagnosticEngine& diags) {
  std::optional<std::string> name = autoschedulerName(strategy);
  if (!name || !loadPlugin("libautoschedule_" + strategy + ".so", diags)) return std::nullopt;
  SizeContext sizes;
  try {
    for (size_t i = 0; i < p.inputs.size(); ++i) {
      Halide::Region region;
      std::vector<int64_t> extents;
      for (size_t d = 0; d < p.inputs[i].dims.size(); ++d) {
        extents.push_back(kEstimate[d]);
        region.emplace_back(0, static_cast<int>(kEstimate[d]));
      }
      Halide::ImageParam in = lowered.inputs[i];
      in.set_estimates(region);
      sizes.inputExtents.push_back(extents);
    }
    for (size_t i = 0; i < p.params.size(); ++i) {
      const ir::Param& param = p.params[i];
      double v = param.defaultValue ? constantValue(*param.defaultValue) : param.min ? constantValue(*param.min) : 1.0;
      sizes.params.push_back(v);
      if (!param.defaultValue) {
        Halide::Expr e = isFloat(param.type) ? Halide::Internal::make_const(halideType(param.type), v)
                                             : Halide::Internal::make_const(halideType(param.type), static_cast<int64_t>(v));
        Halide::Internal::Parameter handle = lowered.params[i].parameter();  // a handle: this sets the shared parameter
        handle.set_estimate(e);
      }
    }
    for (size_t o = 0; o < p.outputs.size(); ++o) {
      Halide::Func f = lowered.outputs[o];
      std::vector<Halide::Var> args = f.args();
      for (size_t d = 0; d < args.size() && d < p.outputs[o].size.size(); ++d) {
        int64_t extent = evaluateInteger(*p.outputs[o].size[d], sizes).value_or(kEstimate[std::min<size_t>(d, 3)]);
        f.set_estimate(args[d], 0, static_cast<int>(std::max<int64_t>(1, extent)));
      }
    }
    Halide::MachineParams machine(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())), 32 * 1024 * 1024, 40);
    // Halide's autoschedulers narrate their search (aslog) unless the program silenced them
    // (`fovea` does, see driver/main.cpp): nothing here touches the process's streams.
    Halide::AutoSchedulerResults results = lowered.pipeline().auto_schedule(*name, target, machine);
    // Only Adams2019's: Li2018's schedules rely on their shifted splits (guarding them changes the
    // regions it allocates), and Mullapudi2016 does not make them for input readers.
    int guarded = *name == "Adams2019" ? guardInputReaders(lowered) : 0;
    Schedule s;
    s.strategy = strategy;
    s.target = target.to_string();
    s.halideSchedule = results.schedule_source;
    if (guarded > 0) {
      s.halideSchedule += fmt::format("\n// Fovea: {} split{} of Funcs that read an input changed from ShiftInwards to "
                                      "TailStrategy::GuardWithIf (a shifted loop can read outside the input at its edges)\n",
                                      guarded, guarded == 1 ? "" : "s");
    }
    // Read back as Fovea's data where it can be (schedule/from_halide.h); otherwise the Funcs keep
    // the schedule Halide applied, and only the C++ text records it.
    Result<std::vector<StageSchedule>> stages = readHalideSchedule(lowered);
    if (stages) {
      s.stages = std::move(*stages);
    } else {
      s.halideSchedule += fmt::format("\n// Fovea could not convert this schedule into its own data: {}\n", stages.failure().message);
    }
    return s;
  } catch (const Halide::Error& e) {
    diags.error(p.loc, fmt::format("the {} autoscheduler failed on '{}': {}", *name, p.name, e.what()));
    return std::nullopt;
  }
}

}  // namespace fovea
