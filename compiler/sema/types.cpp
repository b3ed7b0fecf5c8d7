#include "sema/types.h"

#include <algorithm>
#include <string>

namespace fovea {

const char* toString(ScalarType t) {
  switch (t) {
    case ScalarType::Bool: return "bool";
    case ScalarType::U8: return "u8";
    case ScalarType::U16: return "u16";
    case ScalarType::U32: return "u32";
    case ScalarType::I8: return "i8";
    case ScalarType::I16: return "i16";
    case ScalarType::I32: return "i32";
    case ScalarType::F32: return "f32";
    case ScalarType::F64: return "f64";
  }
  return "?";
}

std::optional<ScalarType> parseScalarType(std::string_view name) {
  for (ScalarType t : {ScalarType::Bool, ScalarType::U8, ScalarType::U16, ScalarType::U32, ScalarType::I8, ScalarType::I16,
                       ScalarType::I32, ScalarType::F32, ScalarType::F64}) {
    if (name == toString(t)) return t;
  }
  return std::nullopt;
}

std::optional<ScalarType> parseSaturatingCast(std::string_view name) {
  constexpr std::string_view suffix = "_sat";
  if (name.size() <= suffix.size() || name.substr(name.size() - suffix.size()) != suffix) return std::nullopt;
  auto t = parseScalarType(name.substr(0, name.size() - suffix.size()));
  if (!t || !isInteger(*t)) return std::nullopt;
  return t;
}

int bitsOf(ScalarType t) {
  switch (t) {
    case ScalarType::Bool: return 1;
    case ScalarType::U8:
    case ScalarType::I8: return 8;
    case ScalarType::U16:
    case ScalarType::I16: return 16;
    case ScalarType::U32:
    case ScalarType::I32:
    case ScalarType::F32: return 32;
    case ScalarType::F64: return 64;
  }
  return 0;
}

bool isFloat(ScalarType t) { return t == ScalarType::F32 || t == ScalarType::F64; }
bool isInteger(ScalarType t) { return t != ScalarType::Bool && !isFloat(t); }
bool isSigned(ScalarType t) {
  return t == ScalarType::I8 || t == ScalarType::I16 || t == ScalarType::I32 || isFloat(t);
}

ScalarType unsignedOf(ScalarType t) {
  switch (t) {
    case ScalarType::I8: return ScalarType::U8;
    case ScalarType::I16: return ScalarType::U16;
    case ScalarType::I32: return ScalarType::U32;
    default: return t;
  }
}

int64_t minOf(ScalarType t) {
  if (!isSigned(t) || isFloat(t)) return isFloat(t) ? INT64_MIN : 0;
  return -(int64_t{1} << (bitsOf(t) - 1));
}

int64_t maxOf(ScalarType t) {
  if (t == ScalarType::Bool) return 1;
  if (isFloat(t)) return INT64_MAX;
  int bits = bitsOf(t) - (isSigned(t) ? 1 : 0);
  return (int64_t{1} << bits) - 1;
}

bool fitsIn(int64_t value, ScalarType t) { return value >= minOf(t) && value <= maxOf(t); }

bool implicitlyConvertible(ScalarType from, ScalarType to) {
  if (from == to) return true;
  if (from == ScalarType::Bool || to == ScalarType::Bool) return false;
  if (isFloat(to)) return !isFloat(from) || bitsOf(from) <= bitsOf(to);
  if (isFloat(from)) return false;
  if (isSigned(from) == isSigned(to)) return bitsOf(from) <= bitsOf(to);
  return !isSigned(from) && bitsOf(from) < bitsOf(to);
}

ScalarType promote(ScalarType a, ScalarType b) {
  if (a == b) return a;
  if (isFloat(a) || isFloat(b)) {
    if (isFloat(a) && isFloat(b)) return bitsOf(a) >= bitsOf(b) ? a : b;
    return isFloat(a) ? a : b;
  }
  if (a == ScalarType::Bool) return b;
  if (b == ScalarType::Bool) return a;
  int bits = std::max(bitsOf(a), bitsOf(b));
  bool sign = isSigned(a) || isSigned(b);
  if (isSigned(a) == isSigned(b)) return bitsOf(a) >= bitsOf(b) ? a : b;
  switch (bits) {
    case 8: return sign ? ScalarType::I8 : ScalarType::U8;
    case 16: return sign ? ScalarType::I16 : ScalarType::U16;
    default: return sign ? ScalarType::I32 : ScalarType::U32;
  }
}

}  // namespace fovea
