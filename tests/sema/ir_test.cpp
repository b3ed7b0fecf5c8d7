// The checked IR of small programs: instantiation, `...`, updates, defaults, output sizes.
#include <gtest/gtest.h>

#include "testing/check_source.h"

namespace fovea::test {
namespace {

std::string irOf(const std::string& text) {
  CheckResult r = checkSource(text);
  EXPECT_EQ(r.errors, 0u) << r.text();
  std::string out;
  for (const ir::Pipeline& p : r.program.pipelines) out += ir::dump(p);
  return out;
}

TEST(Ir, FunctionsAreInstantiatedPerCallWithEllipsisDims) {
  std::string ir = irOf(
      "fn twice(in) { t(x, ...) = in(x, ...) * 2; return t; }\n"
      "pipeline p(input: u8[x, y, c]) -> u8[x, y, c] {\n"
      "  a = twice(input);\n  b = twice(a);\n  return b;\n}\n");
  EXPECT_EQ(ir,
            "pipeline p\n"
            "  input input: u8[x, y, c]\n"
            "  stage twice.t: u8[x, y, c] = (input(x, y, c) * 2:u8)\n"
            "  stage twice.t_2: u8[x, y, c] = (twice.t(x, y, c) * 2:u8)\n"
            "  output p: u8[x, y, c] size (input.extent(0), input.extent(1), input.extent(2)) = twice.t_2\n");
}

TEST(Ir, UpdatesExpandTheirOperator) {
  std::string ir = irOf(
      "pipeline m(input: f32[x, y]) -> f32[i] size (1) {\n"
      "  s(i) = 0.0;\n  s(0) max= input(r.x, r.y) over r in input;\n  return s;\n}\n");
  EXPECT_NE(ir.find("update s(0:i32) = max(s(0:i32), input(r.x, r.y)) over r in"), std::string::npos) << ir;
}

TEST(Ir, LiteralTypingAndPromotion) {
  std::string ir = irOf(
      "pipeline t(a: u8[x], k: i16 = -3 in [-10, 10]) -> i16[x] {\n"
      "  f(x) = a(x) + k;\n  return f;\n}\n");
  EXPECT_NE(ir.find("param k: i16 = -3:i16 in [-10:i16, 10:i16]"), std::string::npos) << ir;
  EXPECT_NE(ir.find("stage f: i16[x] = (i16(a(x)) + k)"), std::string::npos) << ir;
}

TEST(Ir, ForwardReferencesResolve) {
  std::string ir = irOf(
      "pipeline t(a: u8[x]) -> u8[x] {\n  return g;\n  g(x) = f(x) + 1;\n  f(x) = a(x);\n}\n");
  EXPECT_NE(ir.find("stage g: u8[x] = (f(x) + 1:u8)"), std::string::npos) << ir;
}

TEST(Ir, MultipleOutputsKeepTheirSizeRules) {
  std::string ir = irOf(
      "pipeline h(input: u8[x, y, c]) -> (small: u8[x, y, c] size (input.width / 2, input.height / 2, input.channels),\n"
      "                                  mean: f32[c] size (input.channels)) {\n"
      "  src = boundary(input, edge);\n"
      "  s(x, y, c) = src(2 * x, 2 * y, c);\n"
      "  m(c) = 0.0;\n  m(c) += f32(input(r.x, r.y, c)) over r in [0 .. input.width, 0 .. input.height];\n"
      "  return (s, m);\n}\n");
  EXPECT_NE(ir.find("output small: u8[x, y, c] size ((input.extent(0) / 2:i32), (input.extent(1) / 2:i32), input.extent(2)) = s"),
            std::string::npos)
      << ir;
  EXPECT_NE(ir.find("output mean: f32[c] size (input.extent(2)) = m"), std::string::npos) << ir;
}

}  // namespace
}  // namespace fovea::test

namespace fovea::test {
namespace {

TEST(Ir, NotCastsAndLiterals) {
  std::string ir = irOf(
      "pipeline t(a: u8[x]) -> u8[x] {\n"
      "  f(x) = u8(!(a(x) > 3)) + u8(u32(4000000000) > u32(0)) + u8(f64(0.1) == 0.1) + u8(i32(16777217.0) == 16777217);\n"
      "  return f;\n}\n");
  EXPECT_NE(ir.find("u8(!(a(x) > 3:u8))"), std::string::npos) << ir;
  // Casts of literals keep their exact value (a literal meeting f64 is an f64): all three fold to 1.
  EXPECT_NE(ir.find("+ 1:u8) + 1:u8) + 1:u8)"), std::string::npos) << ir;
}

}  // namespace
}  // namespace fovea::test
