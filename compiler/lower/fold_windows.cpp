// The fold pass (fold_windows.h): small window reductions become pure stencils.
#include "lower/fold_windows.h"

namespace fovea {
namespace {

bool isOwnPoint(const ir::Definition& d) {
  for (size_t i = 0; i < d.lhs.size(); ++i) {
    if (!d.lhs[i] || d.lhs[i]->kind != ir::ExprKind::Var || d.lhs[i]->index != static_cast<int>(i)) return false;
  }
  return true;
}

/// The domain's points, r.x innermost; nothing when it is not explicit, constant and small.
std::optional<std::vector<std::vector<int64_t>>> windowPoints(const ir::Definition& d) {
  if (!d.domain || d.domain->sourceInput >= 0) return std::nullopt;
  const ir::Domain& dom = *d.domain;
  std::vector<int64_t> mins, extents;
  int64_t total = 1;
  for (size_t i = 0; i < dom.extents.size(); ++i) {
    const ir::ExprPtr& m = dom.mins[i];
    const ir::ExprPtr& e = dom.extents[i];
    if (!m || !e || m->kind != ir::ExprKind::Const || e->kind != ir::ExprKind::Const || e->intValue < 1) return std::nullopt;
    mins.push_back(m->intValue);
    extents.push_back(e->intValue);
    total *= e->intValue;
    if (total > kMaxWindowPoints) return std::nullopt;
  }
  std::vector<std::vector<int64_t>> points;
  std::vector<int64_t> at(mins.size(), 0);
  for (int64_t n = 0; n < total; ++n) {
    std::vector<int64_t> point(mins.size());
    for (size_t i = 0; i < mins.size(); ++i) point[i] = mins[i] + at[i];
    points.push_back(std::move(point));
    for (size_t i = 0; i < at.size() && ++at[i] == extents[i]; ++i) at[i] = 0;  // the first dimension runs fastest
  }
  return points;
}

/// Whether `value` reads stage `self` anywhere but at its own point, or more than once (each
/// read would copy the value so far: the unrolled expression would grow exponentially).
bool readsSelfOtherwise(const ir::ExprPtr& value, int self) {
  int reads = 0;
  bool elsewhere = ir::any(value, [&](const ir::Expr& n) {
    if (n.kind != ir::ExprKind::Call || n.index != self) return false;
    ++reads;
    for (size_t i = 0; i < n.args.size(); ++i) {
      if (n.args[i]->kind != ir::ExprKind::Var || n.args[i]->index != static_cast<int>(i)) return true;
    }
    return false;
  });
  return elsewhere || reads > 1;
}

/// How many nodes an expression has.
int64_t nodeCount(const ir::ExprPtr& value) {
  int64_t n = 0;
  ir::any(value, [&](const ir::Expr&) {
    ++n;
    return false;
  });
  return n;
}

ir::ExprPtr constI32(int64_t v, SourceLoc loc) {
  auto c = std::make_shared<ir::Expr>();
  c->kind = ir::ExprKind::Const;
  c->type = ScalarType::I32;
  c->intValue = v;
  c->loc = loc;
  return c;
}

/// `v + a + b` and `v + a - b` (i32 index arithmetic, left to right) as `v + (a + b)`, so that a
/// folded read keeps the shape of a stencil offset.
ir::ExprPtr mergeOffsets(ir::ExprPtr n) {
  if (n->kind != ir::ExprKind::Binary || n->type != ScalarType::I32) return n;
  if (n->binaryOp != ir::BinaryOp::Add && n->binaryOp != ir::BinaryOp::Sub) return n;
  const ir::ExprPtr& l = n->args[0];
  const ir::ExprPtr& r = n->args[1];
  if (r->kind != ir::ExprKind::Const || l->kind != ir::ExprKind::Binary || l->binaryOp != ir::BinaryOp::Add) return n;
  const ir::ExprPtr& inner = l->args[1];
  if (inner->kind != ir::ExprKind::Const || l->args[0]->kind != ir::ExprKind::Var) return n;
  int64_t sum = inner->intValue + (n->binaryOp == ir::BinaryOp::Add ? r->intValue : -r->intValue);
  if (sum < INT32_MIN || sum > INT32_MAX) return n;
  auto out = std::make_shared<ir::Expr>(*l);
  out->args = {l->args[0], constI32(sum, r->loc)};
  return out;
}

}  // namespace

ir::Pipeline foldWindows(const ir::Pipeline& p) {
  ir::Pipeline out = p;
  for (size_t s = 0; s < out.stages.size(); ++s) {
    ir::Stage& stage = out.stages[s];
    if (stage.kind != ir::StageKind::Computed || stage.updates.empty()) continue;
    const int self = static_cast<int>(s);
    bool foldable = true;
    int64_t nodes = 0;
    for (const ir::Definition& u : stage.updates) {
      std::optional<std::vector<std::vector<int64_t>>> points = windowPoints(u);
      foldable = foldable && isOwnPoint(u) && points && !readsSelfOtherwise(u.value, self);
      if (points) nodes += static_cast<int64_t>(points->size()) * nodeCount(u.value);
    }
    // A large per-point expression (a bilateral weight) unrolled over the window makes one
    // expression of thousands of operations: it stays a reduction loop.
    if (nodes > kMaxFoldedNodes) foldable = false;
    if (!foldable) continue;
    ir::ExprPtr value = stage.pure.value;
    for (const ir::Definition& u : stage.updates) {
      std::vector<std::vector<int64_t>> points = *windowPoints(u);
      for (const std::vector<int64_t>& point : points) {
        value = ir::rewrite(u.value, [&](ir::ExprPtr n) -> ir::ExprPtr {
          if (n->kind == ir::ExprKind::RVar) return constI32(point[static_cast<size_t>(n->index)], n->loc);
          if (n->kind == ir::ExprKind::Call && n->index == self) return value;  // the value so far
          return mergeOffsets(n);
        });
      }
    }
    stage.pure.value = value;
    stage.updates.clear();
  }
  return out;
}

}  // namespace fovea
