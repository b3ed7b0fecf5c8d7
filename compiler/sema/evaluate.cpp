#include "sema/evaluate.h"

#include <cmath>

#include "sema/expr_builder.h"

namespace fovea {
namespace {

std::optional<double> integerResult(double v, ScalarType t) {
  if (isFloat(t)) return t == ScalarType::F32 ? static_cast<double>(static_cast<float>(v)) : v;
  if (!std::isfinite(v)) return std::nullopt;
  return static_cast<double>(wrapInteger(static_cast<int64_t>(v), t));
}

}  // namespace

double constantValue(const ir::Expr& e) { return isFloat(e.type) ? e.floatValue : static_cast<double>(e.intValue); }

std::optional<double> evaluateScalar(const ir::Expr& e, const SizeContext& c) {
  auto arg = [&](size_t i) { return evaluateScalar(*e.args[i], c); };
  switch (e.kind) {
    case ir::ExprKind::Const: return constantValue(e);
    case ir::ExprKind::Param:
      if (e.index < 0 || static_cast<size_t>(e.index) >= c.params.size()) return std::nullopt;
      return c.params[e.index];
    case ir::ExprKind::Extent:
      if (e.index < 0 || static_cast<size_t>(e.index) >= c.inputExtents.size()) return std::nullopt;
      if (e.dim < 0 || static_cast<size_t>(e.dim) >= c.inputExtents[e.index].size()) return std::nullopt;
      return static_cast<double>(c.inputExtents[e.index][e.dim]);
    case ir::ExprKind::Var:
    case ir::ExprKind::RVar:
    case ir::ExprKind::Call:
    case ir::ExprKind::Intrinsic: return std::nullopt;
    case ir::ExprKind::Cast: {
      auto v = arg(0);
      if (!v) return std::nullopt;
      return isFloat(e.type) ? integerResult(*v, e.type) : integerResult(std::trunc(*v), e.type);
    }
    case ir::ExprKind::SatCast: {
      auto v = arg(0);
      if (!v) return std::nullopt;
      double r = std::nearbyint(*v);
      return std::min(std::max(r, static_cast<double>(minOf(e.type))), static_cast<double>(maxOf(e.type)));
    }
    case ir::ExprKind::Unary: {
      auto v = arg(0);
      if (!v) return std::nullopt;
      return e.unaryOp == ir::UnaryOp::Neg ? integerResult(-*v, e.type) : (*v == 0 ? 1.0 : 0.0);
    }
    case ir::ExprKind::Select: {
      auto cond = arg(0);
      if (!cond) return std::nullopt;
      return *cond != 0 ? arg(1) : arg(2);
    }
    case ir::ExprKind::Binary: {
      auto a = arg(0), b = arg(1);
      if (!a || !b) return std::nullopt;
      ScalarType t = e.args[0]->type;
      bool integer = !isFloat(t);
      switch (e.binaryOp) {
        case ir::BinaryOp::Add: return integerResult(*a + *b, e.type);
        case ir::BinaryOp::Sub: return integerResult(*a - *b, e.type);
        case ir::BinaryOp::Mul: return integerResult(*a * *b, e.type);
        case ir::BinaryOp::Div:
          if (!integer) return *a / *b;
          if (*b == 0) return 0.0;  // Halide's integer division by zero
          {
            // Euclidean, like Halide.
            double r = std::fmod(*a, *b);
            if (r < 0) r += std::fabs(*b);
            return integerResult((*a - r) / *b, e.type);
          }
        case ir::BinaryOp::Mod:
          if (!integer) return *a - *b * std::floor(*a / *b);
          if (*b == 0) return 0.0;
          {
            double r = std::fmod(*a, *b);
            if (r < 0) r += std::fabs(*b);
            return r;
          }
        case ir::BinaryOp::Min: return std::min(*a, *b);
        case ir::BinaryOp::Max: return std::max(*a, *b);
        case ir::BinaryOp::Lt: return *a < *b ? 1.0 : 0.0;
        case ir::BinaryOp::Le: return *a <= *b ? 1.0 : 0.0;
        case ir::BinaryOp::Gt: return *a > *b ? 1.0 : 0.0;
        case ir::BinaryOp::Ge: return *a >= *b ? 1.0 : 0.0;
        case ir::BinaryOp::Eq: return *a == *b ? 1.0 : 0.0;
        case ir::BinaryOp::Ne: return *a != *b ? 1.0 : 0.0;
        case ir::BinaryOp::And: return (*a != 0 && *b != 0) ? 1.0 : 0.0;
        case ir::BinaryOp::Or: return (*a != 0 || *b != 0) ? 1.0 : 0.0;
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<int64_t> evaluateInteger(const ir::Expr& e, const SizeContext& context) {
  auto v = evaluateScalar(e, context);
  if (!v || !std::isfinite(*v)) return std::nullopt;
  return static_cast<int64_t>(*v);
}

}  // namespace fovea
