#include "schedule/apply_schedule.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

namespace fovea {

StageVars stageVarsOf(const Halide::Func& f) {
  StageVars v;
  for (const Halide::Var& a : f.args()) v.pure.push_back(a.name());
  const std::vector<Halide::Internal::Definition>& updates = f.function().updates();
  for (const Halide::Internal::Definition& u : updates) {
    std::vector<std::string> rvars;
    for (const Halide::Internal::ReductionVariable& r : u.schedule().rvars()) rvars.push_back(r.var);
    v.rvars.push_back(std::move(rvars));
  }
  return v;
}

namespace {

Halide::TailStrategy halideTail(Tail t) {
  switch (t) {
    case Tail::Auto: return Halide::TailStrategy::Auto;
    case Tail::Guard: return Halide::TailStrategy::GuardWithIf;
    case Tail::Shift: return Halide::TailStrategy::ShiftInwards;
    case Tail::Round: return Halide::TailStrategy::RoundUp;
  }
  return Halide::TailStrategy::GuardWithIf;
}

/// The loops of one definition by name, as its steps make them.
using LoopNames = std::map<std::string, Halide::VarOrRVar>;

LoopNames initialNames(const StageVars& vars, size_t definition) {
  LoopNames names;
  for (const std::string& v : vars.pure) names.emplace(v, Halide::Var(v));
  if (definition > 0) {
    for (const std::string& r : vars.rvars[definition - 1]) names.emplace(r, Halide::RVar(r));
  }
  return names;
}

std::string known(const LoopNames& names) {
  std::vector<std::string> list;
  for (const auto& [name, v] : names) list.push_back(name);
  return fmt::format("{}", fmt::join(list, ", "));
}

std::string definitionName(size_t d) { return d == 0 ? "definition 0 (pure)" : fmt::format("definition {} (update {})", d, d); }

/// The memory layouts that get a version of their own, in which the strides are constants so that
/// Halide reads and writes whole vectors instead of one lane at a time (gathers and scatters):
///   - dense: every buffer's x stride is 1 (gray images, planar color: how Halide stores them);
///   - interleaved: every 3-channel buffer is interleaved (x stride 3, channel stride 1: how
///     OpenCV stores color) and every other buffer dense.
/// Every other layout (ROIs of interleaved images with 4 channels, flipped views, ...) runs the
/// general version. `output` is the stage's output buffer, if it is an output.
Halide::Expr layoutCondition(const std::string& layout, const LoweredPipeline& lowered, const Halide::Func* output, bool* color) {
  Halide::Expr cond = Halide::Internal::const_true();
  *color = false;
  auto add = [&](const Halide::OutputImageParam& b, int dims) {
    *color = *color || dims == 3;
    if (layout == "interleaved" && dims == 3) {
      cond = cond && b.dim(0).stride() == 3 && b.dim(2).stride() == 1 && b.dim(2).extent() == 3;
    } else {
      cond = cond && b.dim(0).stride() == 1;
    }
  };
  for (const Halide::ImageParam& in : lowered.inputs) {
    if (in.dimensions() >= 1) add(in, in.dimensions());
  }
  if (output) add(output->output_buffer(), output->dimensions());
  return cond;
}

class Applier {
 public:
  Applier(LoweredPipeline& lowered, DiagnosticEngine& diags) : lowered_(lowered), diags_(diags) {
    // The Funcs by the names schedules use (lowering's names, not Halide's: see LoweredPipeline).
    for (size_t s = 0; s < lowered.stages.size(); ++s) {
      if (lowered.stages[s].defined()) funcs_.emplace(lowered.stageNames[s], lowered.stages[s]);
    }
    for (size_t o = 0; o < lowered.outputs.size(); ++o) {
      funcs_.emplace(lowered.outputNames[o], lowered.outputs[o]);
      outputs_.emplace(lowered.outputNames[o], o);
    }
  }

  bool apply(const Schedule& schedule) {
    for (const StageSchedule& s : schedule.stages) {
      if (!funcs_.count(s.stage)) error(fmt::format("the schedule names stage '{}', which this pipeline does not have", s.stage));
    }
    if (!ok_) return false;
    // Every stage's loops first (their names are what placements refer to), then placements.
    for (const StageSchedule& s : schedule.stages) guarded(s, [&] { applyDefinitions(s); });
    if (!ok_) return false;
    for (const StageSchedule& s : schedule.stages) guarded(s, [&] { applyPlacement(schedule, s); });
    if (!ok_) return false;
    for (const StageSchedule& s : schedule.stages) guarded(s, [&] { applyLayouts(s); });
    return ok_;
  }

 private:
  template <class F>
  void guarded(const StageSchedule& s, F f) {
    try {
      f();
    } catch (const Halide::Error& e) {
      std::string what = e.what();
      if (what.rfind("Error: ", 0) == 0) what = what.substr(7);
      while (!what.empty() && what.back() == '\n') what.pop_back();
      error(fmt::format("stage '{}': Halide refuses the schedule: {}", s.stage, what));
    }
  }

  void error(const std::string& message) {
    diags_.error({}, message);
    ok_ = false;
  }

  /// Looks up a loop by name; reports it if missing.
  const Halide::VarOrRVar* loop(const LoopNames& names, const std::string& name, const std::string& where, const char* field) {
    auto it = names.find(name);
    if (it != names.end()) return &it->second;
    error(fmt::format("{}: '{}' names loop '{}', which is not a loop here (loops: {})", where, field, name, known(names)));
    return nullptr;
  }

  bool fresh(const LoopNames& names, const std::string& name, const std::string& where, const char* field) {
    if (!names.count(name)) return true;
    error(fmt::format("{}: '{}' makes loop '{}', which already exists", where, field, name));
    return false;
  }

  /// Applies one definition's loops to `stage`, keeping `names` up to date.
  void applyLoops(Halide::Stage stage, const Loops& l, LoopNames& names, const std::string& where) {
    std::set<std::string> guardedPairs;  // inner loops of 2 made by a guarded split
    for (size_t i = 0; i < l.steps.size(); ++i) {
      const LoopStep& s = l.steps[i];
      std::string at = fmt::format("{}, steps[{}]", where, i);
      switch (s.kind) {
        case LoopStep::Kind::Split: {
          const Halide::VarOrRVar* old = loop(names, s.var, at, "split");
          if (!old) return;
          if ((s.outer != s.var && !fresh(names, s.outer, at, "outer")) || !fresh(names, s.inner, at, "inner")) return;
          if (s.outer == s.inner) return error(fmt::format("{}: 'outer' and 'inner' are both '{}'", at, s.inner));
          bool rvar = old->is_rvar;
          Halide::VarOrRVar outer = rvar ? Halide::VarOrRVar(Halide::RVar(s.outer)) : Halide::VarOrRVar(Halide::Var(s.outer));
          Halide::VarOrRVar inner = rvar ? Halide::VarOrRVar(Halide::RVar(s.inner)) : Halide::VarOrRVar(Halide::Var(s.inner));
          stage.split(*old, outer, inner, s.factor, halideTail(s.tail));
          if (s.factor == 2 && s.tail == Tail::Guard) guardedPairs.insert(s.inner);
          names.erase(s.var);
          names.emplace(s.outer, outer);
          names.emplace(s.inner, inner);
          break;
        }
        case LoopStep::Kind::Fuse: {
          const Halide::VarOrRVar* inner = loop(names, s.var, at, "fuse");
          const Halide::VarOrRVar* outer = loop(names, s.outer, at, "fuse");
          // The fused loop may take the name of either loop it replaces (Halide's fuse(v0, y, v0)).
          if (!inner || !outer || (s.inner != s.var && s.inner != s.outer && !fresh(names, s.inner, at, "into"))) return;
          bool rvar = inner->is_rvar && outer->is_rvar;
          Halide::VarOrRVar fused = rvar ? Halide::VarOrRVar(Halide::RVar(s.inner)) : Halide::VarOrRVar(Halide::Var(s.inner));
          stage.fuse(*inner, *outer, fused);
          names.erase(s.var);
          names.erase(s.outer);
          names.emplace(s.inner, fused);
          break;
        }
        case LoopStep::Kind::Rename: {
          const Halide::VarOrRVar* old = loop(names, s.var, at, "rename");
          if (!old || !fresh(names, s.outer, at, "to")) return;
          Halide::VarOrRVar renamed = old->is_rvar ? Halide::VarOrRVar(Halide::RVar(s.outer)) : Halide::VarOrRVar(Halide::Var(s.outer));
          stage.rename(*old, renamed);
          names.erase(s.var);
          names.emplace(s.outer, renamed);
          break;
        }
      }
    }
    auto resolve = [&](const std::vector<std::string>& list, const char* field) {
      std::vector<Halide::VarOrRVar> out;
      for (const std::string& n : list) {
        const Halide::VarOrRVar* v = loop(names, n, where, field);
        if (!v) return std::vector<Halide::VarOrRVar>{};
        out.push_back(*v);
      }
      return out;
    };
    if (!l.order.empty()) {
      std::vector<Halide::VarOrRVar> order = resolve(l.order, "order");
      if (order.size() != l.order.size()) return;
      stage.reorder(order);
    }
    for (const Halide::VarOrRVar& v : resolve(l.parallel, "parallel")) stage.parallel(v);
    // Halide 14 miscompiles a 2-lane vector whose tail is guarded when the lanes' parity picks
    // a select's branch: the select becomes a ramp whose stride holds the guarded-off lane's
    // undef, and the tail's first lane comes out wrong too (local_laplacian's upsampling under
    // the schedule fuzzer; reduced to a 37-wide `select(x % 2 == 0, ...)` stage vectorized by 2;
    // 4 lanes, or a shift or round tail, are right). Two lanes gain nothing over unrolling by
    // two, which computes the same points: such a loop is unrolled.
    for (size_t i = 0; i < l.vectorized.size(); ++i) {
      std::vector<Halide::VarOrRVar> v = resolve({l.vectorized[i]}, "vectorized");
      if (v.empty()) continue;
      if (guardedPairs.count(l.vectorized[i])) {
        stage.unroll(v[0]);
      } else {
        stage.vectorize(v[0]);
      }
    }
    for (const Halide::VarOrRVar& v : resolve(l.unrolled, "unrolled")) stage.unroll(v);
    auto gpu = [&](const std::vector<std::string>& list, const char* field, bool blocks) {
      std::vector<Halide::VarOrRVar> v = resolve(list, field);
      if (v.size() != list.size() || v.empty()) return;
      if (blocks) {
        if (v.size() == 1) stage.gpu_blocks(v[0]);
        else if (v.size() == 2) stage.gpu_blocks(v[0], v[1]);
        else stage.gpu_blocks(v[0], v[1], v[2]);
      } else {
        if (v.size() == 1) stage.gpu_threads(v[0]);
        else if (v.size() == 2) stage.gpu_threads(v[0], v[1]);
        else stage.gpu_threads(v[0], v[1], v[2]);
      }
    };
    gpu(l.gpuBlocks, "gpu_blocks", true);
    gpu(l.gpuThreads, "gpu_threads", false);
  }

  void applyDefinitions(const StageSchedule& s) {
    Halide::Func f = funcs_.at(s.stage);
    StageVars vars = stageVarsOf(f);
    size_t count = 1 + vars.rvars.size();
    std::vector<LoopNames>& names = names_[s.stage];
    for (size_t d = 0; d < count; ++d) names.push_back(initialNames(vars, d));
    if (s.definitions.size() > count) {
      return error(fmt::format("stage '{}': the schedule has {} definitions, but the stage has {} (its pure definition and {} update{})", s.stage,
                               s.definitions.size(), count, count - 1, count == 2 ? "" : "s"));
    }
    for (size_t d = 0; d < s.definitions.size(); ++d) {
      const Loops& l = s.definitions[d];
      std::string where = fmt::format("stage '{}', {}", s.stage, definitionName(d));
      if (d == 0) {
        applyLoops(f, l, names[0], where);
        continue;
      }
      if (l.rfactor) {
        Loops rest = l;
        rest.rfactor.reset();
        if (!rest.empty()) return error(fmt::format("{}: 'rfactor' cannot be combined with other loop fields in the same definition", where));
        if (!loop(names[d], l.rfactor->rvar, where, "rfactor.rvar")) return;
        if (!names[d].at(l.rfactor->rvar).is_rvar) return error(fmt::format("{}: 'rfactor.rvar' must name a reduction variable", where));
        if (!fresh(names[d], l.rfactor->var, where, "rfactor.var")) return;
        try {
          Halide::Func partial = f.update(static_cast<int>(d - 1)).rfactor(Halide::RVar(l.rfactor->rvar), Halide::Var(l.rfactor->var));
          partial.compute_root();
          if (l.rfactor->parallel) partial.update().parallel(Halide::Var(l.rfactor->var));
        } catch (const Halide::Error&) {
          // Not associative (or not provably so): the update runs serially, which is correct.
        }
        continue;
      }
      applyLoops(f.update(static_cast<int>(d - 1)), l, names[d], where);
    }
  }

  /// A loop level of another stage, checked against that stage's loops.
  std::optional<Halide::LoopLevel> level(const Schedule& schedule, const StageSchedule& s, const LoopLevel& l, const char* field) {
    std::string where = fmt::format("stage '{}'", s.stage);
    auto owner = funcs_.find(l.stage);
    if (owner == funcs_.end()) {
      error(fmt::format("{}: '{}' names stage '{}', which this pipeline does not have", where, field, l.stage));
      return std::nullopt;
    }
    if (l.stage == s.stage) {
      error(fmt::format("{}: '{}' names the stage itself", where, field));
      return std::nullopt;
    }
    const StageSchedule* os = schedule.find(l.stage);
    bool ownerInline = os ? os->placement == Placement::Inline : !outputs_.count(l.stage) && owner->second.function().updates().empty();
    if (ownerInline) {
      error(fmt::format("{}: '{}' names stage '{}', which is inlined and has no loops of its own", where, field, l.stage));
      return std::nullopt;
    }
    std::vector<LoopNames>& names = names_[l.stage];
    if (names.empty()) {  // not in the schedule: its loops as lowered
      StageVars vars = stageVarsOf(owner->second);
      for (size_t d = 0; d <= vars.rvars.size(); ++d) names.push_back(initialNames(vars, d));
    }
    // Halide 14 finds the loop by name in any of the stage's definitions.
    LoopNames all;
    for (const LoopNames& n : names) all.insert(n.begin(), n.end());
    const Halide::VarOrRVar* v = loop(all, l.loop, fmt::format("{} ('{}' is in stage '{}')", where, field, l.stage), "loop");
    if (!v) return std::nullopt;
    return Halide::LoopLevel(owner->second, *v);
  }

  void applyPlacement(const Schedule& schedule, const StageSchedule& s) {
    Halide::Func f = funcs_.at(s.stage);
    std::string where = fmt::format("stage '{}'", s.stage);
    bool output = outputs_.count(s.stage) > 0;
    if (output && s.placement != Placement::Root) {
      return error(fmt::format("{}: 'compute' is \"{}\", but outputs are computed in full (\"root\")", where, toString(s.placement)));
    }
    switch (s.placement) {
      case Placement::Inline:
        if (!f.function().updates().empty()) return error(fmt::format("{}: 'compute' is \"inline\", but the stage has updates (compute it root or at a loop)", where));
        if (s.storeAt || !s.folds.empty() || !s.memory.empty()) return error(fmt::format("{}: an inlined stage has no storage (store_at, fold, memory)", where));
        return;
      case Placement::Root: f.compute_root(); break;
      case Placement::At: {
        std::optional<Halide::LoopLevel> at = level(schedule, s, s.computeAt, "compute_at");
        if (!at) return;
        f.compute_at(*at);
        break;
      }
    }
    if (s.storeAt) {
      if (s.storeAt->stage.empty()) {
        f.store_root();
      } else {
        std::optional<Halide::LoopLevel> at = level(schedule, s, *s.storeAt, "store_at");
        if (!at) return;
        f.store_at(*at);
      }
    }
    std::vector<std::string> dims = stageVarsOf(f).pure;
    for (const Fold& fold : s.folds) {
      if (std::find(dims.begin(), dims.end(), fold.dim) == dims.end()) {
        return error(fmt::format("{}: 'fold' names dimension '{}' (dimensions: {})", where, fold.dim, fmt::join(dims, ", ")));
      }
      f.fold_storage(Halide::Var(fold.dim), fold.factor);
    }
    if (s.memory == "heap") f.store_in(Halide::MemoryType::Heap);
    else if (s.memory == "stack") f.store_in(Halide::MemoryType::Stack);
    else if (s.memory == "register") f.store_in(Halide::MemoryType::Register);
    else if (s.memory == "gpu_shared") f.store_in(Halide::MemoryType::GPUShared);
  }

  void applyLayouts(const StageSchedule& s) {
    if (s.layouts.empty()) return;
    std::string where = fmt::format("stage '{}'", s.stage);
    if (s.placement == Placement::Inline) return error(fmt::format("{}: 'layouts' are versions of a stage's loops; an inlined stage has none", where));
    Halide::Func f = funcs_.at(s.stage);
    auto out = outputs_.find(s.stage);
    const Halide::Func* output = out == outputs_.end() ? nullptr : &lowered_.outputs[out->second];
    for (const LayoutVersion& v : s.layouts) {
      bool color = false;
      Halide::Expr condition = layoutCondition(v.layout, lowered_, output, &color);
      // Without a 3-channel buffer the interleaved layout is the dense one: no version of its own
      // (Halide would hand back the same specialization twice).
      if (v.layout == "interleaved" && !color) continue;
      Halide::Stage version = f.specialize(condition);
      LoopNames names = names_[s.stage][0];
      applyLoops(version, v.loops, names, fmt::format("{}, layout '{}'", where, v.layout));
    }
  }

  LoweredPipeline& lowered_;
  DiagnosticEngine& diags_;
  std::map<std::string, Halide::Func> funcs_;
  std::map<std::string, size_t> outputs_;
  std::map<std::string, std::vector<LoopNames>> names_;  ///< per stage, per definition: its loops after its steps
  bool ok_ = true;
};

}  // namespace

bool applySchedule(LoweredPipeline& lowered, const Schedule& schedule, DiagnosticEngine& diags) {
  return Applier(lowered, diags).apply(schedule);
}

}  // namespace fovea
