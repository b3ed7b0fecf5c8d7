#include "schedule/plan.h"

#include <algorithm>

#include <fmt/format.h>

namespace fovea {
namespace {

bool isVarAt(const ir::ExprPtr& a, size_t position) { return a->kind == ir::ExprKind::Var && a->index == static_cast<int>(position); }

/// var + constant, constant + var, var - constant at the variable's own position.
bool isShiftedVarAt(const ir::ExprPtr& a, size_t position) {
  if (isVarAt(a, position)) return true;
  if (a->kind != ir::ExprKind::Binary || (a->binaryOp != ir::BinaryOp::Add && a->binaryOp != ir::BinaryOp::Sub)) return false;
  const ir::ExprPtr& l = a->args[0];
  const ir::ExprPtr& r = a->args[1];
  if (isVarAt(l, position) && r->kind == ir::ExprKind::Const) return true;
  return a->binaryOp == ir::BinaryOp::Add && isVarAt(r, position) && l->kind == ir::ExprKind::Const;
}


Access combine(Access a, Access b) { return static_cast<Access>(std::max(static_cast<int>(a), static_cast<int>(b))); }

size_t nodeCount(const ir::ExprPtr& e) {
  if (!e) return 0;
  size_t n = 1;
  for (const ir::ExprPtr& a : e->args) n += nodeCount(a);
  return n;
}

struct StageInfo {
  std::vector<size_t> consumers;           ///< distinct consumer stages
  Access access = Access::Pointwise;       ///< the worst way any consumer reads it
  bool readInUpdate = false;               ///< read by an update (order matters: keep it materialized)
};

void collect(const ir::ExprPtr& e, size_t consumer, bool inUpdate, std::vector<StageInfo>& info) {
  if (!e) return;
  if (e->kind == ir::ExprKind::Call && static_cast<size_t>(e->index) != consumer) {
    StageInfo& p = info[e->index];
    if (std::find(p.consumers.begin(), p.consumers.end(), consumer) == p.consumers.end()) p.consumers.push_back(consumer);
    p.access = combine(p.access, accessOf(*e));
    p.readInUpdate = p.readInUpdate || inUpdate;
  }
  for (const ir::ExprPtr& a : e->args) collect(a, consumer, inUpdate, info);
}

std::vector<StageInfo> analyze(const ir::Pipeline& p) {
  std::vector<StageInfo> info(p.stages.size());
  for (size_t s = 0; s < p.stages.size(); ++s) {
    const ir::Stage& st = p.stages[s];
    if (st.kind != ir::StageKind::Computed) continue;
    collect(st.pure.value, s, false, info);
    for (const ir::Definition& u : st.updates) {
      collect(u.value, s, true, info);
      for (const ir::ExprPtr& a : u.lhs) collect(a, s, true, info);
    }
  }
  return info;
}

int lanes(ScalarType t, int vectorBytes) {
  int bytes = std::max(1, bitsOf(t) / 8);
  return std::max(1, std::min(32, vectorBytes / bytes));
}

constexpr size_t kInlineCostLimit = 40;  ///< expression nodes: above this, recomputing costs more than a store
constexpr int kStripRows = 32;           ///< rows per parallel strip: 2 cores here, many strips for balance
constexpr int kGpuTile = 16;             ///< 16x16 = 256 threads per block: full warps, room for halos in shared memory

}  // namespace

Access accessOf(const ir::Expr& call) {
  bool pointwise = true;
  for (size_t i = 0; i < call.args.size(); ++i) {
    if (isVarAt(call.args[i], i)) continue;
    pointwise = false;
    if (!isShiftedVarAt(call.args[i], i)) return Access::Irregular;
  }
  return pointwise ? Access::Pointwise : Access::Stencil;
}

const char* toString(Access a) {
  switch (a) {
    case Access::Pointwise: return "pointwise";
    case Access::Stencil: return "stencil";
    case Access::Irregular: return "gather";
  }
  return "gather";
}

Schedule planHeuristicSchedule(const ir::Pipeline& p, const PlanContext& context) {
  std::vector<StageInfo> info = analyze(p);
  std::vector<bool> isOutput(p.stages.size(), false);
  for (const ir::Output& o : p.outputs) {
    if (o.stage >= 0) isOutput[o.stage] = true;
  }
  // Decide placements from the outputs backward: a producer's consumers are decided first.
  std::vector<Placement> placement(p.stages.size(), Placement::Root);
  std::vector<std::string> reason(p.stages.size());
  std::vector<size_t> stripOwner(p.stages.size(), SIZE_MAX);  // the Root stage whose loops compute it
  // The distinct Root stages whose loops compute these consumers (SIZE_MAX: not known).
  auto ownersOf = [&](const std::vector<size_t>& consumers) {
    std::vector<size_t> owners;
    for (size_t c : consumers) {
      size_t owner = placement[c] == Placement::Root ? c : stripOwner[c];
      if (std::find(owners.begin(), owners.end(), owner) == owners.end()) owners.push_back(owner);
    }
    return owners;
  };
  auto inlineHere = [&](size_t k, const char* why) {
    placement[k] = Placement::Inline;
    reason[k] = why;
    std::vector<size_t> owners = ownersOf(info[k].consumers);
    if (owners.size() == 1) stripOwner[k] = owners[0];
  };
  for (size_t k = p.stages.size(); k-- > 0;) {
    const ir::Stage& s = p.stages[k];
    const StageInfo& in = info[k];
    if (s.kind == ir::StageKind::Input) continue;
    if (isOutput[k]) {
      placement[k] = Placement::Root;
      reason[k] = "output";
      continue;
    }
    if (!s.updates.empty()) {
      reason[k] = "reduction: computed in full before its consumers";
      continue;
    }
    if (s.kind == ir::StageKind::Boundary) {
      inlineHere(k, "boundary condition: folded into each read");
      continue;
    }
    if (in.readInUpdate) {
      reason[k] = "read by an update: computed in full once";
      continue;
    }
    if (in.access == Access::Pointwise && nodeCount(s.pure.value) <= kInlineCostLimit) {
      inlineHere(k, "pointwise and cheap: inlined into its consumers");
      continue;
    }
    std::vector<size_t> owners = ownersOf(in.consumers);
    bool ownersKnown = std::find(owners.begin(), owners.end(), SIZE_MAX) == owners.end();
    bool twoDimensional = s.dims.size() >= 2 && ownersKnown && owners.size() == 1 && p.stages[owners[0]].dims.size() >= 2;
    if (in.access != Access::Irregular && twoDimensional) {
      placement[k] = Placement::Strip;
      stripOwner[k] = owners[0];
      reason[k] = in.access == Access::Stencil ? "stencil read by one consumer: computed per strip of rows, halo recomputed"
                                               : "costly pointwise stage: computed per strip of its consumer";
      continue;
    }
    reason[k] = in.consumers.size() > 1 ? "several consumers: computed in full once" : "irregular reads: computed in full";
  }

  Schedule out;
  out.strategy = "heuristic";
  out.target = context.target;
  for (size_t k = 0; k < p.stages.size(); ++k) {
    const ir::Stage& s = p.stages[k];
    if (s.kind == ir::StageKind::Input) continue;
    StageSchedule st;
    st.stage = context.stageNames[k];
    st.placement = placement[k];
    st.reason = reason[k];
    bool image = s.dims.size() >= 2;
    if (placement[k] != Placement::Inline) st.vector = image ? lanes(s.type, context.vectorBytes) : 0;
    if (placement[k] == Placement::Strip) st.computeAt = context.stageNames[stripOwner[k]];
    if (placement[k] == Placement::Root && image) {
      st.stripRows = kStripRows;
      st.parallel = true;
    }
    // A reduction over a 2-D (or larger) domain is split into per-row-band partial results that
    // run in parallel (if its update is associative; otherwise it stays serial).
    bool bigDomain = false;
    for (const ir::Definition& u : s.updates) bigDomain = bigDomain || (u.domain && u.domain->extents.size() >= 2);
    st.parallelReduction = placement[k] == Placement::Root && bigDomain && !context.gpu;
    if (context.gpu && placement[k] != Placement::Inline) {
      // Pure definitions of images become kernels; 1-D stages (histograms, sums) stay on the host.
      st.vector = 0;
      st.stripRows = 0;
      st.parallel = false;
      if (placement[k] == Placement::Root && image) {
        st.gpuTileX = kGpuTile;
        st.gpuTileY = kGpuTile;
      }
    }
    out.stages.push_back(std::move(st));
  }
  // Outputs that copy an input or a stage returned twice have Funcs of their own.
  for (size_t o = 0; o < p.outputs.size(); ++o) {
    if (out.find(context.outputNames[o])) continue;
    const ir::Stage& s = p.stages[p.outputs[o].stage];
    StageSchedule st;
    st.stage = context.outputNames[o];
    st.reason = "output (a copy)";
    if (s.dims.size() >= 2 && context.gpu) {
      st.gpuTileX = kGpuTile;
      st.gpuTileY = kGpuTile;
    } else if (s.dims.size() >= 2) {
      st.vector = lanes(s.type, context.vectorBytes);
      st.stripRows = kStripRows;
      st.parallel = true;
    }
    out.stages.push_back(std::move(st));
  }
  return out;
}

namespace {

StageSchedule referenceStage(const std::string& name, const char* why) {
  StageSchedule st;
  st.stage = name;
  st.placement = Placement::Root;
  st.reason = why;
  return st;
}

}  // namespace

Schedule planReferenceSchedule(const ir::Pipeline& p, const PlanContext& context) {
  Schedule out;
  out.strategy = "none";
  out.target = context.target;
  for (size_t k = 0; k < p.stages.size(); ++k) {
    if (p.stages[k].kind == ir::StageKind::Input) continue;
    out.stages.push_back(referenceStage(context.stageNames[k], "reference: everything in full"));
  }
  for (size_t o = 0; o < p.outputs.size(); ++o) {
    if (!out.find(context.outputNames[o])) {
      out.stages.push_back(referenceStage(context.outputNames[o], "reference: output copy"));
    }
  }
  return out;
}

}  // namespace fovea
