#include "schedule/sample.h"

#include <algorithm>
#include <map>
#include <random>

#include <fmt/format.h>

namespace fovea {
namespace {

class Sampler {
 public:
  Sampler(const ir::Pipeline& p, const PlanContext& context, uint64_t seed) : p_(p), c_(context), rng_(seed) {}

  Schedule run() {
    size_t n = p_.stages.size();
    ReadGraph graph = readGraph(p_);
    consumers_ = std::move(graph.consumers);
    callSites_ = std::move(graph.callSites);
    copies_.assign(n, 1);
    readInUpdate_ = std::move(graph.readInUpdate);
    isOutput_.assign(n, false);
    for (const ir::Output& o : p_.outputs) {
      if (o.stage >= 0) isOutput_[o.stage] = true;
    }
    placement_.assign(n, Placement::Inline);
    owner_.assign(n, SIZE_MAX);
    loops_.assign(n, {});
    Schedule out;
    out.strategy = "random";
    out.target = c_.target;
    std::vector<std::optional<StageSchedule>> stages(n);
    for (size_t k : graph.consumersFirst) {
      if (p_.stages[k].kind == ir::StageKind::Input || k >= c_.stageNames.size() || c_.stageNames[k].empty()) continue;
      stages[k] = stage(k);
    }
    for (size_t k = 0; k < n; ++k) {
      if (stages[k]) out.stages.push_back(std::move(*stages[k]));
    }
    for (size_t o = 0; o < p_.outputs.size(); ++o) {
      if (out.find(c_.outputNames[o])) continue;  // the output is a stage's own Func
      StageSchedule st;
      st.stage = c_.outputNames[o];
      st.placement = Placement::Root;
      StageVars vars = o < c_.outputVars.size() ? c_.outputVars[o] : StageVars{};
      std::vector<std::string> loops;
      st.definitions.push_back(pureLoops(vars, loops));
      out.stages.push_back(std::move(st));
    }
    return out;
  }

 private:
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng_)];
  }

  /// The stage whose loops hold every read of k: its consumers, or for an inlined consumer, the
  /// stage that holds it. SIZE_MAX when there is not exactly one.
  size_t holder(size_t k) const {
    size_t found = SIZE_MAX;
    for (size_t c : consumers_[k]) {
      size_t h = placement_[c] == Placement::Inline ? owner_[c] : c;
      if (h == SIZE_MAX || (found != SIZE_MAX && found != h)) return SIZE_MAX;
      found = h;
    }
    return found;
  }

  /// Random loops for a pure definition; `loops` gets the names of the loops a producer may be
  /// computed at (not vectorized, not unrolled).
  Loops pureLoops(const StageVars& v, std::vector<std::string>& loops) {
    Loops l;
    const std::vector<std::string>& a = v.pure;
    std::vector<std::string> nest = a;  // innermost first
    auto split = [&](const std::string& var, const std::string& outer, const std::string& inner, int factor) {
      l.steps.push_back({LoopStep::Kind::Split, var, outer, inner, factor, Tail::Guard});
      auto it = std::find(nest.begin(), nest.end(), var);
      *it = outer;
      nest.insert(it, inner);
    };
    std::string vectorized;
    if (!a.empty() && chance(0.7)) {
      std::string xi = v.fresh(a[0] + "_i");
      split(a[0], a[0], xi, pick(std::vector<int>{2, 4, 8, 16}));
      if (chance(0.8)) vectorized = xi;
    }
    if (a.size() >= 2 && chance(0.6)) split(a[1], v.fresh(a[1] + "_o"), v.fresh(a[1] + "_i"), pick(std::vector<int>{2, 3, 8, 16, 64}));
    if (chance(0.25)) {
      // Any order of a pure definition's loops is valid.
      std::shuffle(nest.begin(), nest.end(), rng_);
    } else if (a.size() >= 3 && chance(0.4)) {
      // Channels innermost (before x), as for interleaved color.
      auto c = std::find(nest.begin(), nest.end(), a[2]);
      std::string name = *c;
      nest.erase(c);
      nest.insert(nest.begin(), name);
    }
    if (nest != a || !l.steps.empty()) l.order = nest;
    if (!vectorized.empty()) l.vectorized.push_back(vectorized);
    std::vector<std::string> free;
    for (const std::string& n : nest) {
      if (n != vectorized) free.push_back(n);
    }
    if (!free.empty() && chance(0.6)) l.parallel.push_back(chance(0.7) ? free.back() : pick(free));
    // Unroll a constant inner split of the innermost loop that is not vectorized (unrolling a loop
    // around whole loop nests multiplies the code, and the compile time with it).
    std::vector<std::string> candidates;
    for (size_t i = 0; i < nest.size() && i < 2; ++i) {
      const std::string& n = nest[i];
      if (n == vectorized) continue;
      if (std::find(l.parallel.begin(), l.parallel.end(), n) == l.parallel.end()) candidates.push_back(n);
      break;
    }
    if (!candidates.empty() && chance(0.3)) {
      std::string var = pick(candidates), u = v.fresh(var + "_u");
      while (std::find(nest.begin(), nest.end(), u) != nest.end()) u += "_";
      l.steps.push_back({LoopStep::Kind::Split, var, var, u, pick(std::vector<int>{2, 3, 4}), Tail::Guard});
      auto it = std::find(nest.begin(), nest.end(), var);
      nest.insert(it, u);
      if (!l.order.empty()) l.order = nest;
      l.unrolled.push_back(u);
    }
    // Producers may be computed at any loop outside the vectorized split's outer loop (and outside
    // unrolled loops), not at it or inside it: there Halide 14 sizes the producer for a whole vector
    // and the guarded tail writes past it (pyrdown3 under random:2, 21 and 23 crashed; reduced, a
    // boundary stage computed at down_h.y with down_h's loops ordered x_i (vector of 2), y, x).
    std::string vectorOuter;
    for (const LoopStep& s : l.steps) {
      if (s.kind == LoopStep::Kind::Split && s.inner == vectorized) vectorOuter = s.outer;
    }
    size_t firstAllowed = 0;
    for (size_t i = 0; i < nest.size(); ++i) {
      bool blocked = nest[i] == vectorized || nest[i] == vectorOuter || std::find(l.unrolled.begin(), l.unrolled.end(), nest[i]) != l.unrolled.end();
      if (blocked) firstAllowed = i + 1;
    }
    loops.assign(nest.begin() + static_cast<std::ptrdiff_t>(std::min(firstAllowed, nest.size())), nest.end());
    return l;
  }

  StageSchedule stage(size_t k) {
    const ir::Stage& s = p_.stages[k];
    StageVars vars = k < c_.stageVars.size() ? c_.stageVars[k] : StageVars{};
    StageSchedule st;
    st.stage = c_.stageNames[k];
    std::vector<Placement> options;
    if (isOutput_[k]) {
      options = {Placement::Root};
    } else {
      options.push_back(Placement::Root);
      // Inlined, the stage's expression is copied into its holder once per call site, times the
      // copies of each inlined consumer: a pyramid inlined level into level multiplies them (4
      // taps along x and 4 along y per level) until Halide's lowering takes minutes. Beyond
      // kMaxInlineCopies the stage is stored.
      size_t copies = 0;
      for (const auto& [c, sites] : callSites_[k]) copies += sites * (placement_[c] == Placement::Inline ? copies_[c] : 1);
      copies_[k] = std::max<size_t>(copies, 1);
      if (s.updates.empty() && copies_[k] <= kMaxInlineCopies) options.push_back(Placement::Inline);
      size_t h = readInUpdate_[k] ? SIZE_MAX : holder(k);
      if (h != SIZE_MAX && !loops_[h].empty()) options.push_back(Placement::At);
      owner_[k] = h;
    }
    st.placement = pick(options);
    placement_[k] = st.placement;
    if (st.placement == Placement::Inline) return st;
    if (st.placement == Placement::At) {
      st.computeAt = {c_.stageNames[owner_[k]], pick(loops_[owner_[k]])};
    } else {
      owner_[k] = SIZE_MAX;
    }
    st.definitions.push_back(pureLoops(vars, loops_[k]));
    // Layout versions of a stage computed in full: x vectorized in each (when the definition's own
    // loops do not split x: vectors of vectors, or of an outer x, take minutes to compile).
    bool xSplit = false;
    for (const LoopStep& step : st.definitions[0].steps) xSplit = xSplit || (!vars.pure.empty() && step.var == vars.pure[0]);
    if (st.placement == Placement::Root && !vars.pure.empty() && !xSplit && chance(0.5)) {
      for (const char* layout : {"interleaved", "dense"}) {
        if (!chance(0.7)) continue;
        LayoutVersion version{layout, {}};
        std::string xv = vars.fresh(vars.pure[0] + "_lv");
        version.loops.steps.push_back({LoopStep::Kind::Split, vars.pure[0], vars.pure[0], xv, pick(std::vector<int>{4, 8, 16}), Tail::Guard});
        version.loops.vectorized.push_back(xv);
        st.layouts.push_back(std::move(version));
      }
    }
    for (size_t u = 0; u < s.updates.size() && u < vars.rvars.size(); ++u) st.definitions.push_back(updateLoops(s, u, vars));
    while (!st.definitions.empty() && st.definitions.back().empty()) st.definitions.pop_back();
    return st;
  }

  Loops updateLoops(const ir::Stage& s, size_t u, const StageVars& vars) {
    Loops l;
    const ir::Definition& d = s.updates[u];
    const std::vector<std::string>& rv = vars.rvars[u];
    if (rv.size() >= 2 && chance(0.3)) {
      l.rfactor = RFactor{rv.back(), vars.fresh(fmt::format("band{}", u)), chance(0.8)};
      return l;
    }
    // A dimension the update writes at its own position is pure in it: vectorizing or
    // parallelizing it is safe.
    auto pureAt = [&](size_t i) {
      return i < d.lhs.size() && i < vars.pure.size() && d.lhs[i]->kind == ir::ExprKind::Var && d.lhs[i]->index == static_cast<int>(i);
    };
    if (pureAt(0) && chance(0.5)) {
      std::string xi = vars.fresh(vars.pure[0] + "_ui");
      l.steps.push_back({LoopStep::Kind::Split, vars.pure[0], vars.pure[0], xi, pick(std::vector<int>{4, 8, 16}), Tail::Guard});
      l.vectorized.push_back(xi);
    }
    if (pureAt(1) && chance(0.5)) l.parallel.push_back(vars.pure[1]);
    return l;
  }

  const ir::Pipeline& p_;
  const PlanContext& c_;
  std::mt19937_64 rng_;
  static constexpr size_t kMaxInlineCopies = 16;
  std::vector<std::vector<size_t>> consumers_;
  std::vector<std::map<size_t, size_t>> callSites_;
  std::vector<size_t> copies_;  ///< copies of a stage's expression in its holder when inlined
  std::vector<bool> readInUpdate_, isOutput_;
  std::vector<Placement> placement_;
  std::vector<size_t> owner_;                  ///< the stage holding an inlined or At stage's reads
  std::vector<std::vector<std::string>> loops_;  ///< per stage not inlined: loops a producer may be computed at
};

}  // namespace

Schedule sampleSchedule(const ir::Pipeline& p, const PlanContext& context, uint64_t seed) {
  Schedule s = Sampler(p, context, seed).run();
  s.strategy = fmt::format("random:{}", seed);
  return s;
}

}  // namespace fovea
