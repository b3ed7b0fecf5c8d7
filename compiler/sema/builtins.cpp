#include "sema/builtins.h"

#include "sema/types.h"

namespace fovea {
namespace {

using K = BuiltinFunction::Kind;
using I = ir::Intrinsic;

const BuiltinFunction kBuiltins[] = {
    {"min", 2, K::Min, I::Abs},           {"max", 2, K::Max, I::Abs},
    {"select", 3, K::Select, I::Abs},     {"clamp", 3, K::Intrinsic, I::Clamp},
    {"abs", 1, K::Intrinsic, I::Abs},     {"sqrt", 1, K::Intrinsic, I::Sqrt},
    {"exp", 1, K::Intrinsic, I::Exp},     {"log", 1, K::Intrinsic, I::Log},
    {"pow", 2, K::Intrinsic, I::Pow},     {"sin", 1, K::Intrinsic, I::Sin},
    {"cos", 1, K::Intrinsic, I::Cos},     {"tan", 1, K::Intrinsic, I::Tan},
    {"atan2", 2, K::Intrinsic, I::Atan2}, {"floor", 1, K::Intrinsic, I::Floor},
    {"ceil", 1, K::Intrinsic, I::Ceil},   {"round", 1, K::Intrinsic, I::Round},
    {"lerp", 3, K::Intrinsic, I::Lerp},
};

}  // namespace

const BuiltinFunction* findBuiltin(std::string_view name) {
  for (const BuiltinFunction& b : kBuiltins) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

std::optional<ir::BoundaryKind> parseBoundaryKind(std::string_view name) {
  if (name == "edge") return ir::BoundaryKind::Edge;
  if (name == "reflect") return ir::BoundaryKind::Reflect;
  if (name == "reflect101") return ir::BoundaryKind::Reflect101;
  if (name == "wrap") return ir::BoundaryKind::Wrap;
  if (name == "constant") return ir::BoundaryKind::Constant;
  return std::nullopt;
}

bool isCompileTimeBuiltin(std::string_view name) { return name == "choose" || name == "type_of" || name == "sat" || name == "is_float" || name == "is_stage" || name == "dims_of"; }

bool isBuiltinFunction(std::string_view name, bool callsOnly) {
  return findBuiltin(name) || parseScalarType(name) || parseSaturatingCast(name) ||
         (!callsOnly && (name == "boundary" || isCompileTimeBuiltin(name)));
}

const std::vector<std::string>& builtinNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const BuiltinFunction& b : kBuiltins) out.emplace_back(b.name);
    out.emplace_back("boundary");
    for (const char* c : {"choose", "type_of", "sat", "is_float", "is_stage", "dims_of"}) out.emplace_back(c);
    for (const char* t : {"bool", "u8", "u16", "u32", "i8", "i16", "i32", "f32", "f64"}) out.emplace_back(t);
    for (const char* t : {"u8", "u16", "u32", "i8", "i16", "i32"}) out.push_back(std::string(t) + "_sat");
    return out;
  }();
  return names;
}

const char* ir::toString(BoundaryKind k) {
  switch (k) {
    case BoundaryKind::Edge: return "edge";
    case BoundaryKind::Reflect: return "reflect";
    case BoundaryKind::Reflect101: return "reflect101";
    case BoundaryKind::Wrap: return "wrap";
    case BoundaryKind::Constant: return "constant";
  }
  return "?";
}

}  // namespace fovea
