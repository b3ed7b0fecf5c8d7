// Every construct, lowered to Halide and run (JIT), against a plain C++ computation of the same
// thing written here: bit-exact for integers.
#include <gtest/gtest.h>

#include <cmath>

#include "testing/jit.h"

namespace fovea::test {
namespace {

Halide::Buffer<uint8_t> ramp(int w, int h) {
  Halide::Buffer<uint8_t> b(w, h);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) b(x, y) = static_cast<uint8_t>((x * 37 + y * 91 + x * y) & 255);
  }
  return b;
}

template <typename T>
Halide::Buffer<T> as(const Halide::Buffer<>& b) {
  return Halide::Buffer<T>(b);
}

TEST(Constructs, CastsWrapTruncateAndSaturateLikeOpenCV) {
  Halide::Buffer<float> in(8);
  const float values[8] = {-3.5f, -2.5f, 0.5f, 1.5f, 2.5f, 254.5f, 255.5f, 300.7f};
  for (int i = 0; i < 8; ++i) in(i) = values[i];
  JitRun r = runJit(
      "pipeline casts(a: f32[x]) -> (s: u8[x] size (8), w: u8[x] size (8), t: i32[x] size (8), q: i8[x] size (8)) {\n"
      "  s(x) = u8_sat(a(x));\n  w(x) = u8(i32(a(x)));\n  t(x) = i32(a(x));\n  q(x) = i8_sat(a(x) * 2.0);\n"
      "  return (s, w, t, q);\n}\n",
      {in});
  ASSERT_TRUE(r.error.empty()) << r.error;
  for (int i = 0; i < 8; ++i) {
    float v = values[i];
    double rounded = std::nearbyint(v);  // ties to even, as cv::saturate_cast
    EXPECT_EQ(as<uint8_t>(r.outputs[0])(i), static_cast<uint8_t>(std::min(255.0, std::max(0.0, rounded)))) << v;
    EXPECT_EQ(as<uint8_t>(r.outputs[1])(i), static_cast<uint8_t>(static_cast<int32_t>(v))) << v;
    EXPECT_EQ(as<int32_t>(r.outputs[2])(i), static_cast<int32_t>(v)) << v;
    EXPECT_EQ(as<int8_t>(r.outputs[3])(i), static_cast<int8_t>(std::min(127.0, std::max(-128.0, static_cast<double>(std::nearbyint(v * 2.0f)))))) << v;
  }
}

TEST(Constructs, IntegerDivisionAndModuloAreEuclidean) {
  Halide::Buffer<int32_t> in(9);
  for (int i = 0; i < 9; ++i) in(i) = i - 4;
  JitRun r = runJit(
      "pipeline divs(a: i32[x], d: i32 = -3) -> (q: i32[x], m: i32[x], q2: i32[x], m2: i32[x]) {\n"
      "  q(x) = a(x) / 3;\n  m(x) = a(x) % 3;\n  q2(x) = a(x) / d;\n  m2(x) = a(x) % d;\n  return (q, m, q2, m2);\n}\n",
      {in});
  ASSERT_TRUE(r.error.empty()) << r.error;
  auto euclid = [](int a, int b) {
    int m = a % b;
    if (m < 0) m += b < 0 ? -b : b;
    return std::make_pair((a - m) / b, m);
  };
  for (int i = 0; i < 9; ++i) {
    int a = i - 4;
    EXPECT_EQ(as<int32_t>(r.outputs[0])(i), euclid(a, 3).first) << a;
    EXPECT_EQ(as<int32_t>(r.outputs[1])(i), euclid(a, 3).second) << a;
    EXPECT_EQ(as<int32_t>(r.outputs[2])(i), euclid(a, -3).first) << a;
    EXPECT_EQ(as<int32_t>(r.outputs[3])(i), euclid(a, -3).second) << a;
  }
}

/// OpenCV's borderInterpolate, written out: the reference for boundary conditions.
int border(int p, int n, const std::string& kind) {
  if (p >= 0 && p < n) return p;
  if (kind == "edge") return p < 0 ? 0 : n - 1;
  if (kind == "wrap") return ((p % n) + n) % n;
  int period = kind == "reflect" ? 2 * n : 2 * n - 2;
  int q = ((p % period) + period) % period;
  if (kind == "reflect") return q < n ? q : 2 * n - 1 - q;
  return q < n ? q : 2 * n - 2 - q;
}

TEST(Constructs, BoundaryConditionsMatchOpenCVBorders) {
  Halide::Buffer<uint8_t> in = ramp(7, 5);
  for (std::string kind : {"edge", "reflect", "reflect101", "wrap", "constant(9)"}) {
    JitRun r = runJit("pipeline b(input: u8[x, y]) -> u8[x, y] size (input.width + 6, input.height + 4) {\n  src = boundary(input, " + kind +
                          ");\n  o(x, y) = src(x - 3, y - 2);\n  return o;\n}\n",
                      {in});
    ASSERT_TRUE(r.error.empty()) << kind << ": " << r.error;
    Halide::Buffer<uint8_t> out = as<uint8_t>(r.outputs[0]);
    for (int y = 0; y < 9; ++y) {
      for (int x = 0; x < 13; ++x) {
        int sx = x - 3, sy = y - 2;
        uint8_t expected = kind == "constant(9)" ? (sx >= 0 && sx < 7 && sy >= 0 && sy < 5 ? in(sx, sy) : 9)
                                                 : in(border(sx, 7, kind), border(sy, 5, kind));
        ASSERT_EQ(out(x, y), expected) << kind << " at " << x << "," << y;
      }
    }
  }
}

TEST(Constructs, HistogramReduction) {
  Halide::Buffer<uint8_t> in = ramp(61, 47);
  JitRun r = runJit("pipeline h(input: u8[x, y]) -> u32[i] size (256) {\n  h(i) = u32(0);\n  h(input(r.x, r.y)) += 1 over r in input;\n  return h;\n}\n",
                    {in});
  ASSERT_TRUE(r.error.empty()) << r.error;
  std::vector<uint32_t> expected(256, 0);
  for (int y = 0; y < 47; ++y) {
    for (int x = 0; x < 61; ++x) ++expected[in(x, y)];
  }
  Halide::Buffer<uint32_t> out = as<uint32_t>(r.outputs[0]);
  for (int i = 0; i < 256; ++i) EXPECT_EQ(out(i), expected[i]) << i;
}

TEST(Constructs, UpdatesWithEveryOperatorAndExplicitRanges) {
  Halide::Buffer<uint8_t> in = ramp(10, 6);
  JitRun r = runJit(
      "pipeline s(input: u8[x, y], n: i32 = 4) -> i32[j] size (4) {\n"
      "  s(j) = select(j == 2, 200, 1);\n  s(0) += i32(input(q.x, q.y)) over q in input;\n  s(1) -= 1 over q in [0 .. n];\n"
      "  s(2) min= i32(input(q.x, 0)) over q in [2 .. input.width];\n  s(3) max= i32(input(q.x, q.y)) over q in [0 .. 3, 1 .. 4];\n"
      "  s(j) *= 3;\n  s(j) /= 2;\n  return s;\n}\n",
      {in});
  ASSERT_TRUE(r.error.empty()) << r.error;
  int sum = 1, mn = 200, mx = 1;
  for (int y = 0; y < 6; ++y) {
    for (int x = 0; x < 10; ++x) sum += in(x, y);
  }
  for (int x = 2; x < 10; ++x) mn = std::min(mn, static_cast<int>(in(x, 0)));
  ASSERT_LT(mn, 200) << "the data must make min= change the value";
  for (int y = 1; y < 4; ++y) {
    for (int x = 0; x < 3; ++x) mx = std::max(mx, static_cast<int>(in(x, y)));
  }
  auto fin = [](int v) {
    int t = v * 3;
    int m = ((t % 2) + 2) % 2;
    return (t - m) / 2;
  };
  Halide::Buffer<int32_t> out = as<int32_t>(r.outputs[0]);
  EXPECT_EQ(out(0), fin(sum));
  EXPECT_EQ(out(1), fin(1 - 4));
  EXPECT_EQ(out(2), fin(mn));
  EXPECT_EQ(out(3), fin(mx));
}

TEST(Constructs, FunctionsWithEllipsisOnPlanarAndInterleavedColor) {
  std::string src =
      "fn box3(in) {\n  bx(x, y, ...) = (in(x - 1, y, ...) + in(x, y, ...) + in(x + 1, y, ...)) / 3;\n"
      "  by(x, y, ...) = (bx(x, y - 1, ...) + bx(x, y, ...) + bx(x, y + 1, ...)) / 3;\n  return by;\n}\n"
      "pipeline b(input: u8[x, y, c]) -> u16[x, y, c] {\n  src = boundary(input, edge);\n  w(x, y, c) = u16(src(x, y, c));\n"
      "  return box3(w);\n}\n";
  Halide::Buffer<uint8_t> planar(23, 17, 3);
  planar.for_each_element([&](int x, int y, int c) { planar(x, y, c) = static_cast<uint8_t>((x * 13 + y * 29 + c * 71) & 255); });
  Halide::Buffer<uint8_t> inter(Halide::Runtime::Buffer<uint8_t>::make_interleaved(23, 17, 3));
  inter.copy_from(planar);
  for (const Halide::Buffer<uint8_t>& in : {planar, inter}) {
    for (const char* schedule : {"none", "heuristic"}) {
      JitRun r = runJit(src, {in}, {}, schedule);
      ASSERT_TRUE(r.error.empty()) << r.error;
      Halide::Buffer<uint16_t> out = as<uint16_t>(r.outputs[0]);
      auto at = [&](int x, int y, int c) { return static_cast<int>(planar(std::clamp(x, 0, 22), std::clamp(y, 0, 16), c)); };
      for (int c = 0; c < 3; ++c) {
        for (int y = 0; y < 17; ++y) {
          for (int x = 0; x < 23; ++x) {
            auto bx = [&](int yy) { return (at(x - 1, yy, c) + at(x, yy, c) + at(x + 1, yy, c)) / 3; };
            ASSERT_EQ(out(x, y, c), (bx(y - 1) + bx(y) + bx(y + 1)) / 3) << schedule << " " << x << "," << y << "," << c;
          }
        }
      }
    }
  }
}

TEST(Constructs, ParameterRangesAreCheckedWhenTheProgramRuns) {
  Halide::Buffer<uint8_t> in = ramp(8, 8);
  JitRun r = runJit("pipeline p(input: u8[x, y], k: f32 = 0.5 in [0.0, 1.0]) -> u8[x, y] {\n  o(x, y) = u8_sat(f32(input(x, y)) * k);\n  return o;\n}\n",
                    {in}, {{"k", 2.0}});
  // The runtime's check (the JIT uses it, as a compiled library does): the parameter, its value and range.
  EXPECT_NE(r.error.find("parameter 'k' is 2, outside its range [0, 1]"), std::string::npos) << r.error;
  EXPECT_TRUE(r.outputs.empty());
}

}  // namespace
}  // namespace fovea::test
