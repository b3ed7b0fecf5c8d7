#include "sema/data_index_bounds.h"

#include <fmt/format.h>

namespace fovea {
namespace {

/// Which ends of an expression's range are finite, and for one that is not, the read it comes
/// from (for the diagnostic's note).
struct Ends {
  bool lo = true, hi = true;
  const ir::Expr* source = nullptr;
  bool bounded() const { return lo && hi; }
};

bool narrow(ScalarType t) { return t == ScalarType::Bool || (isInteger(t) && bitsOf(t) <= 16); }

class RangeAnalysis {
 public:
  explicit RangeAnalysis(const ir::Pipeline& p) : p_(p), stageState_(p.stages.size(), 0), stageBounded_(p.stages.size(), false) {}

  Ends of(const ir::Expr& e) {
    auto both = [&](bool finite, const ir::Expr* source) { return Ends{finite, finite, finite ? nullptr : source}; };
    auto src = [](const Ends& a, const Ends& b) { return a.source ? a.source : b.source; };
    switch (e.kind) {
      case ir::ExprKind::Const:
      case ir::ExprKind::Var:
      case ir::ExprKind::RVar:
      case ir::ExprKind::Param:
      case ir::ExprKind::Extent: return {};
      case ir::ExprKind::Call: return both(narrow(e.type) || stageValueBounded(static_cast<size_t>(e.index)), &e);
      case ir::ExprKind::Cast:
      case ir::ExprKind::SatCast: {
        if (narrow(e.type)) return {};
        return of(*e.args[0]);
      }
      case ir::ExprKind::Unary: {
        if (e.unaryOp == ir::UnaryOp::Not) return {};
        Ends a = of(*e.args[0]);
        return {a.hi, a.lo, a.source};
      }
      case ir::ExprKind::Select: {
        Ends a = of(*e.args[1]), b = of(*e.args[2]);
        return {a.lo && b.lo, a.hi && b.hi, src(a, b)};
      }
      case ir::ExprKind::Binary: return binary(e.binaryOp, *e.args[0], *e.args[1], e.type);
      case ir::ExprKind::Intrinsic: return intrinsic(e);
    }
    return {};
  }

 private:
  Ends binary(ir::BinaryOp op, const ir::Expr& l, const ir::Expr& r, ScalarType type) {
    Ends a = of(l), b = of(r);
    const ir::Expr* source = a.source ? a.source : b.source;
    auto constant = [](const ir::Expr& e) { return e.kind == ir::ExprKind::Const; };
    auto sign = [](const ir::Expr& e) { return isFloat(e.type) ? (e.floatValue > 0) - (e.floatValue < 0) : (e.intValue > 0) - (e.intValue < 0); };
    switch (op) {
      case ir::BinaryOp::Add: return {a.lo && b.lo, a.hi && b.hi, source};
      case ir::BinaryOp::Sub: return {a.lo && b.hi, a.hi && b.lo, source};
      case ir::BinaryOp::Mul:
      case ir::BinaryOp::Div: {
        // By a constant: the ends scale (and swap for a negative one); by 0 (or / 0) nothing is left.
        if (constant(r)) {
          int s = sign(r);
          if (s == 0) return {};
          return s > 0 ? a : Ends{a.hi, a.lo, a.source};
        }
        if (op == ir::BinaryOp::Mul && constant(l)) {
          int s = sign(l);
          if (s == 0) return {};
          return s > 0 ? b : Ends{b.hi, b.lo, b.source};
        }
        // An integer quotient is no larger than its numerator; a float one can be any size.
        if (op == ir::BinaryOp::Div && !isFloat(type)) return {a.bounded(), a.bounded(), a.source};
        bool finite = a.bounded() && b.bounded();
        return {finite, finite, source};
      }
      case ir::BinaryOp::Mod: return {b.bounded(), b.bounded(), b.source};  // within the divisor's range
      case ir::BinaryOp::Min: return {a.lo && b.lo, a.hi || b.hi, source};
      case ir::BinaryOp::Max: return {a.lo || b.lo, a.hi && b.hi, source};
      default: return {};  // comparisons and logic: 0 or 1
    }
  }

  Ends intrinsic(const ir::Expr& e) {
    std::vector<Ends> a;
    for (const ir::ExprPtr& arg : e.args) a.push_back(of(*arg));
    const ir::Expr* source = nullptr;
    bool all = true;
    for (const Ends& x : a) {
      all = all && x.bounded();
      if (!source) source = x.source;
    }
    switch (e.intrinsic) {
      case ir::Intrinsic::Clamp: {
        // min(max(v, lo), hi)
        bool lo = (a[0].lo || a[1].lo) && a[2].lo, hi = (a[0].hi && a[1].hi) || a[2].hi;
        return {lo, hi, source};
      }
      case ir::Intrinsic::Abs: return {true, a[0].bounded(), a[0].source};
      case ir::Intrinsic::Floor:
      case ir::Intrinsic::Ceil:
      case ir::Intrinsic::Round: return a[0];
      case ir::Intrinsic::Sin:
      case ir::Intrinsic::Cos:
      case ir::Intrinsic::Atan2: return {};
      case ir::Intrinsic::Sqrt:
      case ir::Intrinsic::Exp: return {true, a[0].hi, a[0].source};
      default: return {all, all, source};
    }
  }

  /// A computed stage's values are bounded when its pure value is and no update changes them
  /// (Halide bounds a Func's values the same way); inputs and models by their type only.
  bool stageValueBounded(size_t k) {
    const ir::Stage& s = p_.stages[k];
    if (narrow(s.type)) return true;
    if (s.kind != ir::StageKind::Computed || !s.updates.empty() || !s.pure.value) return false;
    if (stageState_[k] == 1) return false;  // a cycle: not bounded by itself
    if (stageState_[k] == 2) return stageBounded_[k];
    stageState_[k] = 1;
    stageBounded_[k] = of(*s.pure.value).bounded();
    stageState_[k] = 2;
    return stageBounded_[k];
  }

  const ir::Pipeline& p_;
  std::vector<int> stageState_;  // 0 unseen, 1 in progress, 2 done
  std::vector<bool> stageBounded_;
};

}  // namespace

void checkDataIndexBounds(const ir::Pipeline& p, DiagnosticEngine& diags) {
  RangeAnalysis ranges(p);
  auto report = [&](const ir::Expr& index, const Ends& ends, const std::string& what) {
    Diagnostic& d = diags.error(index.loc, fmt::format("{} at an index computed from data with no {}: a stage is computed for every "
                                                       "index it is read or updated at, so their range must be known",
                                                       what, ends.lo ? "upper bound" : ends.hi ? "lower bound" : "bound"));
    if (ends.source && ends.source->kind == ir::ExprKind::Call) {
      const ir::Stage& from = p.stages[ends.source->index];
      d.note(ends.source->loc, fmt::format("the index comes from this read of '{}' ({} values{})", from.name, toString(from.type),
                                           from.kind == ir::StageKind::Computed && !narrow(from.type) ? ", not bounded by its definition" : ""));
    }
    d.note(index.loc, "clamp the index to the range it may take, e.g. clamp(index, 0, N - 1), or compute it in an 8- or 16-bit type");
  };
  for (size_t s = 0; s < p.stages.size(); ++s) {
    const ir::Stage& stage = p.stages[s];
    if (stage.kind != ir::StageKind::Computed) continue;
    // An update's value reads the stage itself where it writes (`h(i) += 1` is h(i) = h(i) + 1):
    // the written index is checked once, as the update's.
    auto reads = [&](const ir::ExprPtr& root, bool skipSelf) {
      ir::visit(root, [&](const ir::Expr& n) {
        if (n.kind != ir::ExprKind::Call || p.stages[n.index].kind != ir::StageKind::Computed) return true;
        if (skipSelf && static_cast<size_t>(n.index) == s) return true;
        for (const ir::ExprPtr& a : n.args) {
          Ends e = ranges.of(*a);
          if (!e.bounded()) {
            report(*a, e, fmt::format("'{}' is read", p.stages[n.index].name));
            return false;  // one error per read
          }
        }
        return true;
      });
    };
    if (stage.pure.value) reads(stage.pure.value, false);
    for (const ir::Definition& u : stage.updates) {
      if (u.value) reads(u.value, true);
      for (const ir::ExprPtr& a : u.lhs) {
        Ends e = ranges.of(*a);
        if (!e.bounded()) {
          report(*a, e, fmt::format("'{}' is updated", stage.name));
          break;
        }
        reads(a, false);
      }
    }
  }
}

}  // namespace fovea
