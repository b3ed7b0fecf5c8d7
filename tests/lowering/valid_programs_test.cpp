// Every pipeline of the valid language tests (frontend/cases/valid/*.fov) and of the import test
// (frontend/cases/imports/import_file.fov), read from its file (so imports resolve), JIT-run under
// the `none` and `heuristic` schedules and compared with a plain C++ computation of the same thing
// written here from docs/language.md and the standard library's source: loops over pixels, no
// Fovea or Halide in the references. Integer outputs must match bit for bit; each float output
// states its tolerance where it is compared. Inputs are deterministic pseudo-random images of odd
// sizes, 3-D inputs both planar and interleaved.
//
// The last test lists those directories and fails when a pipeline has no reference here: a new
// valid program needs one.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <set>
#include <sstream>

#include "testing/jit.h"
#include "support/files.h"

namespace fovea::test {
namespace {
namespace fs = std::filesystem;

// ------------------------------------------------------------------------------------------------
// Inputs

/// A deterministic pseudo-random sequence (splitmix64), the same on every platform.
class Noise {
 public:
  explicit Noise(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * static_cast<double>(next() >> 11) * 0x1.0p-53; }
  uint8_t byte() { return static_cast<uint8_t>(next() >> 56); }
  int32_t int32() { return static_cast<int32_t>(static_cast<uint32_t>(next() >> 32)); }

 private:
  uint64_t state_;
};

/// Fills every element of `b` (whatever its layout) with values of `next`.
template <typename T>
Halide::Buffer<T> fill(Halide::Buffer<T> b, const std::function<T()>& next) {
  b.for_each_element([&](const int* pos) { b(pos) = next(); });
  return b;
}

Halide::Buffer<uint8_t> randomBytes(std::vector<int> sizes, uint64_t seed) {
  Noise n(seed);
  return fill<uint8_t>(Halide::Buffer<uint8_t>(sizes), [&] { return n.byte(); });
}

/// A width x height x channels u8 image, planar or interleaved (channel innermost).
Halide::Buffer<uint8_t> randomColor(int width, int height, int channels, bool interleave, uint64_t seed) {
  Halide::Buffer<uint8_t> b = interleave ? Halide::Buffer<uint8_t>(interleaved(Halide::UInt(8), width, height, channels))
                                         : Halide::Buffer<uint8_t>(width, height, channels);
  Noise n(seed);
  return fill<uint8_t>(b, [&] { return n.byte(); });
}

// ------------------------------------------------------------------------------------------------
// Reference arithmetic (docs/language.md)

/// Euclidean division and modulo (the remainder is never negative), for any nonzero divisor.
int64_t euclidMod(int64_t a, int64_t b) {
  int64_t m = a % b;
  return m < 0 ? m + (b < 0 ? -b : b) : m;
}
int64_t euclidDiv(int64_t a, int64_t b) { return (a - euclidMod(a, b)) / b; }

/// `T_sat` of a float: round to nearest, ties to even, then clamp to T's range.
template <typename T>
T saturate(double v) {
  double r = std::nearbyint(v);  // the default rounding mode is to nearest, ties to even
  return static_cast<T>(std::clamp(r, static_cast<double>(std::numeric_limits<T>::min()), static_cast<double>(std::numeric_limits<T>::max())));
}

enum class Border { Edge, Reflect, Reflect101, Wrap };

/// The position inside [0, n) that `boundary(..., kind)` reads for position p.
int borderIndex(int p, int n, Border kind) {
  switch (kind) {
    case Border::Edge:  // aaa|abcd|ddd
      return std::clamp(p, 0, n - 1);
    case Border::Wrap:  // bcd|abcd|abc
      return static_cast<int>(euclidMod(p, n));
    case Border::Reflect: {  // cba|abcd|dcb: period 2n, the edge pixel repeated
      int q = static_cast<int>(euclidMod(p, 2 * n));
      return q < n ? q : 2 * n - 1 - q;
    }
    case Border::Reflect101: {  // dcb|abcd|cba: period 2n - 2, mirrored about the edge pixel
      if (n == 1) return 0;
      int q = static_cast<int>(euclidMod(p, 2 * n - 2));
      return q < n ? q : 2 * n - 2 - q;
    }
  }
  return 0;
}

/// A float image over [-margin, width + margin) x [-margin, height + margin): a stage of the
/// reference, computed over the region its readers need.
class Plane {
 public:
  Plane(int width, int height, int margin, const std::function<float(int, int)>& value)
      : margin_(margin), stride_(width + 2 * margin), values_(static_cast<size_t>((width + 2 * margin) * (height + 2 * margin))) {
    for (int y = -margin; y < height + margin; ++y) {
      for (int x = -margin; x < width + margin; ++x) values_[index(x, y)] = value(x, y);
    }
  }
  float operator()(int x, int y) const { return values_.at(index(x, y)); }

 private:
  size_t index(int x, int y) const { return static_cast<size_t>((y + margin_) * stride_ + x + margin_); }
  int margin_, stride_;
  std::vector<float> values_;
};

// ------------------------------------------------------------------------------------------------
// Comparisons

std::string position(const int* pos, int dims) {
  std::string s = "(";
  for (int d = 0; d < dims; ++d) s += (d ? ", " : "") + std::to_string(pos[d]);
  return s + ")";
}

/// `got` has `want`'s element type and extents (with all mins 0).
template <typename T>
::testing::AssertionResult sameShape(const Halide::Buffer<>& got, const Halide::Buffer<T>& want) {
  if (got.type() != want.type()) return ::testing::AssertionFailure() << "the output's element type differs from the reference's";
  if (got.dimensions() != want.dimensions()) {
    return ::testing::AssertionFailure() << "the output has " << got.dimensions() << " dimensions, the reference " << want.dimensions();
  }
  for (int d = 0; d < got.dimensions(); ++d) {
    if (got.dim(d).min() != 0 || got.dim(d).extent() != want.dim(d).extent()) {
      return ::testing::AssertionFailure() << "dimension " << d << " of the output is [" << got.dim(d).min() << ", +" << got.dim(d).extent()
                                           << "), of the reference [0, +" << want.dim(d).extent() << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

/// Bit-exact equality (integers, and floats computed without rounding).
template <typename T>
::testing::AssertionResult matchesExactly(const Halide::Buffer<>& got, Halide::Buffer<T> want) {
  if (::testing::AssertionResult shape = sameShape(got, want); !shape) return shape;
  Halide::Buffer<T> typed(got);
  int64_t wrong = 0, total = 0;
  std::ostringstream first;
  want.for_each_element([&](const int* pos) {
    ++total;
    if (typed(pos) == want(pos)) return;
    if (wrong++ < 8) first << "\n  at " << position(pos, want.dimensions()) << ": expected " << +want(pos) << ", got " << +typed(pos);
  });
  if (wrong == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << wrong << " of " << total << " values differ" << first.str();
}

/// Every value of a float output lies in [lo, hi] (per element).
::testing::AssertionResult withinBounds(const Halide::Buffer<>& got, Halide::Buffer<float> lo, Halide::Buffer<float> hi,
                                        double* maxError = nullptr) {
  if (::testing::AssertionResult shape = sameShape(got, lo); !shape) return shape;
  Halide::Buffer<float> typed(got);
  int64_t wrong = 0, total = 0;
  std::ostringstream first;
  first.precision(9);
  lo.for_each_element([&](const int* pos) {
    ++total;
    float v = typed(pos);
    if (maxError) *maxError = std::max(*maxError, std::max(static_cast<double>(lo(pos)) - v, v - static_cast<double>(hi(pos))));
    if (v >= lo(pos) && v <= hi(pos)) return;
    if (wrong++ < 8) first << "\n  at " << position(pos, lo.dimensions()) << ": expected [" << lo(pos) << ", " << hi(pos) << "], got " << v;
  });
  if (wrong == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << wrong << " of " << total << " values out of bounds" << first.str();
}

/// |got - want| <= rel * |want| + abs, per element.
::testing::AssertionResult matchesWithin(const Halide::Buffer<>& got, Halide::Buffer<float> want, double rel, double abs) {
  std::vector<int> sizes;
  for (int d = 0; d < want.dimensions(); ++d) sizes.push_back(want.dim(d).extent());
  Halide::Buffer<float> lo(sizes), hi(sizes);
  want.for_each_element([&](const int* pos) {
    double w = want(pos), tolerance = rel * std::fabs(w) + abs;
    lo(pos) = static_cast<float>(w - tolerance);
    hi(pos) = static_cast<float>(w + tolerance);
  });
  return withinBounds(got, lo, hi);
}

// ------------------------------------------------------------------------------------------------
// Running a case file

/// Runs `pipeline` of frontend/cases/FILE, read from disk and checked as that path.
JitRun runCase(const std::string& file, const std::string& pipeline, const std::vector<Halide::Buffer<>>& inputs,
               const std::map<std::string, double>& params, const std::string& schedule) {
  std::string path = (fs::path(FOVEA_TEST_DIR) / "frontend" / "cases" / file).string();
  Result<std::string> text = readTextFile(path);
  if (!text) {
    JitRun failed;
    failed.error = "cannot read " + path + ": " + text.failure().message;
    return failed;
  }
  return runJit(*text, inputs, params, schedule, pipeline, path);
}

/// The run succeeded and produced `count` outputs.
#define ASSERT_RAN(run, count)                          \
  do {                                                  \
    ASSERT_TRUE((run).error.empty()) << (run).error;    \
    ASSERT_EQ((run).outputs.size(), size_t{count});     \
  } while (false)

// ------------------------------------------------------------------------------------------------
// valid/boundaries.fov

void checkBorders(const std::string& schedule) {
  // 3x2 is smaller than the offsets (up to 3): reads land several periods away from the image.
  for (auto [w, h] : {std::pair{37, 23}, std::pair{3, 2}}) {
    SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h));
    Halide::Buffer<uint8_t> in = randomBytes({w, h}, 11);
    JitRun r = runCase("valid/boundaries.fov", "borders", {in}, {}, schedule);
    ASSERT_RAN(r, 1);
    auto at = [&](Border kind, int x, int y) { return static_cast<int>(in(borderIndex(x, w, kind), borderIndex(y, h, kind))); };
    auto constant7 = [&](int x, int y) { return x >= 0 && x < w && y >= 0 && y < h ? static_cast<int>(in(x, y)) : 7; };
    Halide::Buffer<uint16_t> want(w, h);
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        want(x, y) = static_cast<uint16_t>(at(Border::Edge, x - 1, y) + at(Border::Reflect, x + 1, y) + at(Border::Reflect101, x, y - 2) +
                                           at(Border::Wrap, x, y + 2) + constant7(x - 3, y + 3));
      }
    }
    EXPECT_TRUE(matchesExactly(r.outputs[0], want));
  }
}

// ------------------------------------------------------------------------------------------------
// valid/every_expression.fov

void checkExprs(const std::string& schedule) {
  const int W = 37, H = 23;
  Halide::Buffer<uint8_t> a = randomBytes({W, H}, 21);
  // b > 0 keeps sqrt and log defined; b < 1.56 keeps tan away from its pole at pi/2 while making
  // it large enough (up to about 90) that i16_sat saturates on some pixels.
  Noise n(22);
  Halide::Buffer<float> b = fill<float>(Halide::Buffer<float>(W, H), [&] { return static_cast<float>(n.uniform(0.05, 1.56)); });
  struct Params {
    int k;
    double gain;
  };
  for (Params p : {Params{3, 1.0}, Params{10, 0.75}, Params{0, 1.0}}) {
    SCOPED_TRACE("k = " + std::to_string(p.k) + ", gain = " + std::to_string(p.gain));
    std::map<std::string, double> params;
    if (p.k != 3) params["k"] = p.k;  // k = 3, gain = 1.0 are the defaults: run with them once
    if (p.gain != 1.0) params["gain"] = p.gain;
    JitRun r = runCase("valid/every_expression.fov", "exprs", {a, b}, params, schedule);
    ASSERT_RAN(r, 1);
    int selected = 0, notSelected = 0;

    // The f32 value g(x, y), computed in float as the language defines it (an f32 operation
    // rounds to f32; the literals meeting f32 operands are f32).
    auto g = [&](int x, int y) {
      int32_t i = static_cast<int32_t>(a(x, y)) * 2 + p.k - 1;  // SCALE is a literal: i32
      int32_t d = static_cast<int32_t>(euclidDiv(i, 2) + euclidMod(i, 3));
      int32_t m = std::min(d, 100) + std::max(d, -5) + std::clamp(d, 0, 255);
      // The select's condition is (m > 60 && m != 100) || !ON (ON is true); abs of an i32 is a u32.
      bool taken = m > 60 && m != 100;
      (taken ? selected : notSelected) += 1;
      uint32_t c = taken ? static_cast<uint32_t>(m >= 50 ? int64_t{m} - 50 : 50 - int64_t{m}) : 0u;
      float v = b(x, y);
      float f = std::sqrt(v);
      f += std::exp(v);
      f += std::log(v + 1.0f);
      f += std::pow(v, 2.0f);
      f += std::sin(v);
      f += std::cos(v);
      f += std::tan(v);
      f += std::atan2(v, 1.0f);
      f += std::floor(v);
      f += std::ceil(v);
      f += std::nearbyint(v);  // no ties in the inputs: the docs leave round's tie rule open
      f += v * (1.0f - 0.5f) + 1.0f * 0.5f;  // lerp(v, 1.0, HALF)
      return static_cast<float>(c) * f - -f + +f;
    };
    // w(x, y) as a function of g: every term is an integer below 2^24, so given g the rest is
    // exact, and it is nondecreasing in g.
    auto w = [&](int x, int y, float gv) {
      float s = static_cast<float>(saturate<uint8_t>(gv)) + static_cast<float>(saturate<int16_t>(gv)) + static_cast<float>(gv >= 0.0f ? 1 : 0) +
                1.0f;  // f32(i8(1) <= i8(2))
      return static_cast<float>(static_cast<double>(s) * p.gain) + static_cast<float>(x + y) + static_cast<float>(W) + static_cast<float>(H) +
             static_cast<float>(H);
    };
    // Tolerance: the transcendentals may differ from the C library's in the last places (the
    // heuristic's vector code does), tan near pi/2 amplifies that (its condition number is about
    // 80 at b = 1.56), and vector code may contract multiply-adds. The output rounds g twice
    // (u8_sat, i16_sat), so an error in g only shows where g is within that error of a rounding
    // boundary: accept any value between w(g * (1 - 2e-6)) and w(g * (1 + 2e-6)), i.e. exact
    // except within 2e-6 relative (16 units in the last place of an f32) of a tie. Observed: the
    // `none` schedule matches exactly; the heuristic's g differs by 3e-8 relative on one pixel.
    Halide::Buffer<float> lo(W, H), hi(W, H);
    int saturated = 0, ambiguous = 0;
    for (int y = 0; y < H; ++y) {
      for (int x = 0; x < W; ++x) {
        float gv = g(x, y);
        saturated += gv > 32767.5f;
        lo(x, y) = w(x, y, gv - 2e-6f * std::fabs(gv));
        hi(x, y) = w(x, y, gv + 2e-6f * std::fabs(gv));
        ambiguous += lo(x, y) != hi(x, y);
      }
    }
    EXPECT_TRUE(withinBounds(r.outputs[0], lo, hi));
    EXPECT_GT(saturated, 0) << "the inputs should make i16_sat saturate somewhere";
    EXPECT_LT(ambiguous, W * H / 20) << "too few pixels are checked exactly";
    EXPECT_GT(selected, 0) << "the data must take the select's first branch";
    EXPECT_GT(notSelected, 0) << "the data must take the select's second branch";
  }
}

// ------------------------------------------------------------------------------------------------
// valid/functions.fov

void checkF2d(const std::string& schedule) {
  const int W = 37, H = 23;
  Noise n(31);
  Halide::Buffer<float> in = fill<float>(Halide::Buffer<float>(W, H), [&] { return static_cast<float>(n.uniform(-4.0, 4.0)); });
  JitRun r = runCase("valid/functions.fov", "f2d", {in}, {}, schedule);
  ASSERT_RAN(r, 1);
  Halide::Buffer<float> want(W, H);
  for (int y = 0; y < H; ++y) {
    for (int x = 0; x < W; ++x) {
      auto src = [&](int xx) { return in(borderIndex(xx, W, Border::Reflect101), y); };
      want(x, y) = (src(x - 1) + src(x) + src(x + 1)) / 3.0f * 2.0f;
    }
  }
  // Three f32 operations on values below 4 in magnitude: 1e-5 relative and absolute is about 20
  // units in the last place, room for a division by 3 turned into a multiplication.
  EXPECT_TRUE(matchesWithin(r.outputs[0], want, 1e-5, 1e-5));
}

void checkF3d(const std::string& schedule) {
  const int W = 37, H = 23, C = 3;
  for (bool interleave : {false, true}) {
    SCOPED_TRACE(interleave ? "interleaved" : "planar");
    Halide::Buffer<uint8_t> in = randomColor(W, H, C, interleave, 32);
    JitRun r = runCase("valid/functions.fov", "f3d", {in}, {}, schedule);
    ASSERT_RAN(r, 1);
    Halide::Buffer<uint8_t> want(W, H, C);
    for (int c = 0; c < C; ++c) {
      for (int y = 0; y < H; ++y) {
        for (int x = 0; x < W; ++x) {
          auto src = [&](int xx) { return static_cast<unsigned>(in(std::clamp(xx, 0, W - 1), y, c)); };
          // A u8 stage computes in u8: the sum wraps before the division, the doubling after.
          uint8_t once = static_cast<uint8_t>(static_cast<uint8_t>(src(x - 1) + src(x) + src(x + 1)) / 3);
          want(x, y, c) = static_cast<uint8_t>(once * 2);
        }
      }
    }
    EXPECT_TRUE(matchesExactly(r.outputs[0], want));
  }
}

void checkF4d(const std::string& schedule) {
  const std::vector<int> sizes = {9, 7, 3, 5};
  // Planar, and channel-innermost (x, y, n strides after c) as a 4-D stack of interleaved images.
  for (std::vector<int> order : {std::vector<int>{0, 1, 2, 3}, std::vector<int>{2, 0, 1, 3}}) {
    SCOPED_TRACE("storage order " + std::to_string(order[0]) + std::to_string(order[1]) + std::to_string(order[2]) + std::to_string(order[3]));
    Noise n(33);
    Halide::Buffer<float> in = fill<float>(Halide::Buffer<float>(Halide::Runtime::Buffer<float>(sizes, order)),
                                           [&] { return static_cast<float>(n.uniform(-100.0, 100.0)); });
    JitRun r = runCase("valid/functions.fov", "f4d", {in}, {}, schedule);
    ASSERT_RAN(r, 1);
    Halide::Buffer<float> want(sizes);
    want.for_each_element([&](const int* pos) { want(pos) = in(pos) * 2.0f * 0.5f; });
    // Multiplying by 2 and 0.5 is exact.
    EXPECT_TRUE(matchesExactly(r.outputs[0], want));
  }
}

// ------------------------------------------------------------------------------------------------
// valid/lexical.fov

void checkLex(const std::string& schedule) {
  const int N = 37;
  Noise n(41);
  Halide::Buffer<int32_t> in = fill<int32_t>(Halide::Buffer<int32_t>(N), [&] { return n.int32() / 2; });
  // The extremes for which the result itself does not overflow (the intermediate sums do).
  in(0) = std::numeric_limits<int32_t>::min();
  in(1) = std::numeric_limits<int32_t>::max() - 3;
  in(2) = 0;
  in(3) = -1;
  JitRun r = runCase("valid/lexical.fov", "lex", {in}, {}, schedule);
  ASSERT_RAN(r, 1);
  // F * G folds in double; the i32 cast truncates toward zero.
  const int32_t fg = static_cast<int32_t>(1.5e3 * 2.0e-3);
  Halide::Buffer<int32_t> want(N);
  for (int x = 0; x < N; ++x) {
    // BIG and SMALL are i32 next to the i32 operand; i32 arithmetic wraps modulo 2^32.
    uint32_t v = static_cast<uint32_t>(in(x));
    v = v + 0x7FFFFFFFu - 0x7FFFFFFFu + 0x80000000u - 0x80000000u + static_cast<uint32_t>(fg);
    want(x) = static_cast<int32_t>(v);
  }
  EXPECT_TRUE(matchesExactly(r.outputs[0], want));
}

void checkEmptyLines(const std::string& schedule) {
  Halide::Buffer<uint8_t> in = randomBytes({37}, 42);
  JitRun r = runCase("valid/lexical.fov", "empty_lines", {in}, {}, schedule);
  ASSERT_RAN(r, 1);
  Halide::Buffer<uint8_t> want(37);
  for (int x = 0; x < 37; ++x) want(x) = in(x);
  EXPECT_TRUE(matchesExactly(r.outputs[0], want));
}

// ------------------------------------------------------------------------------------------------
// valid/reductions.fov

void checkStats(const std::string& schedule) {
  const int W = 37, H = 23;
  Halide::Buffer<uint8_t> in = randomBytes({W, H}, 51);
  for (int nParam : {4, 9}) {
    SCOPED_TRACE("n = " + std::to_string(nParam));
    std::map<std::string, double> params;
    if (nParam != 4) params["n"] = nParam;
    JitRun r = runCase("valid/reductions.fov", "stats", {in}, params, schedule);
    ASSERT_RAN(r, 3);

    Halide::Buffer<uint32_t> hist(256);
    hist.fill(0);
    for (int y = 0; y < H; ++y) {
      for (int x = 0; x < W; ++x) ++hist(in(x, y));
    }
    EXPECT_TRUE(matchesExactly(r.outputs[0], hist)) << "hist";

    int32_t s[4] = {0, 0, 1000, 0};
    for (int y = 0; y < H; ++y) {
      for (int x = 0; x < W; ++x) s[0] += in(x, y);
    }
    for (int q = 0; q < nParam; ++q) s[1] -= 1;
    for (int x = 0; x < W; ++x) s[2] = std::min(s[2], static_cast<int32_t>(in(x, 0)));
    ASSERT_LT(s[2], 1000) << "the data must make min= change the value";
    for (int y = 0; y < H; ++y) {
      for (int x = 0; x < W; ++x) s[3] = std::max(s[3], static_cast<int32_t>(in(x, y)));
    }
    Halide::Buffer<int32_t> sums(4);
    for (int j = 0; j < 4; ++j) sums(j) = static_cast<int32_t>(euclidDiv(s[j] * 2, 1)) + 1;
    EXPECT_TRUE(matchesExactly(r.outputs[1], sums)) << "sums";

    Halide::Buffer<uint16_t> box(W, H);
    for (int y = 0; y < H; ++y) {
      for (int x = 0; x < W; ++x) {
        unsigned sum = 0;
        for (int ty = 0; ty < 3; ++ty) {
          for (int tx = 0; tx < 3; ++tx) sum += in(std::clamp(x + tx - 1, 0, W - 1), std::clamp(y + ty - 1, 0, H - 1));
        }
        box(x, y) = static_cast<uint16_t>(sum);
      }
    }
    EXPECT_TRUE(matchesExactly(r.outputs[2], box)) << "box";
  }
}

// ------------------------------------------------------------------------------------------------
// valid/stdlib.fov (std.filters and std.color, as stdlib/filters.fov and stdlib/color.fov define them)

void checkGray(const std::string& schedule) {
  const int W = 37, H = 23;
  for (bool interleave : {true, false}) {
    SCOPED_TRACE(interleave ? "interleaved" : "planar");
    Halide::Buffer<uint8_t> in = randomColor(W, H, 3, interleave, 61);
    JitRun r = runCase("valid/stdlib.fov", "gray", {in}, {}, schedule);
    ASSERT_RAN(r, 1);
    // Each stage is defined everywhere (src is a boundary stage), so each reader sees its input
    // stage computed beyond the image, not clamped again: compute each stage over the margin its
    // readers need (a Plane computes a square margin, so each one is its readers' margin plus
    // their radius: 1 for the Sobel rows, then 1, 2, 2, 1, 1, 1, 1 down to the gray stage).
    auto src = [&](int x, int y, int c) {
      return static_cast<float>(in(borderIndex(x, W, Border::Reflect101), borderIndex(y, H, Border::Reflect101), c));
    };
    Plane g(W, H, 10, [&](int x, int y) { return 0.299f * src(x, y, 0) + 0.587f * src(x, y, 1) + 0.114f * src(x, y, 2); });
    Plane b3h(W, H, 9, [&](int x, int y) { return (g(x - 1, y) + g(x, y) + g(x + 1, y)) / 3.0f; });
    Plane b3(W, H, 8, [&](int x, int y) { return (b3h(x, y - 1) + b3h(x, y) + b3h(x, y + 1)) / 3.0f; });
    Plane g3h(W, H, 7, [&](int x, int y) { return (b3(x - 1, y) + 2.0f * b3(x, y) + b3(x + 1, y)) / 4.0f; });
    Plane g3(W, H, 6, [&](int x, int y) { return (g3h(x, y - 1) + 2.0f * g3h(x, y) + g3h(x, y + 1)) / 4.0f; });
    Plane g5h(W, H, 4, [&](int x, int y) {
      return (g3(x - 2, y) + 4.0f * g3(x - 1, y) + 6.0f * g3(x, y) + 4.0f * g3(x + 1, y) + g3(x + 2, y)) / 16.0f;
    });
    Plane g5(W, H, 2, [&](int x, int y) {
      return (g5h(x, y - 2) + 4.0f * g5h(x, y - 1) + 6.0f * g5h(x, y) + 4.0f * g5h(x, y + 1) + g5h(x, y + 2)) / 16.0f;
    });
    Plane dx(W, H, 1, [&](int x, int y) { return g5(x + 1, y) - g5(x - 1, y); });
    Plane dy(W, H, 1, [&](int x, int y) { return g5(x, y + 1) - g5(x, y - 1); });
    Halide::Buffer<float> want(W, H);
    for (int y = 0; y < H; ++y) {
      for (int x = 0; x < W; ++x) {
        float sx = dx(x, y - 1) + 2.0f * dx(x, y) + dx(x, y + 1);
        float sy = dy(x - 1, y) + 2.0f * dy(x, y) + dy(x + 1, y);
        float l = g5(x - 1, y) + g5(x + 1, y) + g5(x, y - 1) + g5(x, y + 1) - 4.0f * g5(x, y);
        want(x, y) = std::sqrt(sx * sx + sy * sy) + l;
      }
    }
    // Seven f32 passes over values up to 255, where a division by a constant may become a
    // multiplication by its reciprocal and products may be contracted into multiply-adds: a
    // difference of about one unit in the last place of the gray values (1.5e-5) per pass,
    // amplified up to 8 times by the Sobel and Laplacian weights (observed: 1.7e-4 absolute,
    // outputs up to about 120). Allowed: 1e-3 absolute plus 1e-4 relative.
    EXPECT_TRUE(matchesWithin(r.outputs[0], want, 1e-4, 1e-3));
  }
}

void checkColor(const std::string& schedule) {
  const int W = 37, H = 23;
  for (bool interleave : {true, false}) {
    SCOPED_TRACE(interleave ? "interleaved" : "planar");
    Halide::Buffer<uint8_t> in = randomColor(W, H, 3, interleave, 62);
    JitRun r = runCase("valid/stdlib.fov", "color", {in}, {}, schedule);
    ASSERT_RAN(r, 1);
    const unsigned taps[5] = {1, 4, 6, 4, 1};
    Halide::Buffer<uint16_t> want(W, H, 3);
    for (int c = 0; c < 3; ++c) {
      // swap_rb reads channel 2 - c of the u16 stage; the filter computes in u16 (it wraps
      // modulo 2^16, and the division is an integer division).
      auto wide = [&](int x, int y) { return static_cast<unsigned>(in(std::clamp(x, 0, W - 1), std::clamp(y, 0, H - 1), 2 - c)); };
      auto h = [&](int x, int y) {
        unsigned sum = 0;
        for (int t = 0; t < 5; ++t) sum = (sum + taps[t] * wide(x + t - 2, y)) & 0xFFFFu;
        return sum / 16;
      };
      for (int y = 0; y < H; ++y) {
        for (int x = 0; x < W; ++x) {
          unsigned sum = 0;
          for (int t = 0; t < 5; ++t) sum = (sum + taps[t] * h(x, y + t - 2)) & 0xFFFFu;
          want(x, y, c) = static_cast<uint16_t>(sum / 16);
        }
      }
    }
    EXPECT_TRUE(matchesExactly(r.outputs[0], want));
  }
}

// ------------------------------------------------------------------------------------------------
// imports/import_file.fov (with lib/ops.fov and lib/more.fov)

void checkUsesImports(const std::string& schedule) {
  const int W = 37, H = 23;
  Halide::Buffer<uint8_t> in = randomBytes({W, H}, 71);
  JitRun r = runCase("imports/import_file.fov", "uses_imports", {in}, {}, schedule);
  ASSERT_RAN(r, 1);
  Halide::Buffer<uint8_t> want(W, H);
  for (int y = 0; y < H; ++y) {
    // double_it multiplies by TWO (2) in u8; the local blur_box3 (shadowing std.filters') is the
    // identity; OFFSET is 1. u8 arithmetic wraps.
    for (int x = 0; x < W; ++x) want(x, y) = static_cast<uint8_t>(static_cast<uint8_t>(in(x, y) * 2) + 1);
  }
  EXPECT_TRUE(matchesExactly(r.outputs[0], want));
}

// ------------------------------------------------------------------------------------------------
// The table of references, and the tests

void checkRowBins(const std::string& schedule) {
  const int W = 37, H = 23;
  Halide::Buffer<uint8_t> in = randomBytes({W, H}, 52);
  JitRun r = runCase("valid/reductions.fov", "row_bins", {in}, {}, schedule);
  ASSERT_RAN(r, 1);
  Halide::Buffer<uint32_t> want(4, H);
  want.fill(0);
  for (int y = 0; y < H; ++y) {
    for (int x = 0; x < W; ++x) ++want(in(x, y) / 64, y);
  }
  EXPECT_TRUE(matchesExactly(r.outputs[0], want));
}

struct Program {
  std::string file;  ///< relative to frontend/cases
  std::string pipeline;
  void (*check)(const std::string& schedule);
};

const std::vector<Program>& programs() {
  static const std::vector<Program> all = {
      {"valid/boundaries.fov", "borders", checkBorders},
      {"valid/every_expression.fov", "exprs", checkExprs},
      {"valid/functions.fov", "f2d", checkF2d},
      {"valid/functions.fov", "f3d", checkF3d},
      {"valid/functions.fov", "f4d", checkF4d},
      {"valid/lexical.fov", "lex", checkLex},
      {"valid/lexical.fov", "empty_lines", checkEmptyLines},
      {"valid/reductions.fov", "stats", checkStats},
      {"valid/reductions.fov", "row_bins", checkRowBins},
      {"valid/stdlib.fov", "gray", checkGray},
      {"valid/stdlib.fov", "color", checkColor},
      {"imports/import_file.fov", "uses_imports", checkUsesImports},
  };
  return all;
}

struct Case {
  Program program;
  std::string schedule;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.program.file << " " << c.program.pipeline << " " << c.schedule; }

std::vector<Case> cases() {
  std::vector<Case> out;
  for (const Program& p : programs()) {
    for (const char* schedule : {"none", "heuristic"}) out.push_back({p, schedule});
  }
  return out;
}

class ValidProgramReference : public ::testing::TestWithParam<Case> {};

TEST_P(ValidProgramReference, MatchesHandWrittenReference) { GetParam().program.check(GetParam().schedule); }

std::string caseName(const ::testing::TestParamInfo<Case>& info) {
  std::string name = fs::path(info.param.program.file).stem().string() + "_" + info.param.program.pipeline + "_" + info.param.schedule;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(ValidPrograms, ValidProgramReference, ::testing::ValuesIn(cases()), caseName);

// Every pipeline of every valid case file (and of every imports/ file that checks without
// errors) has a reference above, and every reference names an existing pipeline.
TEST(ValidProgramsCoverage, EveryValidPipelineHasAReference) {
  std::set<std::pair<std::string, std::string>> referenced, found;
  for (const Program& p : programs()) referenced.insert({p.file, p.pipeline});
  for (const char* dir : {"valid", "imports"}) {
    fs::path folder = fs::path(FOVEA_TEST_DIR) / "frontend" / "cases" / dir;
    for (const auto& entry : fs::directory_iterator(folder)) {
      if (entry.path().extension() != ".fov") continue;
      CheckResult r = checkFile(entry.path().string());
      std::string file = std::string(dir) + "/" + entry.path().filename().string();
      if (r.errors) {
        EXPECT_STRNE(dir, "valid") << file << " has errors:\n" << r.text();
        continue;  // imports/ also holds the error cases
      }
      for (const ir::Pipeline& p : r.program.pipelines) found.insert({file, p.name});
    }
  }
  EXPECT_FALSE(found.empty());
  for (const auto& [file, pipeline] : found) {
    EXPECT_TRUE(referenced.count({file, pipeline})) << "pipeline '" << pipeline << "' of " << file
                                                    << " has no hand-written reference in valid_programs_test.cpp: add one";
  }
  for (const auto& [file, pipeline] : referenced) {
    EXPECT_TRUE(found.count({file, pipeline})) << "the reference for '" << pipeline << "' of " << file << " names no such pipeline";
  }
}

}  // namespace
}  // namespace fovea::test
