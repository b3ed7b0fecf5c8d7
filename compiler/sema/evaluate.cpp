#include "sema/evaluate.h"

#include <cmath>

#include "fovea/runtime.hpp"
#include "fovea/size_rule.hpp"

namespace fovea {

double constantValue(const ir::Expr& e) { return isFloat(e.type) ? e.floatValue : static_cast<double>(e.intValue); }

json::Value sizeRuleJson(const ir::Expr& e) {
  auto args = [&]() {
    json::Value a = json::Value::array();
    for (const ir::ExprPtr& x : e.args) a.push(sizeRuleJson(*x));
    return a;
  };
  json::Value out = json::Value::object();
  switch (e.kind) {
    case ir::ExprKind::Const: out.set("const", isFloat(e.type) ? json::Value(e.floatValue) : json::Value(static_cast<int64_t>(e.intValue))); break;
    case ir::ExprKind::Param: out.set("param", e.index); break;
    case ir::ExprKind::Extent: out.set("extent", json::Value::array({e.index, e.dim})); break;
    case ir::ExprKind::Cast:
      out.set("op", "cast");
      out.set("type", toString(e.type));
      out.set("args", args());
      break;
    case ir::ExprKind::SatCast:
      out.set("op", "sat_cast");
      out.set("type", toString(e.type));
      out.set("args", args());
      break;
    case ir::ExprKind::Unary:
      out.set("op", e.unaryOp == ir::UnaryOp::Neg ? "neg" : "!");
      out.set("args", args());
      break;
    case ir::ExprKind::Binary:
      out.set("op", ir::toString(e.binaryOp));
      out.set("args", args());
      break;
    case ir::ExprKind::Select:
      out.set("op", "select");
      out.set("args", args());
      break;
    case ir::ExprKind::Var:
    case ir::ExprKind::RVar:
    case ir::ExprKind::Call:
    case ir::ExprKind::Intrinsic: out.set("unsupported", true); break;
  }
  out.set("type", toString(e.type));
  return out;
}

std::optional<double> evaluateScalar(const ir::Expr& e, const SizeContext& context) {
  try {
    return evaluateSizeRule(sizeRuleJson(e), context.params, context.inputExtents);
  } catch (const Error&) {  // a stage read, a variable, a value no integer holds
    return std::nullopt;
  }
}

std::optional<int64_t> evaluateInteger(const ir::Expr& e, const SizeContext& context) {
  auto v = evaluateScalar(e, context);
  if (!v || !std::isfinite(*v) || *v >= 9.2e18 || *v <= -9.2e18) return std::nullopt;
  return static_cast<int64_t>(*v);
}

}  // namespace fovea
