// The fold pass (lower/fold_windows.h): window reductions written as updates become stencils, with
// exactly the values the update gives (same operations, same order), checked against C++ loops
// written here; updates that are not window reductions are left alone.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "lower/fold_windows.h"
#include "testing/jit.h"

namespace fovea::test {
namespace {

Halide::Buffer<float> noise(int w, int h) {
  Halide::Buffer<float> b(w, h);
  uint32_t state = 12345;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      state = state * 1664525u + 1013904223u;
      b(x, y) = static_cast<float>(state >> 8) / 16777216.0f * 200.0f - 100.0f;  // [-100, 100), many bits set
    }
  }
  return b;
}

float clampedAt(const Halide::Buffer<float>& in, int x, int y) {
  x = std::max(0, std::min(in.width() - 1, x));
  y = std::max(0, std::min(in.height() - 1, y));
  return in(x, y);
}

bool sameBits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

const char* kWindows =
    "pipeline windows(input: f32[x, y]) -> (sum: f32[x, y], peak: f32[x, y], low: f32[x, y], count: i32[x, y]) {\n"
    "  src = boundary(input, edge);\n"
    "  s(x, y) = 0.5;\n"
    "  s(x, y) += src(x + r.x, y + r.y) - 0.25 * f32(r.x) over r in [-1 .. 2, -2 .. 1];\n"
    "  m(x, y) = -1000.0;\n"
    "  m(x, y) max= src(x + r.x + 1, y - r.y) over r in [-2 .. 1, 0 .. 2];\n"
    "  l(x, y) = 1000.0;\n"
    "  l(x, y) min= src(x - r.x, y) over r in [0 .. 5];\n"
    "  n(x, y) = 7;\n"
    "  n(x, y) += i32(src(x + r.x, y + r.y)) * (r.x + 2) over r in [-2 .. 3, -1 .. 2];\n"
    "  return (s, m, l, n);\n"
    "}\n";

TEST(FoldWindows, WindowReductionsBecomePureStencils) {
  CheckResult checked = checkSource(kWindows);
  ASSERT_EQ(checked.errors, 0u) << checked.text();
  const ir::Pipeline& p = checked.program.pipelines[0];
  ir::Pipeline folded = foldWindows(p);
  size_t updatesBefore = 0, updatesAfter = 0;
  for (const ir::Stage& s : p.stages) updatesBefore += s.updates.size();
  for (const ir::Stage& s : folded.stages) updatesAfter += s.updates.size();
  EXPECT_EQ(updatesBefore, 4u);
  EXPECT_EQ(updatesAfter, 0u);
  // Offsets stay stencil offsets: `x + r.x + 1` at r.x = -2 reads at x + -1.
  EXPECT_NE(ir::dump(folded).find("input_edge((x + -1:i32), (y - 0:i32))"), std::string::npos) << ir::dump(folded);
}

TEST(FoldWindows, FoldedValuesAreTheUpdatesValues) {
  Halide::Buffer<float> in = noise(41, 23);
  for (const char* schedule : {"heuristic", "none"}) {
    JitRun r = runJit(kWindows, {in}, {}, schedule);
    ASSERT_TRUE(r.error.empty()) << r.error;
    Halide::Buffer<float> sum(r.outputs[0]), peak(r.outputs[1]), low(r.outputs[2]);
    Halide::Buffer<int32_t> count(r.outputs[3]);
    size_t differSum = 0, differMinMax = 0, differCount = 0;
    double worstSum = 0;
    for (int y = 0; y < in.height(); ++y) {
      for (int x = 0; x < in.width(); ++x) {
        // The update's order: r.x innermost, r.y outer; f32 arithmetic throughout. Halide's
        // simplifier reassociates float arithmetic (it is not IEEE-strict unless asked), so sums
        // are compared within 1e-5 of the sum of the terms' magnitudes (what the tuner's checks
        // allow); integers, minima and maxima exactly.
        float s = 0.5f;
        double magnitude = 0.5;
        for (int ry = -2; ry < 1; ++ry) {
          for (int rx = -1; rx < 2; ++rx) {
            float term = clampedAt(in, x + rx, y + ry) - 0.25f * static_cast<float>(rx);
            s = s + term;
            magnitude += std::fabs(term);
          }
        }
        int32_t n = 7;
        for (int ry = -1; ry < 2; ++ry) {
          for (int rx = -2; rx < 3; ++rx) n += static_cast<int32_t>(clampedAt(in, x + rx, y + ry)) * (rx + 2);
        }
        float m = -1000.0f;
        for (int ry = 0; ry < 2; ++ry) {
          for (int rx = -2; rx < 1; ++rx) m = std::max(m, clampedAt(in, x + rx + 1, y - ry));
        }
        float l = 1000.0f;
        for (int rx = 0; rx < 5; ++rx) l = std::min(l, clampedAt(in, x - rx, y));
        double error = std::fabs(static_cast<double>(sum(x, y)) - s) / magnitude;
        worstSum = std::isnan(error) ? 1e30 : std::max(worstSum, error);
        differSum += !(error <= 1e-5);
        differCount += count(x, y) != n;
        differMinMax += !sameBits(peak(x, y), m) + !sameBits(low(x, y), l);
      }
    }
    EXPECT_EQ(differSum, 0u) << schedule << ": worst relative error " << worstSum;  // a NaN counts as differing
    EXPECT_LE(worstSum, 1e-5) << schedule;
    EXPECT_EQ(differMinMax, 0u) << schedule;
    EXPECT_EQ(differCount, 0u) << schedule;
  }
}

TEST(FoldWindows, OtherUpdatesAreLeftAlone) {
  CheckResult checked = checkSource(
      "pipeline kept(input: u8[x, y], radius: i32 = 1 in [0, 4]) -> (h: u32[i] size (256), scan: i32[x, y], wide: i32[x, y], box: i32[x, y]) {\n"
      "  src = boundary(input, edge);\n"
      "  hist(i) = u32(0);\n"
      "  hist(input(r.x, r.y)) += 1 over r in input;\n"                                      // not at its own point
      "  s(x, y) = i32(src(x, y));\n"
      "  s(x, y) += s(x - 1, y) over r in [0 .. 1];\n"                                          // reads itself elsewhere
      "  w(x, y) = 0;\n"
      "  w(x, y) += i32(src(x + r.x, y + r.y)) over r in [-4 .. 4, -4 .. 4];\n"                // 64 points: too large
      "  b(x, y) = 0;\n"
      "  b(x, y) += i32(src(x + r.x, y)) over r in [-radius .. radius + 1];\n"                 // not constant
      "  return (hist, s, w, b);\n"
      "}\n");
  ASSERT_EQ(checked.errors, 0u) << checked.text();
  const ir::Pipeline& p = checked.program.pipelines[0];
  ir::Pipeline folded = foldWindows(p);
  for (size_t s = 0; s < p.stages.size(); ++s) EXPECT_EQ(folded.stages[s].updates.size(), p.stages[s].updates.size()) << p.stages[s].name;
}

}  // namespace
}  // namespace fovea::test
