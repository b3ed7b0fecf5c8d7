// Scalar types, promotion and constant folding.
#include <gtest/gtest.h>

#include "sema/expr_builder.h"
#include "sema/types.h"

namespace fovea {
namespace {

TEST(Types, PromotionFollowsHalide) {
  using T = ScalarType;
  EXPECT_EQ(promote(T::U8, T::U8), T::U8);
  EXPECT_EQ(promote(T::U8, T::U16), T::U16);
  EXPECT_EQ(promote(T::I8, T::I32), T::I32);
  EXPECT_EQ(promote(T::U8, T::I8), T::I8);    // mixed signedness: signed, widest width
  EXPECT_EQ(promote(T::U16, T::I8), T::I16);
  EXPECT_EQ(promote(T::U32, T::I32), T::I32);
  EXPECT_EQ(promote(T::U8, T::F32), T::F32);
  EXPECT_EQ(promote(T::I32, T::F64), T::F64);
  EXPECT_EQ(promote(T::F32, T::F64), T::F64);
}

TEST(Types, Ranges) {
  EXPECT_TRUE(fitsIn(255, ScalarType::U8));
  EXPECT_FALSE(fitsIn(256, ScalarType::U8));
  EXPECT_FALSE(fitsIn(-1, ScalarType::U32));
  EXPECT_TRUE(fitsIn(-128, ScalarType::I8));
  EXPECT_EQ(maxOf(ScalarType::U32), 4294967295);
  EXPECT_EQ(parseSaturatingCast("u8_sat"), ScalarType::U8);
  EXPECT_EQ(parseSaturatingCast("f32_sat"), std::nullopt);
}

struct Folding : ::testing::Test {
  std::vector<std::string> errors;
  ExprBuilder b{[this](SourceLoc, const std::string& m) { errors.push_back(m); }};
  ir::ExprPtr lit(int64_t v) { return b.intLiteral(v, {}); }
};

TEST_F(Folding, IntegerDivisionIsEuclideanLikeHalide) {
  EXPECT_EQ(b.binary(ir::BinaryOp::Div, lit(-7), lit(2), {})->intValue, -4);
  EXPECT_EQ(b.binary(ir::BinaryOp::Mod, lit(-7), lit(2), {})->intValue, 1);
  // Positive divisors round toward negative infinity; the remainder is never negative.
  EXPECT_EQ(b.binary(ir::BinaryOp::Div, lit(7), lit(-2), {})->intValue, -3);
  EXPECT_EQ(b.binary(ir::BinaryOp::Mod, lit(7), lit(-2), {})->intValue, 1);
  EXPECT_EQ(b.binary(ir::BinaryOp::Div, lit(-7), lit(-2), {})->intValue, 4);
  EXPECT_EQ(b.binary(ir::BinaryOp::Mod, lit(-7), lit(-2), {})->intValue, 1);
  EXPECT_EQ(b.binary(ir::BinaryOp::Div, lit(1), lit(0), {}), nullptr);
  EXPECT_EQ(errors.size(), 1u);
}

TEST_F(Folding, LiteralsTakeTheOtherOperandsTypeAndMustFit) {
  ir::ExprPtr u8 = b.typedConst(ScalarType::U8, 200, 0, {});
  ir::ExprPtr sum = b.binary(ir::BinaryOp::Add, u8, lit(100), {});
  ASSERT_TRUE(sum);
  EXPECT_EQ(sum->type, ScalarType::U8);
  EXPECT_EQ(sum->intValue, 44);  // wraps like u8 arithmetic
  EXPECT_EQ(b.binary(ir::BinaryOp::Add, u8, lit(300), {}), nullptr);
  EXPECT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("does not fit in u8"), std::string::npos);
}

TEST_F(Folding, SaturatingCastRoundsHalfToEvenThenClamps) {
  auto sat = [&](double v) { return b.saturatingCast(ScalarType::U8, b.typedConst(ScalarType::F32, 0, v, {}), {})->intValue; };
  EXPECT_EQ(sat(2.5), 2);
  EXPECT_EQ(sat(3.5), 4);
  EXPECT_EQ(sat(-3.0), 0);
  EXPECT_EQ(sat(300.0), 255);
  auto wrap = b.cast(ScalarType::U8, b.typedConst(ScalarType::I32, 300, 0, {}), {});
  EXPECT_EQ(wrap->intValue, 44);
  auto trunc = b.cast(ScalarType::I32, b.typedConst(ScalarType::F32, 0, -2.7, {}), {});
  EXPECT_EQ(trunc->intValue, -2);
}

TEST(Types, ImplicitConversionNeverNarrows) {
  using T = ScalarType;
  EXPECT_TRUE(implicitlyConvertible(T::U8, T::U16));
  EXPECT_TRUE(implicitlyConvertible(T::U8, T::I16));
  EXPECT_TRUE(implicitlyConvertible(T::I16, T::F32));
  EXPECT_TRUE(implicitlyConvertible(T::F32, T::F64));
  EXPECT_FALSE(implicitlyConvertible(T::U8, T::I8));
  EXPECT_FALSE(implicitlyConvertible(T::U32, T::I32));
  EXPECT_FALSE(implicitlyConvertible(T::I8, T::U16));
  EXPECT_FALSE(implicitlyConvertible(T::F64, T::F32));
  EXPECT_FALSE(implicitlyConvertible(T::F32, T::I32));
  EXPECT_FALSE(implicitlyConvertible(T::Bool, T::U8));
  EXPECT_FALSE(implicitlyConvertible(T::U8, T::Bool));
}

TEST_F(Folding, AbsOfSignedIsUnsigned) {
  auto param = std::make_shared<ir::Expr>();
  param->kind = ir::ExprKind::Param;
  param->type = ScalarType::I8;
  ir::ExprPtr var = param;
  ir::ExprPtr a = b.intrinsic(ir::Intrinsic::Abs, {var}, {}, "abs");
  EXPECT_EQ(a->type, ScalarType::U8);
}

}  // namespace
}  // namespace fovea
