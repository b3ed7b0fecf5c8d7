#pragma once
/// Output size rules: the expressions a manifest gives for each output dimension (`size
/// (input.width / 2, ...)` in a script), as trees of {"const"}, {"param": i}, {"extent": [input,
/// dim]} and {"op", "type", "args"} nodes. This is the one evaluator of their meaning; the compiler
/// (when it runs a script) and the runtime (when it runs a library) both call it, so a script and
/// its compiled library always agree on an output's size.
///
///     double w = fovea::evaluateSizeRule(rule, {0.5}, {{1920, 1080, 3}});   // 960
///
/// Arithmetic is that of the node's type, as in the pipeline itself: integers wrap modulo 2^bits,
/// divide and take remainders Euclidean (x / 0 is 0); f32 rounds every result to f32; a cast to an
/// integer truncates toward zero and wraps; a saturating cast rounds half to even and clamps.

#include <cstdint>
#include <vector>

#include "fovea/json.h"

namespace fovea {

/// The value of `rule` for these parameter values (declaration order) and input extents (per
/// input, per dimension). Throws fovea::Error for a malformed rule, a parameter or extent the
/// pipeline does not have, and a cast of a value no integer holds (NaN, infinity, beyond 2^63).
double evaluateSizeRule(const json::Value& rule, const std::vector<double>& params, const std::vector<std::vector<int64_t>>& inputExtents);

}  // namespace fovea
