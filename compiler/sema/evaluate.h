#pragma once
/// Evaluates scalar IR expressions that depend only on constants, parameters and input extents:
/// output size rules, reduction bounds. Used where a pipeline is run (JIT) and in tests.
///
///     SizeContext ctx{{{1920, 1080, 3}}, {1.0}};
///     std::optional<int64_t> w = evaluateInteger(*output.size[0], ctx);

#include <cstdint>
#include <optional>
#include <vector>

#include "sema/ir.h"

namespace fovea {

struct SizeContext {
  std::vector<std::vector<int64_t>> inputExtents;  ///< per input, per dimension
  std::vector<double> params;                      ///< per param, its value
};

/// The value of a constant (ExprKind::Const) as a double: defaults, ranges, folded literals.
double constantValue(const ir::Expr& e);

/// Nothing when the expression reads a stage, a variable, or divides by zero.
std::optional<double> evaluateScalar(const ir::Expr& e, const SizeContext& context);
std::optional<int64_t> evaluateInteger(const ir::Expr& e, const SizeContext& context);

}  // namespace fovea
