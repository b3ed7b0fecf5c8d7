#include "schedule/from_halide.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace fovea {
namespace {

namespace HI = Halide::Internal;

Result<Tail> tailOf(Halide::TailStrategy t) {
  switch (t) {
    case Halide::TailStrategy::Auto: return Tail::Auto;
    case Halide::TailStrategy::GuardWithIf: return Tail::Guard;
    case Halide::TailStrategy::ShiftInwards: return Tail::Shift;
    case Halide::TailStrategy::RoundUp: return Tail::Round;
    default: return Failure::input("a split with a predicated tail");
  }
}

/// Halide keeps loop names qualified by the loops they came from ("x.x_i"); schedules name loops
/// as the scheduling calls do, by their last part.
std::string unqualified(const std::string& name) {
  size_t dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

/// `initial`: the definition's loops as lowered (for an update, unknown: nullptr).
Result<Loops> loopsOf(const HI::Definition& d, const std::vector<std::string>* initial) {
  const HI::StageSchedule& s = d.schedule();
  if (!d.specializations().empty()) return Failure::input("specializations");
  if (!s.prefetches().empty()) return Failure::input("prefetches");
  if (!s.fused_pairs().empty()) return Failure::input("compute_with");
  if (s.atomic() || s.allow_race_conditions()) return Failure::input("an atomic or racing update");
  Loops l;
  for (const HI::Split& split : s.splits()) {
    LoopStep step;
    if (split.is_split()) {
      const int64_t* factor = Halide::Internal::as_const_int(split.factor);
      if (!factor || *factor < 1 || *factor > (1 << 20)) return Failure::input(fmt::format("a split of '{}' by a factor that is not a constant", split.old_var));
      Result<Tail> tail = tailOf(split.tail);
      if (!tail) return tail.failure();
      step = {LoopStep::Kind::Split, unqualified(split.old_var), unqualified(split.outer), unqualified(split.inner), static_cast<int>(*factor), *tail};
    } else if (split.is_fuse()) {
      step = {LoopStep::Kind::Fuse, unqualified(split.inner), unqualified(split.outer), unqualified(split.old_var), 1, Tail::Guard};
    } else if (split.is_rename()) {
      step = {LoopStep::Kind::Rename, unqualified(split.old_var), unqualified(split.outer), "", 1, Tail::Guard};
    } else {
      return Failure::input(fmt::format("a reduction variable '{}' made pure", split.old_var));
    }
    l.steps.push_back(std::move(step));
  }
  std::vector<std::string> order;
  for (const HI::Dim& dim : s.dims()) {
    if (dim.var == Halide::Var::outermost().name()) continue;
    std::string var = unqualified(dim.var);
    if (std::find(order.begin(), order.end(), var) != order.end()) return Failure::input(fmt::format("two loops named '{}'", var));
    order.push_back(var);
    switch (dim.for_type) {
      case HI::ForType::Serial: break;
      case HI::ForType::Parallel: l.parallel.push_back(var); break;
      case HI::ForType::Vectorized: l.vectorized.push_back(var); break;
      case HI::ForType::Unrolled: l.unrolled.push_back(var); break;
      case HI::ForType::GPUBlock: l.gpuBlocks.push_back(var); break;
      case HI::ForType::GPUThread: l.gpuThreads.push_back(var); break;
      default: return Failure::input(fmt::format("loop '{}' runs in a way Fovea does not describe (GPU lanes, extern)", dim.var));
    }
  }
  // The order is written when it says something: after steps, or when it is not the initial one.
  if (!l.steps.empty() || s.touched() || (initial && order != *initial)) l.order = std::move(order);
  return l;
}

Result<LoopLevel> levelOf(Halide::LoopLevel level, const std::map<std::string, std::string>& names) {
  level.lock();
  auto it = names.find(level.func());
  if (it == names.end()) return Failure::input(fmt::format("a loop of Func '{}', which is not a stage ({})", level.func(), level.to_string()));
  return LoopLevel{it->second, unqualified(level.var().name())};
}

Result<StageSchedule> stageOf(const std::string& name, const HI::Function& fn, const std::map<std::string, std::string>& names) {
  StageSchedule st;
  st.stage = name;
  const HI::FuncSchedule& fs = fn.schedule();
  if (!fs.bounds().empty()) return Failure::input("bounds");
  if (fs.memoized() || fs.async()) return Failure::input("memoize or async");
  if (!fs.wrappers().empty()) return Failure::input("wrappers (in())");
  Halide::LoopLevel compute = fs.compute_level(), store = fs.store_level();
  compute.lock();
  store.lock();
  if (compute.is_inlined()) {
    st.placement = Placement::Inline;
  } else if (compute.is_root()) {
    st.placement = Placement::Root;
  } else {
    st.placement = Placement::At;
    Result<LoopLevel> at = levelOf(compute, names);
    if (!at) return at.failure();
    st.computeAt = *at;
  }
  // An inlined store level means "with the compute level" (Halide settles it when it lowers).
  if (!compute.is_inlined() && !store.is_inlined() && store != compute) {
    if (store.is_root()) {
      st.storeAt = LoopLevel{};
    } else {
      Result<LoopLevel> at = levelOf(store, names);
      if (!at) return at.failure();
      st.storeAt = *at;
    }
  }
  for (const HI::StorageDim& d : fs.storage_dims()) {  // d.var: a pure dimension
    if (d.alignment.defined() || d.bound.defined()) return Failure::input("aligned or bounded storage");
    if (!d.fold_factor.defined()) continue;
    const int64_t* factor = Halide::Internal::as_const_int(d.fold_factor);
    if (!factor || !d.fold_forward) return Failure::input("a storage fold that is not a constant forward fold");
    st.folds.push_back({d.var, static_cast<int>(*factor)});
  }
  switch (fs.memory_type()) {
    case Halide::MemoryType::Auto: break;
    case Halide::MemoryType::Heap: st.memory = "heap"; break;
    case Halide::MemoryType::Stack: st.memory = "stack"; break;
    case Halide::MemoryType::Register: st.memory = "register"; break;
    case Halide::MemoryType::GPUShared: st.memory = "gpu_shared"; break;
    default: return Failure::input("a memory type Fovea does not describe");
  }
  std::vector<std::string> pure = fn.args();
  Result<Loops> loops = loopsOf(fn.definition(), &pure);
  if (!loops) return loops.failure();
  st.definitions.push_back(std::move(*loops));
  for (const HI::Definition& u : fn.updates()) {
    Result<Loops> update = loopsOf(u, nullptr);
    if (!update) return update.failure();
    st.definitions.push_back(std::move(*update));
  }
  while (!st.definitions.empty() && st.definitions.back().empty()) st.definitions.pop_back();
  return st;
}

}  // namespace

Result<std::vector<StageSchedule>> readHalideSchedule(const LoweredPipeline& lowered) {
  std::map<std::string, std::string> names;  // Halide's Func name -> the name schedules use
  std::vector<std::pair<std::string, HI::Function>> ours;
  for (size_t s = 0; s < lowered.stages.size(); ++s) {
    if (!lowered.stages[s].defined()) continue;
    names[lowered.stages[s].name()] = lowered.stageNames[s];
    ours.emplace_back(lowered.stageNames[s], lowered.stages[s].function());
  }
  for (size_t o = 0; o < lowered.outputs.size(); ++o) {
    if (names.count(lowered.outputs[o].name())) continue;  // the output is a stage's own Func
    names[lowered.outputs[o].name()] = lowered.outputNames[o];
    ours.emplace_back(lowered.outputNames[o], lowered.outputs[o].function());
  }
  // Funcs Halide made (a boundary condition's wrapper) must be left inlined and unscheduled.
  for (const Halide::Func& out : lowered.outputs) {
    for (const auto& [name, fn] : HI::find_transitive_calls(out.function())) {
      if (names.count(name)) continue;
      Halide::LoopLevel level = fn.schedule().compute_level();
      level.lock();
      if (!level.is_inlined()) return Failure::input(fmt::format("Func '{}', which Halide made, is scheduled (not inlined)", name));
    }
  }
  std::vector<StageSchedule> out;
  for (const auto& [name, fn] : ours) {
    Result<StageSchedule> st = stageOf(name, fn, names);
    if (!st) return st.failure().context(fmt::format("stage '{}': ", name));
    out.push_back(std::move(*st));
  }
  return out;
}

}  // namespace fovea
