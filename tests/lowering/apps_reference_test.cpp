// The application suite against references written in plain C++ (bench/apps programs with no
// OpenCV twin): each reference follows the algorithm's published description directly, with loops
// over arrays and no code shared with the compiler. The programs run with the heuristic schedule
// (JIT) on the bundled photographs, at odd sizes and at 1x1.
//
// Float tolerances: the references add in the programs' written order, but vector code may fuse a
// multiply and an add (FMA) where the reference rounds twice: a few ulps per operation. The
// bounds below are what that allows for each program's depth, with the reason beside them;
// a NaN or an infinity anywhere fails.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "testing/jit.h"

namespace fovea::test {
namespace {

/// A gray photograph as floats in [0, 1], its top-left w x h corner (the whole image when 0).
Halide::Buffer<float> grayFloat(const std::string& name, int w = 0, int h = 0) {
  Halide::Buffer<uint8_t> g = loadImage(name, true);
  if (w == 0) w = g.width();
  if (h == 0) h = g.height();
  Halide::Buffer<float> out(w, h);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) out(x, y) = g(x, y) / 255.0f;
  }
  return out;
}

/// A dense 2-D array over [x0, x0 + w) x [y0, y0 + h), zero outside.
struct Plane {
  int x0 = 0, y0 = 0, w = 0, h = 0;
  std::vector<float> v;
  Plane(int x0_, int y0_, int w_, int h_) : x0(x0_), y0(y0_), w(w_), h(h_), v(static_cast<size_t>(w_) * h_, 0.0f) {}
  float& at(int x, int y) { return v[static_cast<size_t>(y - y0) * w + (x - x0)]; }
  float get(int x, int y) const {
    if (x < x0 || y < y0 || x >= x0 + w || y >= y0 + h) return 0.0f;
    return v[static_cast<size_t>(y - y0) * w + (x - x0)];
  }
};

/// Worst absolute difference and the number of values beyond `tolerance`; non-finite values count
/// as infinitely different.
struct FloatDiff {
  double worst = 0;
  int64_t beyond = 0, nonFinite = 0;
};
FloatDiff compareFloat(const Halide::Buffer<float>& got, const std::vector<float>& want, int w, int h, int channels, double tolerance) {
  FloatDiff d;
  for (int c = 0; c < channels; ++c) {
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        float a = channels == 1 ? got(x, y) : got(x, y, c);
        float b = want[(static_cast<size_t>(c) * h + y) * w + x];
        if (!std::isfinite(a) || !std::isfinite(b)) {
          ++d.nonFinite;
          continue;
        }
        double e = std::fabs(static_cast<double>(a) - b);
        d.worst = std::max(d.worst, e);
        if (e > tolerance) ++d.beyond;
      }
    }
  }
  return d;
}

float lerpRef(float a, float b, float w) { return a * (1.0f - w) + b * w; }

// ---- bilateral grid -----------------------------------------------------------------------------
// Chen, Paris and Durand 2007: splat each pixel into cell (x / 8, y / 8) (the cell at X gathers
// pixels 8X - 4 .. 8X + 3) and bin round(v / r); blur the grid with 1 4 6 4 1 along z, x, y;
// slice by trilinear interpolation at (x / 8, y / 8, v / r); divide the value sum by the count.
std::vector<float> bilateralReference(const Halide::Buffer<float>& in, float rs) {
  const int W = in.width(), H = in.height();
  auto src = [&](int x, int y) { return std::min(std::max(in(std::clamp(x, 0, W - 1), std::clamp(y, 0, H - 1)), 0.0f), 1.0f); };
  auto bin = [&](float v, float half) { return static_cast<int>(std::min(std::max(v, 0.0f), 1.0f) / rs + half); };
  const int cx = (W - 1) / 8 + 1, cy = (H - 1) / 8 + 1, nz = bin(1.0f, 0.5f) + 1;
  // Cells [-2, cx + 2] x [-2, cy + 2] (the blurs' reach), bins [0, nz); per channel (sum, count).
  std::vector<Plane> grid[2];
  for (auto& g : grid) g.assign(nz, Plane(-2, -2, cx + 5, cy + 5));
  for (int Y = -2; Y <= cy + 2; ++Y) {
    for (int X = -2; X <= cx + 2; ++X) {
      for (int ry = 0; ry < 8; ++ry) {
        for (int rx = 0; rx < 8; ++rx) {
          float v = src(8 * X + rx - 4, 8 * Y + ry - 4);
          int z = bin(v, 0.5f);
          grid[0][z].at(X, Y) += v;
          grid[1][z].at(X, Y) += 1.0f;
        }
      }
    }
  }
  auto g = [&](int c, int X, int Y, int z) { return z < 0 || z >= nz ? 0.0f : grid[c][z].get(X, Y); };
  auto blurZ = [&](int c, int X, int Y, int z) {
    return g(c, X, Y, z - 2) + 4.0f * g(c, X, Y, z - 1) + 6.0f * g(c, X, Y, z) + 4.0f * g(c, X, Y, z + 1) + g(c, X, Y, z + 2);
  };
  auto blurX = [&](int c, int X, int Y, int z) {
    return blurZ(c, X - 2, Y, z) + 4.0f * blurZ(c, X - 1, Y, z) + 6.0f * blurZ(c, X, Y, z) + 4.0f * blurZ(c, X + 1, Y, z) + blurZ(c, X + 2, Y, z);
  };
  auto blurred = [&](int c, int X, int Y, int z) {
    return blurX(c, X, Y - 2, z) + 4.0f * blurX(c, X, Y - 1, z) + 6.0f * blurX(c, X, Y, z) + 4.0f * blurX(c, X, Y + 1, z) + blurX(c, X, Y + 2, z);
  };
  // The blurred grid, once per cell and bin the slices read.
  std::vector<Plane> b[2];
  for (int c = 0; c < 2; ++c) {
    b[c].assign(nz + 1, Plane(0, 0, cx + 1, cy + 1));
    for (int z = 0; z <= nz; ++z) {
      for (int Y = 0; Y <= cy; ++Y) {
        for (int X = 0; X <= cx; ++X) b[c][z].at(X, Y) = blurred(c, X, Y, z);
      }
    }
  }
  std::vector<float> out(static_cast<size_t>(W) * H);
  for (int y = 0; y < H; ++y) {
    for (int x = 0; x < W; ++x) {
      float v = src(x, y);
      int z = bin(v, 0.0f);
      float zf = v / rs - static_cast<float>(z);
      float xf = static_cast<float>(x % 8) / 8.0f, yf = static_cast<float>(y % 8) / 8.0f;
      float s[2];
      for (int c = 0; c < 2; ++c) {
        auto at = [&](int dx, int dy, int dz) { return b[c][z + dz].get(x / 8 + dx, y / 8 + dy); };
        s[c] = lerpRef(lerpRef(lerpRef(at(0, 0, 0), at(1, 0, 0), xf), lerpRef(at(0, 1, 0), at(1, 1, 0), xf), yf),
                       lerpRef(lerpRef(at(0, 0, 1), at(1, 0, 1), xf), lerpRef(at(0, 1, 1), at(1, 1, 1), xf), yf), zf);
      }
      out[static_cast<size_t>(y) * W + x] = s[0] / s[1];
    }
  }
  return out;
}

TEST(AppsVsReference, BilateralGrid) {
  // Outputs lie in [0, 1]. The grid holds sums of up to 64 values blurred by 16^3: about 3e5 at
  // most, where an ulp is 0.03 but the quotient's relative error stays a few ulps of 1: 1e-5 is
  // ten times that. Every value must be within it.
  for (const auto& [image, w, h, rs] : {std::tuple{"camera.png", 0, 0, 0.1f},
                                        {"chelsea.png", 317, 211, 0.25f},
                                        {"chelsea.png", 9, 5, 0.1f},
                                        {"camera.png", 1, 1, 0.1f}}) {
    Halide::Buffer<float> in = grayFloat(image, w, h);
    JitRun r = runJit(appSource("bilateral_grid"), {in}, {{"r_sigma", rs}}, "heuristic", "bilateral_grid", "bilateral_grid.fov");
    ASSERT_TRUE(r.error.empty()) << r.error;
    ASSERT_EQ(r.outputs.size(), 1u);
    std::vector<float> ref = bilateralReference(in, rs);
    FloatDiff d = compareFloat(r.outputs[0], ref, in.width(), in.height(), 1, 1e-5);
    EXPECT_EQ(d.nonFinite, 0) << image;
    EXPECT_EQ(d.beyond, 0) << image << " " << in.width() << "x" << in.height() << " r " << rs << ", worst " << d.worst;
  }
}

}  // namespace
}  // namespace fovea::test
