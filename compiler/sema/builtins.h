#pragma once
/// The names the language predefines: math builtins, casts, boundary conditions.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sema/ir.h"

namespace fovea {

struct BuiltinFunction {
  std::string_view name;
  size_t arity;
  enum class Kind { Intrinsic, Min, Max, Select } kind;
  ir::Intrinsic intrinsic;
};

/// min, max, clamp, abs, sqrt, ... ; nothing for other names.
const BuiltinFunction* findBuiltin(std::string_view name);
std::optional<ir::BoundaryKind> parseBoundaryKind(std::string_view name);
/// The one test of whether a name is a builtin function: a math builtin, a cast (`u8`, `u8_sat`),
/// or (unless `callsOnly`: the ones evaluated as expressions) `boundary`. Nothing may redefine them.
bool isBuiltinFunction(std::string_view name, bool callsOnly = false);
/// The builtins of compile-time values: choose(c, a, b), type_of(v), sat(T, v), is_float(v), is_stage(v), dims_of(s).
bool isCompileTimeBuiltin(std::string_view name);
/// Every predefined function name (for "did you mean" suggestions): isBuiltinFunction's names.
const std::vector<std::string>& builtinNames();

}  // namespace fovea
