// Size rules have one meaning: the pipeline's. Every operator the size-rule evaluator (the
// runtime's, fovea/size_rule.hpp, used by the JIT too) knows is evaluated on a grid of operands of
// every type, and compared with what Halide computes for the same operation on the same values in
// compiled code (how the pipeline itself computes). A few documented cases are also pinned down.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include <Halide.h>

#include "fovea/runtime.hpp"
#include "fovea/size_rule.hpp"

namespace fovea::test {
namespace {

using fovea::json::Value;

struct TypeInfo {
  const char* name;
  Halide::Type type;
};

const TypeInfo kTypes[] = {{"u8", Halide::UInt(8)},   {"u16", Halide::UInt(16)}, {"u32", Halide::UInt(32)}, {"i8", Halide::Int(8)},
                           {"i16", Halide::Int(16)},  {"i32", Halide::Int(32)},  {"f32", Halide::Float(32)}, {"f64", Halide::Float(64)}};

/// The range of an integer type.
double lowest(const Halide::Type& t) { return t.is_uint() ? 0.0 : -std::pow(2.0, t.bits() - 1); }
double highest(const Halide::Type& t) { return t.is_uint() ? std::pow(2.0, t.bits()) - 1 : std::pow(2.0, t.bits() - 1) - 1; }

/// Operands: every value here that the type holds.
std::vector<double> operands(const Halide::Type& t) {
  const double all[] = {0, 1, -1, 2, -2, 3, 7, -7, 100, -100, 127, -128, 200, 255, 256, 3000, -3000, 32767, -32768, 40000, 65535, 65536,
                        1e6, -1e6, 2147483647.0, -2147483648.0, 4294967295.0, 0.5, -0.5, 2.5, -3.75, 1e-3};
  std::vector<double> out;
  for (double v : all) {
    if (t.is_float()) {
      out.push_back(t.bits() == 32 ? static_cast<double>(static_cast<float>(v)) : v);
    } else if (v == std::floor(v) && v >= lowest(t) && v <= highest(t)) {
      out.push_back(v);
    }
  }
  return out;
}

Value constant(double v, const char* type) { return Value::object({{"const", v}, {"type", type}}); }
Value node(const std::string& op, const char* type, std::vector<Value> args) {
  return Value::object({{"op", op}, {"type", type}, {"args", Value::array(std::move(args))}});
}

double evaluate(const Value& rule) { return fovea::evaluateSizeRule(rule, {}, {}); }

/// The values of `e` (an expression over A(i) and B(i)) computed by Halide, as doubles.
std::vector<double> halideValues(const Halide::Expr& e, const Halide::Buffer<>& a, const Halide::Buffer<>& b, Halide::ImageParam& pa,
                                 Halide::ImageParam& pb, int n) {
  Halide::Var i("i");
  Halide::Func f("f");
  f(i) = Halide::cast(Halide::Float(64), e);
  pa.set(a);
  pb.set(b);
  Halide::Buffer<double> out = f.realize({n});
  std::vector<double> v(static_cast<size_t>(n));
  for (int k = 0; k < n; ++k) v[static_cast<size_t>(k)] = out(k);
  return v;
}

Halide::Buffer<> column(const Halide::Type& t, const std::vector<double>& values) {
  Halide::Buffer<> b(t, static_cast<int>(values.size()));
  for (size_t k = 0; k < values.size(); ++k) {
    void* p = static_cast<uint8_t*>(b.data()) + k * t.bytes();
    double v = values[k];  // every value is one the type holds
    if (t == Halide::UInt(8)) *static_cast<uint8_t*>(p) = static_cast<uint8_t>(v);
    else if (t == Halide::UInt(16)) *static_cast<uint16_t*>(p) = static_cast<uint16_t>(v);
    else if (t == Halide::UInt(32)) *static_cast<uint32_t*>(p) = static_cast<uint32_t>(v);
    else if (t == Halide::Int(8)) *static_cast<int8_t*>(p) = static_cast<int8_t>(v);
    else if (t == Halide::Int(16)) *static_cast<int16_t*>(p) = static_cast<int16_t>(v);
    else if (t == Halide::Int(32)) *static_cast<int32_t*>(p) = static_cast<int32_t>(v);
    else if (t == Halide::Float(32)) *static_cast<float*>(p) = static_cast<float>(v);
    else *static_cast<double*>(p) = v;
  }
  return b;
}

TEST(SizeRules, EveryBinaryOperatorMatchesHalide) {
  const char* ops[] = {"+", "-", "*", "/", "%", "min", "max", "<", "<=", ">", ">=", "==", "!="};
  for (const TypeInfo& t : kTypes) {
    std::vector<double> vals = operands(t.type);
    std::vector<double> as, bs;
    for (double x : vals) {
      for (double y : vals) {
        as.push_back(x);
        bs.push_back(y);
      }
    }
    Halide::ImageParam pa(t.type, 1, "a"), pb(t.type, 1, "b");
    Halide::Buffer<> a = column(t.type, as), b = column(t.type, bs);
    Halide::Var i("i");
    Halide::Expr x = pa(i), y = pb(i);
    for (const std::string op : ops) {
      Halide::Expr e = op == "+" ? x + y : op == "-" ? x - y : op == "*" ? x * y : op == "/" ? x / y : op == "%" ? x % y
                     : op == "min" ? Halide::min(x, y) : op == "max" ? Halide::max(x, y) : op == "<" ? Halide::cast<int>(x < y)
                     : op == "<=" ? Halide::cast<int>(x <= y) : op == ">" ? Halide::cast<int>(x > y) : op == ">=" ? Halide::cast<int>(x >= y)
                     : op == "==" ? Halide::cast<int>(x == y) : Halide::cast<int>(x != y);
      std::vector<double> want = halideValues(e, a, b, pa, pb, static_cast<int>(as.size()));
      bool comparison = op == "<" || op == "<=" || op == ">" || op == ">=" || op == "==" || op == "!=";
      int mismatches = 0;
      for (size_t k = 0; k < as.size(); ++k) {
        // Float division by zero and 0 % 0 give inf / NaN in both; compare NaN as NaN.
        double got = evaluate(node(op, comparison ? "bool" : t.name, {constant(as[k], t.name), constant(bs[k], t.name)}));
        bool same = got == want[k] || (std::isnan(got) && std::isnan(want[k]));
        if (!same && mismatches++ < 3) ADD_FAILURE() << t.name << " " << as[k] << " " << op << " " << bs[k] << ": evaluator " << got << ", Halide " << want[k];
      }
      EXPECT_EQ(mismatches, 0) << t.name << " " << op;
    }
  }
}

TEST(SizeRules, CastsMatchHalide) {
  for (const TypeInfo& from : kTypes) {
    std::vector<double> vals = operands(from.type);
    Halide::ImageParam pa(from.type, 1, "a"), pb(from.type, 1, "b");
    Halide::Buffer<> a = column(from.type, vals);
    Halide::Var i("i");
    for (const TypeInfo& to : kTypes) {
      std::vector<double> keep;  // a float cast to an integer that cannot hold it is undefined in Halide: not compared
      for (double v : vals) {
        if (!from.type.is_float() || to.type.is_float() || (v >= lowest(to.type) && v <= highest(to.type))) {
          keep.push_back(v);
        }
      }
      Halide::Buffer<> column1 = column(from.type, keep);
      std::vector<double> want = halideValues(Halide::cast(to.type, pa(i)), column1, column1, pa, pb, static_cast<int>(keep.size()));
      Halide::Expr rounded = from.type.is_float() ? Halide::round(pa(i)) : pa(i);
      std::vector<double> wantSat;
      if (!to.type.is_float()) wantSat = halideValues(Halide::saturating_cast(to.type, rounded), column1, column1, pa, pb, static_cast<int>(keep.size()));
      for (size_t k = 0; k < keep.size(); ++k) {
        EXPECT_EQ(evaluate(node("cast", to.name, {constant(keep[k], from.name)})), want[k]) << from.name << " " << keep[k] << " to " << to.name;
        if (!to.type.is_float()) {
          EXPECT_EQ(evaluate(node("sat_cast", to.name, {constant(keep[k], from.name)})), wantSat[k])
              << from.name << " " << keep[k] << " saturated to " << to.name;
        }
      }
    }
  }
}

TEST(SizeRules, UnaryLogicalAndSelect) {
  EXPECT_EQ(evaluate(node("neg", "i8", {constant(-128, "i8")})), -128);  // wraps
  EXPECT_EQ(evaluate(node("neg", "u8", {constant(1, "u8")})), 255);
  EXPECT_EQ(evaluate(node("neg", "f32", {constant(2.5, "f32")})), -2.5);
  EXPECT_EQ(evaluate(node("!", "bool", {constant(0, "bool")})), 1);
  EXPECT_EQ(evaluate(node("!", "bool", {constant(1, "bool")})), 0);
  EXPECT_EQ(evaluate(node("&&", "bool", {constant(1, "bool"), constant(0, "bool")})), 0);
  EXPECT_EQ(evaluate(node("||", "bool", {constant(1, "bool"), constant(0, "bool")})), 1);
  EXPECT_EQ(evaluate(node("select", "i32", {constant(1, "bool"), constant(7, "i32"), constant(9, "i32")})), 7);
  EXPECT_EQ(evaluate(node("select", "i32", {constant(0, "bool"), constant(7, "i32"), constant(9, "i32")})), 9);
}

// The cases the language reference spells out.
TEST(SizeRules, DocumentedExamples) {
  EXPECT_EQ(evaluate(node("cast", "u8", {constant(300, "i32")})), 44);         // u8(300) wraps
  EXPECT_EQ(evaluate(node("cast", "i8", {constant(200, "i32")})), -56);        // i8(200)
  EXPECT_EQ(evaluate(node("cast", "u8", {constant(2.9, "f32")})), 2);          // truncated toward zero
  EXPECT_EQ(evaluate(node("sat_cast", "u8", {constant(300, "i32")})), 255);
  EXPECT_EQ(evaluate(node("sat_cast", "u8", {constant(2.5, "f32")})), 2);      // ties to even
  EXPECT_EQ(evaluate(node("sat_cast", "u8", {constant(3.5, "f32")})), 4);
  EXPECT_EQ(evaluate(node("sat_cast", "i8", {constant(-1000, "i32")})), -128);
  EXPECT_EQ(evaluate(node("/", "i32", {constant(-7, "i32"), constant(2, "i32")})), -4);  // Euclidean
  EXPECT_EQ(evaluate(node("%", "i32", {constant(-7, "i32"), constant(2, "i32")})), 1);
  EXPECT_EQ(evaluate(node("/", "i32", {constant(5, "i32"), constant(0, "i32")})), 0);    // x / 0 is 0
}

TEST(SizeRules, MalformedRulesAndUndefinedValuesAreErrors) {
  EXPECT_THROW(evaluate(Value::object({{"op", "+"}, {"args", Value::array({})}})), fovea::Error);  // no type
  EXPECT_THROW(evaluate(node("+", "i32", {constant(1, "i32")})), fovea::Error);                    // one operand
  EXPECT_THROW(evaluate(node("frobnicate", "i32", {constant(1, "i32"), constant(2, "i32")})), fovea::Error);
  EXPECT_THROW(fovea::evaluateSizeRule(Value::object({{"param", 3}}), {1.0}, {}), fovea::Error);
  EXPECT_THROW(fovea::evaluateSizeRule(Value::object({{"extent", Value::array({0, 5})}}), {}, {{10, 20}}), fovea::Error);
  EXPECT_THROW(evaluate(node("cast", "i32", {constant(std::numeric_limits<double>::infinity(), "f64")})), fovea::Error);
  EXPECT_THROW(evaluate(node("sat_cast", "i32", {constant(std::nan(""), "f64")})), fovea::Error);
  EXPECT_EQ(fovea::evaluateSizeRule(Value::object({{"extent", Value::array({0, 1})}}), {}, {{10, 20}}), 20);
  EXPECT_EQ(fovea::evaluateSizeRule(Value::object({{"param", 0}}), {3.5}, {}), 3.5);
}

}  // namespace
}  // namespace fovea::test
