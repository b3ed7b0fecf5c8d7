#pragma once
/// Fovea's scalar types and the arithmetic promotion rules (docs/language.md, "Types").

#include <cstdint>
#include <optional>
#include <string_view>

namespace fovea {

enum class ScalarType { Bool, U8, U16, U32, I8, I16, I32, F32, F64 };

const char* toString(ScalarType t);
/// "u8" -> U8; nothing for names that are not types.
std::optional<ScalarType> parseScalarType(std::string_view name);
/// "u8_sat" -> U8 (saturating casts exist for the integer types only).
std::optional<ScalarType> parseSaturatingCast(std::string_view name);

int bitsOf(ScalarType t);
bool isFloat(ScalarType t);
bool isInteger(ScalarType t);  ///< signed or unsigned integer (not bool)
bool isSigned(ScalarType t);   ///< signed integers and floats
/// The unsigned integer type of the same width (abs of a signed integer).
ScalarType unsignedOf(ScalarType t);
/// Does the integer `value` fit in the integer type `t`?
bool fitsIn(int64_t value, ScalarType t);
/// The smallest and largest values of an integer type.
int64_t minOf(ScalarType t);
int64_t maxOf(ScalarType t);

/// The type both operands of a binary arithmetic operator are converted to (Halide's rules):
/// equal types stay; a float meets a non-float: the float type; two floats: the wider; two integers
/// of the same signedness: the wider; mixed signedness: a signed integer as wide as the wider one.
/// Integer literals are handled by the caller (they take the other operand's type).
ScalarType promote(ScalarType a, ScalarType b);

/// Whether a value of type `from` may be stored in `to` without an explicit cast (an update's value
/// into its stage): the same type; an integer into a float, or a float into a wider float; an
/// integer into an integer of the same signedness at least as wide, or an unsigned integer into a
/// strictly wider signed one. Nothing converts to or from bool implicitly.
bool implicitlyConvertible(ScalarType from, ScalarType to);

}  // namespace fovea
