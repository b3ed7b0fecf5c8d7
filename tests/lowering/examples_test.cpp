// Every example pipeline on real photographs (examples/images), under the reference schedule and
// the heuristic, against an independent C++ implementation written here.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "testing/jit.h"
#include "support/files.h"

namespace fovea::test {
namespace {

std::string example(const std::string& name) {
  Result<std::string> text = readTextFile(std::string(FOVEA_EXAMPLES_DIR) + "/" + name);
  return text ? *text : std::string();
}

std::string examplePath(const std::string& name) { return std::string(FOVEA_EXAMPLES_DIR) + "/" + name; }

int reflect101(int p, int n) {
  if (n == 1) return 0;
  while (p < 0 || p >= n) p = p < 0 ? -p : 2 * n - 2 - p;
  return p;
}

uint8_t saturateU8(double v) { return static_cast<uint8_t>(std::min(255.0, std::max(0.0, std::nearbyint(v)))); }

/// Float pipelines may differ from a scalar C++ evaluation by one unit where a value lands next
/// to .5 (FMA and vector evaluation order): allow a difference of 1 on at most 0.1% of values.
template <typename Ref>
void expectClose(const Halide::Buffer<uint8_t>& out, Ref ref, const std::string& what) {
  int64_t total = 0, off = 0;
  int worst = 0;
  out.for_each_element([&](const int* pos) {
    int got = out(pos);
    int want = ref(pos);
    int d = std::abs(got - want);
    worst = std::max(worst, d);
    off += d != 0;
    ++total;
  });
  EXPECT_LE(worst, 1) << what;
  EXPECT_LE(off * 1000, total) << what << ": " << off << " of " << total << " values differ";
}

const char* kSchedules[] = {"none", "heuristic"};

TEST(Examples, Blur3MatchesReference) {
  Halide::Buffer<uint8_t> in = loadImage("chelsea.png");
  int w = in.width(), h = in.height();
  for (const char* schedule : kSchedules) {
    for (double strength : {1.0, 0.3}) {
      JitRun r = runJit(example("blur3.fov"), {in}, {{"strength", strength}}, schedule, "", examplePath("blur3.fov"));
      ASSERT_TRUE(r.error.empty()) << r.error;
      float wgt = static_cast<float>(strength) * 0.5f + 0.5f;
      auto f = [&](int x, int y, int c) { return static_cast<float>(in(reflect101(x, w), reflect101(y, h), c)); };
      auto bx = [&](int x, int y, int c) { return (f(x - 1, y, c) + f(x, y, c) + f(x + 1, y, c)) / 3.0f; };
      expectClose(Halide::Buffer<uint8_t>(r.outputs[0]), [&](const int* p) {
        int x = p[0], y = p[1], c = p[2];
        float by = (bx(x, y - 1, c) + bx(x, y, c) + bx(x, y + 1, c)) / 3.0f;
        float a = f(x, y, c);
        return saturateU8(a * (1.0f - wgt) + by * wgt);
      }, std::string("blur3 ") + schedule);
    }
  }
}

TEST(Examples, HistogramMatchesReference) {
  Halide::Buffer<uint8_t> in = loadImage("camera.png", true);
  std::vector<uint32_t> expected(256, 0);
  in.for_each_value([&](uint8_t v) { ++expected[v]; });
  for (const char* schedule : kSchedules) {
    JitRun r = runJit(example("histogram.fov"), {in}, {}, schedule, "", examplePath("histogram.fov"));
    ASSERT_TRUE(r.error.empty()) << r.error;
    Halide::Buffer<uint32_t> out(r.outputs[0]);
    for (int i = 0; i < 256; ++i) ASSERT_EQ(out(i), expected[i]) << schedule << " bin " << i;
  }
}

TEST(Examples, HalveMatchesReference) {
  Halide::Buffer<uint8_t> in = loadImage("chelsea.png");  // 451 wide: an odd width
  int w = in.width(), h = in.height();
  for (const char* schedule : kSchedules) {
    JitRun r = runJit(example("halve.fov"), {in}, {}, schedule, "", examplePath("halve.fov"));
    ASSERT_TRUE(r.error.empty()) << r.error;
    Halide::Buffer<uint8_t> small(r.outputs[0]);
    Halide::Buffer<float> mean(r.outputs[1]);
    ASSERT_EQ(small.width(), w / 2);
    ASSERT_EQ(small.height(), h / 2);
    auto at = [&](int x, int y, int c) { return static_cast<int>(in(std::min(x, w - 1), std::min(y, h - 1), c)); };
    small.for_each_element([&](int x, int y, int c) {
      int sum = at(2 * x, 2 * y, c) + at(2 * x + 1, 2 * y, c) + at(2 * x, 2 * y + 1, c) + at(2 * x + 1, 2 * y + 1, c);
      ASSERT_EQ(small(x, y, c), (sum + 2) / 4) << schedule << " " << x << "," << y << "," << c;
    });
    for (int c = 0; c < 3; ++c) {
      double total = 0;
      for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) total += in(x, y, c);
      }
      EXPECT_FLOAT_EQ(mean(c), static_cast<float>(total / (w * h))) << schedule;
    }
  }
}

TEST(Examples, UnsharpMatchesReference) {
  Halide::Buffer<uint8_t> in = loadImage("chelsea.png");
  int w = in.width(), h = in.height();
  const float taps[5] = {1, 4, 6, 4, 1};
  for (const char* schedule : kSchedules) {
    JitRun r = runJit(example("unsharp.fov"), {in}, {{"amount", 1.5}, {"threshold", 4.0}}, schedule, "", examplePath("unsharp.fov"));
    ASSERT_TRUE(r.error.empty()) << r.error;
    auto f = [&](int x, int y, int c) { return static_cast<float>(in(reflect101(x, w), reflect101(y, h), c)); };
    auto hpass = [&](int x, int y, int c) {
      float s = 0;
      for (int k = 0; k < 5; ++k) s += taps[k] * f(x + k - 2, y, c);
      return s / 16.0f;
    };
    expectClose(Halide::Buffer<uint8_t>(r.outputs[0]), [&](const int* p) {
      int x = p[0], y = p[1], c = p[2];
      float v = 0;
      for (int k = 0; k < 5; ++k) v += taps[k] * hpass(x, y + k - 2, c);
      v /= 16.0f;
      float detail = f(x, y, c) - v;
      float keep = std::fabs(detail) >= 4.0f ? detail : 0.0f;
      return saturateU8(f(x, y, c) + 1.5f * keep);
    }, std::string("unsharp ") + schedule);
  }
}

TEST(Examples, EdgesMatchesReference) {
  Halide::Buffer<uint8_t> in = loadImage("chelsea.png");
  int w = in.width(), h = in.height();
  for (const char* schedule : kSchedules) {
    JitRun r = runJit(example("edges.fov"), {in}, {}, schedule, "", examplePath("edges.fov"));
    ASSERT_TRUE(r.error.empty()) << r.error;
    auto gray = [&](int x, int y) {
      int sx = reflect101(x, w), sy = reflect101(y, h);
      return 0.299f * in(sx, sy, 0) + 0.587f * in(sx, sy, 1) + 0.114f * in(sx, sy, 2);
    };
    auto gh = [&](int x, int y) { return (gray(x - 1, y) + 2 * gray(x, y) + gray(x + 1, y)) / 4; };
    auto smooth = [&](int x, int y) { return (gh(x, y - 1) + 2 * gh(x, y) + gh(x, y + 1)) / 4; };
    expectClose(Halide::Buffer<uint8_t>(r.outputs[0]), [&](const int* p) {
      int x = p[0], y = p[1];
      auto dx = [&](int yy) { return smooth(x + 1, yy) - smooth(x - 1, yy); };
      auto dy = [&](int xx) { return smooth(xx, y + 1) - smooth(xx, y - 1); };
      float gx = dx(y - 1) + 2 * dx(y) + dx(y + 1);
      float gy = dy(x - 1) + 2 * dy(x) + dy(x + 1);
      return saturateU8(0.25f * std::sqrt(gx * gx + gy * gy));
    }, std::string("edges ") + schedule);
  }
}

}  // namespace
}  // namespace fovea::test
