#pragma once
/// Evaluates scalar IR expressions that depend only on constants, parameters and input extents:
/// output size rules, reduction bounds. The meaning is the runtime's (fovea/size_rule.hpp): the
/// expression is turned into the manifest's size-rule form and evaluated there, so the compiler
/// and a compiled library agree on every size.
///
///     SizeContext ctx{{{1920, 1080, 3}}, {1.0}};
///     std::optional<int64_t> w = evaluateInteger(*output.size[0], ctx);

#include <cstdint>
#include <optional>
#include <vector>

#include "fovea/json.h"
#include "sema/ir.h"

namespace fovea {

struct SizeContext {
  std::vector<std::vector<int64_t>> inputExtents;  ///< per input, per dimension
  std::vector<double> params;                      ///< per param, its value
};

/// The value of a constant (ExprKind::Const) as a double: defaults, ranges, folded literals.
double constantValue(const ir::Expr& e);

/// The expression as a size-rule tree (the manifest's form); reads of stages, variables and
/// intrinsics become {"unsupported": true} nodes, which do not evaluate.
json::Value sizeRuleJson(const ir::Expr& e);

/// Nothing when the expression reads a stage, a variable, or divides by zero.
std::optional<double> evaluateScalar(const ir::Expr& e, const SizeContext& context);
std::optional<int64_t> evaluateInteger(const ir::Expr& e, const SizeContext& context);

}  // namespace fovea
