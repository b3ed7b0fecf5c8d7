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
#include <cstdio>
#include <stdexcept>
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

// ---- interpolate -------------------------------------------------------------------------------
// Premultiplied RGBA reduced to 10 levels (1 2 1 filter, every second pixel), rebuilt from the
// coarsest: level l keeps its value and adds the upsampled level l + 1 times (1 - its alpha);
// the result divided by its alpha. Each level is computed over exactly the region the finer
// levels read (they reach past the image's edges: level 0 is extended by repeating the edge).

/// A float array of `ch` channels over the inclusive region [x0, x1] x [y0, y1].
struct Level {
  int x0 = 0, y0 = 0, x1 = -1, y1 = -1, ch = 4;
  std::vector<float> v;
  void allocate() { v.assign(static_cast<size_t>(x1 - x0 + 1) * (y1 - y0 + 1) * ch, 0.0f); }
  float& at(int x, int y, int c) {
    EXPECT_TRUE(x >= x0 && x <= x1 && y >= y0 && y <= y1) << "reference read outside its level: " << x << ", " << y;
    x = std::clamp(x, x0, x1);
    y = std::clamp(y, y0, y1);
    return v[((static_cast<size_t>(y - y0) * (x1 - x0 + 1)) + (x - x0)) * ch + c];
  }
};

/// Division rounded toward negative infinity (the language's, for a positive divisor).
int floorDiv(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

std::vector<float> interpolateReference(const Halide::Buffer<float>& in) {
  const int W = in.width(), H = in.height(), levels = 10;
  std::vector<Level> d(levels), i(levels);
  // What the rebuilt levels read of each other...
  i[0].x0 = 0, i[0].x1 = W - 1, i[0].y0 = 0, i[0].y1 = H - 1;
  for (int l = 1; l < levels; ++l) {
    i[l].x0 = floorDiv(i[l - 1].x0, 2), i[l].x1 = floorDiv(i[l - 1].x1 + 1, 2);
    i[l].y0 = floorDiv(i[l - 1].y0, 2), i[l].y1 = floorDiv(i[l - 1].y1 + 1, 2);
  }
  // ... and what the reduced levels must cover: their own rebuilt level, and the next level's reads.
  d[levels - 1] = i[levels - 1];
  for (int l = levels - 2; l >= 0; --l) {
    d[l] = i[l];
    d[l].x0 = std::min(d[l].x0, 2 * d[l + 1].x0 - 1), d[l].x1 = std::max(d[l].x1, 2 * d[l + 1].x1 + 1);
    d[l].y0 = std::min(d[l].y0, 2 * d[l + 1].y0 - 1), d[l].y1 = std::max(d[l].y1, 2 * d[l + 1].y1 + 1);
  }
  for (Level& l : d) l.allocate();
  for (Level& l : i) l.allocate();
  for (int y = d[0].y0; y <= d[0].y1; ++y) {
    for (int x = d[0].x0; x <= d[0].x1; ++x) {
      int cx = std::clamp(x, 0, W - 1), cy = std::clamp(y, 0, H - 1);
      float a = in(cx, cy, 3);
      for (int c = 0; c < 4; ++c) d[0].at(x, y, c) = c == 3 ? a : in(cx, cy, c) * a;
    }
  }
  for (int l = 1; l < levels; ++l) {
    for (int y = d[l].y0; y <= d[l].y1; ++y) {
      for (int x = d[l].x0; x <= d[l].x1; ++x) {
        for (int c = 0; c < 4; ++c) {
          auto dx = [&](int yy) {
            return 0.25f * d[l - 1].at(2 * x - 1, yy, c) + 0.5f * d[l - 1].at(2 * x, yy, c) + 0.25f * d[l - 1].at(2 * x + 1, yy, c);
          };
          d[l].at(x, y, c) = 0.25f * dx(2 * y - 1) + 0.5f * dx(2 * y) + 0.25f * dx(2 * y + 1);
        }
      }
    }
  }
  i[levels - 1].v = d[levels - 1].v;
  for (int l = levels - 2; l >= 0; --l) {
    for (int y = i[l].y0; y <= i[l].y1; ++y) {
      for (int x = i[l].x0; x <= i[l].x1; ++x) {
        for (int c = 0; c < 4; ++c) {
          auto ux = [&](int yy) { return 0.5f * (i[l + 1].at(floorDiv(x, 2), yy, c) + i[l + 1].at(floorDiv(x + 1, 2), yy, c)); };
          float u = 0.5f * (ux(floorDiv(y, 2)) + ux(floorDiv(y + 1, 2)));
          i[l].at(x, y, c) = d[l].at(x, y, c) + (1.0f - d[l].at(x, y, 3)) * u;
        }
      }
    }
  }
  std::vector<float> out(static_cast<size_t>(W) * H * 3);
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < H; ++y) {
      for (int x = 0; x < W; ++x) out[(static_cast<size_t>(c) * H + y) * W + x] = i[0].at(x, y, c) / i[0].at(x, y, 3);
    }
  }
  return out;
}

/// The photograph's top-left w x h corner as planar RGBA floats in [0, 1]; alpha is 1 at about
/// one pixel in `every` (a fixed pseudo-random pattern) and 0 elsewhere: the holes to fill.
Halide::Buffer<float> rgbaWithHoles(int w, int h, int every) {
  Halide::Buffer<uint8_t> rgb = loadImage("chelsea.png");
  Halide::Buffer<float> out(w, h, 4);
  uint32_t state = 12345;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < 3; ++c) out(x, y, c) = rgb(x, y, c) / 255.0f;
      state = state * 1664525u + 1013904223u;
      out(x, y, 3) = (state >> 16) % static_cast<uint32_t>(every) == 0 ? 1.0f : 0.0f;
    }
  }
  return out;
}

TEST(AppsVsReference, Interpolate) {
  // The rebuilt colors are weighted means of the input's, in [0, 1]; about 40 roundings lie
  // between the input and each output, and the numerator and alpha carry the same relative
  // error into the quotient: a few ulps of 1 each, 1e-5 in all.
  // Each size is a JIT compile of its own (about 15 s): holes at an odd size, and a single pixel.
  for (const auto& [w, h, every] : {std::tuple{317, 211, 5}, {1, 1, 1}}) {
    Halide::Buffer<float> in = rgbaWithHoles(w, h, every);
    JitRun r = runJit(appSource("interpolate"), {in}, {}, "heuristic", "interpolate", "interpolate.fov");
    ASSERT_TRUE(r.error.empty()) << r.error;
    ASSERT_EQ(r.outputs.size(), 1u);
    std::vector<float> ref = interpolateReference(in);
    FloatDiff d = compareFloat(r.outputs[0], ref, w, h, 3, 1e-5);
    EXPECT_EQ(d.nonFinite, 0) << w << "x" << h;
    EXPECT_EQ(d.beyond, 0) << w << "x" << h << " one in " << every << " opaque, worst " << d.worst;
  }
}

// ---- camera_pipe -------------------------------------------------------------------------------
// GRBG mosaic, 10 bits: hot pixels clamped to their same-color neighbours' range; bilinear
// demosaicing with rounded integer means; black level 64; a 3x3 matrix in 1/256 (floor division,
// as the language's); a square-root tone curve to 8 bits, rounded half to even.

int reflect101(int i, int n) {
  if (n == 1) return 0;
  while (i < 0 || i >= n) i = i < 0 ? -i : 2 * n - 2 - i;
  return i;
}

Halide::Buffer<uint8_t> cameraReference(const Halide::Buffer<uint16_t>& raw) {
  const int W = raw.width(), H = raw.height();
  auto src = [&](int x, int y) { return static_cast<int>(raw(reflect101(x, W), reflect101(y, H))); };
  auto d = [&](int x, int y) {
    int n[4] = {src(x - 2, y), src(x + 2, y), src(x, y - 2), src(x, y + 2)};
    return std::clamp(src(x, y), *std::min_element(n, n + 4), *std::max_element(n, n + 4));
  };
  uint8_t curve[960];
  for (int i = 0; i < 960; ++i) {
    float v = 255.0f * std::sqrt(static_cast<float>(i) / 959.0f);
    curve[i] = static_cast<uint8_t>(std::clamp(std::nearbyint(v), 0.0f, 255.0f));  // half to even
  }
  Halide::Buffer<uint8_t> out(W, H, 3);
  for (int y = 0; y < H; ++y) {
    for (int x = 0; x < W; ++x) {
      int cross = floorDiv(d(x - 1, y) + d(x + 1, y) + d(x, y - 1) + d(x, y + 1) + 2, 4);
      int diag = floorDiv(d(x - 1, y - 1) + d(x + 1, y - 1) + d(x - 1, y + 1) + d(x + 1, y + 1) + 2, 4);
      int horiz = floorDiv(d(x - 1, y) + d(x + 1, y) + 1, 2), vert = floorDiv(d(x, y - 1) + d(x, y + 1) + 1, 2);
      int rgb[3];
      bool evenRow = y % 2 == 0;
      if (x % 2 == y % 2) {  // green site
        rgb[0] = evenRow ? horiz : vert;
        rgb[1] = d(x, y);
        rgb[2] = evenRow ? vert : horiz;
      } else if (evenRow) {  // red site
        rgb[0] = d(x, y), rgb[1] = cross, rgb[2] = diag;
      } else {  // blue site
        rgb[0] = diag, rgb[1] = cross, rgb[2] = d(x, y);
      }
      int l[3];
      for (int c = 0; c < 3; ++c) l[c] = std::max(rgb[c] - 64, 0);
      static const int m[3][3] = {{410, -110, -44}, {-60, 340, -24}, {8, -130, 378}};
      for (int c = 0; c < 3; ++c) {
        int v = floorDiv(m[c][0] * l[0] + m[c][1] * l[1] + m[c][2] * l[2] + 128, 256);
        out(x, y, c) = curve[std::clamp(v, 0, 959)];
      }
    }
  }
  return out;
}

/// The photograph's top-left w x h corner as a GRBG mosaic of 10-bit samples, with a hot (1023)
/// or dead (0) pixel at about one site in 200.
Halide::Buffer<uint16_t> mosaic(int w, int h) {
  Halide::Buffer<uint8_t> rgb = loadImage("chelsea.png");
  Halide::Buffer<uint16_t> out(w, h);
  uint32_t state = 777;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      int c = x % 2 == y % 2 ? 1 : y % 2 == 0 ? 0 : 2;
      int v = rgb(x, y, c) * 4 + 16;
      state = state * 1664525u + 1013904223u;
      uint32_t roll = (state >> 8) % 400;
      out(x, y) = static_cast<uint16_t>(roll == 0 ? 1023 : roll == 1 ? 0 : std::min(v, 1023));
    }
  }
  return out;
}

TEST(AppsVsReference, CameraPipeIsBitExact) {
  // Integer arithmetic all through, and a curve made of one division, one square root and one
  // product, each correctly rounded in IEEE f32: every value must match.
  for (auto [w, h] : {std::pair{451, 300}, {37, 23}, {1, 1}}) {
    Halide::Buffer<uint16_t> raw = mosaic(w, h);
    JitRun r = runJit(appSource("camera_pipe"), {raw}, {}, "heuristic", "camera_pipe", "camera_pipe.fov");
    ASSERT_TRUE(r.error.empty()) << r.error;
    ASSERT_EQ(r.outputs.size(), 1u);
    Halide::Buffer<uint8_t> got = r.outputs[0], want = cameraReference(raw);
    ASSERT_EQ(got.width(), w);
    ASSERT_EQ(got.height(), h);
    ASSERT_EQ(got.channels(), 3);
    int64_t differ = 0;
    int worst = 0;
    for (int c = 0; c < 3; ++c) {
      for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
          int e = std::abs(got(x, y, c) - want(x, y, c));
          differ += e != 0;
          worst = std::max(worst, e);
        }
      }
    }
    EXPECT_EQ(differ, 0) << w << "x" << h << ", worst " << worst;
  }
}

// ---- unsharp -------------------------------------------------------------------------------------
// Luma (0.299, 0.587, 0.114), a 7-tap Gaussian of sigma 1.5 (weights from exp, normalized here in
// double) in y then x with the edge repeated, sharpened = 2 luma - blur, out = sharpened / luma * in.

std::vector<float> unsharpReference(const Halide::Buffer<float>& in) {
  const int W = in.width(), H = in.height();
  double w[4], sum = 0;
  for (int k = 0; k < 4; ++k) sum += (k ? 2 : 1) * (w[k] = std::exp(-k * k / (2 * 1.5 * 1.5)));
  auto px = [&](int x, int y, int c) { return in(std::clamp(x, 0, W - 1), std::clamp(y, 0, H - 1), c); };
  auto gray = [&](int x, int y) { return 0.299 * px(x, y, 0) + 0.587 * px(x, y, 1) + 0.114 * px(x, y, 2); };
  auto by = [&](int x, int y) {
    double s = 0;
    for (int k = -3; k <= 3; ++k) s += w[std::abs(k)] / sum * gray(x, y + k);
    return s;
  };
  std::vector<float> out(static_cast<size_t>(W) * H * 3);
  for (int y = 0; y < H; ++y) {
    for (int x = 0; x < W; ++x) {
      double blur = 0;
      for (int k = -3; k <= 3; ++k) blur += w[std::abs(k)] / sum * by(x + k, y);
      double ratio = (2 * gray(x, y) - blur) / gray(x, y);
      for (int c = 0; c < 3; ++c) out[(static_cast<size_t>(c) * H + y) * W + x] = static_cast<float>(ratio * px(x, y, c));
    }
  }
  return out;
}

TEST(AppsVsReference, Unsharp) {
  // The reference computes in double; the program in f32 with weights written to 9 digits. The
  // luma is at least 1/256 here (inputs (v + 1) / 256), the sharpened luma at most 2, so the
  // ratio's f32 rounding (a few ulps of values up to 2, divided by 1/256) stays below 1e-4; the
  // output is that ratio times a value in [0, 1].
  Halide::Buffer<uint8_t> rgb = loadImage("chelsea.png");
  for (auto [w, h] : {std::pair{317, 211}, {1, 1}}) {
    Halide::Buffer<float> in(w, h, 3);
    for (int c = 0; c < 3; ++c) {
      for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) in(x, y, c) = (rgb(x, y, c) + 1) / 256.0f;
      }
    }
    JitRun r = runJit(appSource("unsharp"), {in}, {}, "heuristic", "unsharp", "unsharp.fov");
    ASSERT_TRUE(r.error.empty()) << r.error;
    ASSERT_EQ(r.outputs.size(), 1u);
    FloatDiff d = compareFloat(r.outputs[0], unsharpReference(in), w, h, 3, 1e-4);
    EXPECT_EQ(d.nonFinite, 0);
    EXPECT_EQ(d.beyond, 0) << w << "x" << h << ", worst " << d.worst;
  }
}

// ---- local_laplacian ---------------------------------------------------------------------------
// 8 reference intensities, 8 levels. Level 0 and the luma depend on the input through its
// clamped coordinates only; every other level is kept over the region the next levels read (as
// the program's pure functions are defined everywhere).

struct Span {
  int lo = 0, hi = -1;
};
Span upReads(Span s) { return {floorDiv(s.lo - 2, 2), floorDiv(s.hi + 2, 2)}; }
Span downReads(Span s) { return {2 * s.lo - 1, 2 * s.hi + 2}; }
Span join(Span a, Span b) { return {std::min(a.lo, b.lo), std::max(a.hi, b.hi)}; }

/// planes x [x.lo, x.hi] x [y.lo, y.hi] doubles.
struct Grid {
  Span x, y;
  int planes = 1;
  std::vector<double> v;
  Grid() = default;
  Grid(Span x_, Span y_, int planes_) : x(x_), y(y_), planes(planes_), v(static_cast<size_t>(x_.hi - x_.lo + 1) * (y_.hi - y_.lo + 1) * planes_) {}
  double& at(int i, int j, int k = 0) {
    if (i < x.lo || i > x.hi || j < y.lo || j > y.hi) throw std::out_of_range("reference read outside its region");
    return v[(static_cast<size_t>(k) * (y.hi - y.lo + 1) + (j - y.lo)) * (x.hi - x.lo + 1) + (i - x.lo)];
  }
};

std::vector<float> localLaplacianReference(const Halide::Buffer<uint16_t>& in, double alpha, double beta) {
  const int W = in.width(), H = in.height(), K = 8, L = 8;
  auto src = [&](int x, int y, int c) { return static_cast<int>(in(std::clamp(x, 0, W - 1), std::clamp(y, 0, H - 1), c)); };
  auto luma = [&](int x, int y) { return floorDiv(306 * src(x, y, 0) + 601 * src(x, y, 1) + 117 * src(x, y, 2) + 512, 1024); };
  auto remap = [&](int i) {
    double t = i / 256.0;
    return alpha * t * std::exp(-t * t / 2.0);
  };
  auto level0 = [&](int x, int y, int k) {
    double ref = static_cast<double>(k) / (K - 1);
    return beta * (luma(x, y) / 65535.0 - ref) + ref + remap(floorDiv(luma(x, y) * (K - 1) * 256, 65535) - 256 * k);
  };
  // The output levels' regions, and what the Gaussian levels must cover.
  std::vector<Span> rx(L), ry(L), dx(L), dy(L);
  rx[0] = {0, W - 1}, ry[0] = {0, H - 1};
  for (int l = 1; l < L; ++l) rx[l] = upReads(rx[l - 1]), ry[l] = upReads(ry[l - 1]);
  dx[L - 1] = rx[L - 1], dy[L - 1] = ry[L - 1];
  for (int l = L - 2; l >= 1; --l) dx[l] = join(rx[l], downReads(dx[l + 1])), dy[l] = join(ry[l], downReads(dy[l + 1]));
  // Gaussian pyramids: the remapped images (g, K planes) and the input's luma in integers (i).
  std::vector<Grid> g(L), iq(L);
  auto g0 = [&](int x, int y, int k) { return level0(x, y, k); };
  auto i0 = [&](int x, int y) { return static_cast<double>(luma(x, y)); };
  for (int l = 1; l < L; ++l) {
    g[l] = Grid(dx[l], dy[l], K);
    iq[l] = Grid(dx[l], dy[l], 1);
    for (int y = dy[l].lo; y <= dy[l].hi; ++y) {
      for (int x = dx[l].lo; x <= dx[l].hi; ++x) {
        for (int k = 0; k < K; ++k) {
          auto read = [&](int i, int j) { return l == 1 ? g0(i, j, k) : g[l - 1].at(i, j, k); };
          auto row = [&](int j) { return (read(2 * x - 1, j) + 3 * read(2 * x, j) + 3 * read(2 * x + 1, j) + read(2 * x + 2, j)) / 8; };
          g[l].at(x, y, k) = (row(2 * y - 1) + 3 * row(2 * y) + 3 * row(2 * y + 1) + row(2 * y + 2)) / 8;
        }
        auto read = [&](int i, int j) { return static_cast<int>(l == 1 ? i0(i, j) : iq[l - 1].at(i, j)); };
        auto row = [&](int j) { return read(2 * x - 1, j) + 3 * read(2 * x, j) + 3 * read(2 * x + 1, j) + read(2 * x + 2, j); };
        iq[l].at(x, y) = floorDiv(row(2 * y - 1) + 3 * row(2 * y) + 3 * row(2 * y + 1) + row(2 * y + 2) + 32, 64);
      }
    }
  }
  auto G = [&](int l, int x, int y, int k) { return l == 0 ? g0(x, y, k) : g[l].at(x, y, k); };
  auto I = [&](int l, int x, int y) { return static_cast<int>(l == 0 ? i0(x, y) : iq[l].at(x, y)); };
  // Up one level: 3/4 of the nearest coarse sample, 1/4 of the one beyond it.
  auto up = [&](auto&& f, int x, int y) {
    auto ux = [&](int j) {
      return x % 2 == 0 ? 0.25 * f(floorDiv(x - 2, 2), j) + 0.75 * f(floorDiv(x, 2), j)
                        : 0.75 * f(floorDiv(x, 2), j) + 0.25 * f(floorDiv(x + 2, 2), j);
    };
    return y % 2 == 0 ? 0.25 * ux(floorDiv(y - 2, 2)) + 0.75 * ux(floorDiv(y, 2)) : 0.75 * ux(floorDiv(y, 2)) + 0.25 * ux(floorDiv(y + 2, 2));
  };
  std::vector<Grid> o(L);
  for (int l = L - 1; l >= 0; --l) {
    o[l] = Grid(rx[l], ry[l], 1);
    for (int y = ry[l].lo; y <= ry[l].hi; ++y) {
      for (int x = rx[l].lo; x <= rx[l].hi; ++x) {
        auto coefficient = [&](int k) {
          if (l == L - 1) return G(l, x, y, k);
          return G(l, x, y, k) - up([&](int i, int j) { return G(l + 1, i, j, k); }, x, y);
        };
        int t = I(l, x, y) * (K - 1), lo = std::clamp(t / 65535, 0, K - 2);
        double w = static_cast<double>(t - lo * 65535) / 65535.0;
        double picked = (1 - w) * coefficient(lo) + w * coefficient(lo + 1);
        o[l].at(x, y) = l == L - 1 ? picked : up([&](int i, int j) { return o[l + 1].at(i, j); }, x, y) + picked;
      }
    }
  }
  std::vector<float> out(static_cast<size_t>(W) * H * 3);
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < H; ++y) {
      for (int x = 0; x < W; ++x) {
        double ratio = (src(x, y, c) / 65535.0 + 0.01) / (luma(x, y) / 65535.0 + 0.01);
        out[(static_cast<size_t>(c) * H + y) * W + x] = static_cast<float>(std::clamp(o[0].at(x, y) * ratio, 0.0, 1.0));
      }
    }
  }
  return out;
}

/// The photograph's top-left w x h corner as planar u16 RGB (each 8-bit value times 257, plus a
/// fixed pseudo-random low byte, so every intensity bit varies).
Halide::Buffer<uint16_t> rgb16(int w, int h) {
  Halide::Buffer<uint8_t> rgb = loadImage("chelsea.png");
  Halide::Buffer<uint16_t> out(w, h, 3);
  uint32_t state = 4242;
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        state = state * 1664525u + 1013904223u;
        out(x, y, c) = static_cast<uint16_t>(std::min(rgb(x, y, c) * 256 + static_cast<int>(state >> 24), 65535));
      }
    }
  }
  return out;
}

TEST(AppsVsReference, LocalLaplacian) {
  // The luma, the table indices and the input's pyramid are integers: exact in both. The float
  // part is about 40 roundings deep (8 levels down, 8 up, each a few multiply-adds of values
  // below 2, which vector code may fuse); the outputs are in [0, 1] and scaled by the color
  // ratio (at most 101 for a black luma under a bright channel, but then the value is clamped):
  // 1e-5 allows a few ulps per level.
  // One compile (about 40 s) for every size and parameter set.
  const std::vector<std::pair<int, int>> sizes = {{317, 211}, {37, 29}, {1, 1}};
  const std::vector<std::pair<double, double>> settings = {{1.0, 1.0}, {3.0, 0.5}};
  std::vector<JitCall> calls;
  for (auto [alpha, beta] : settings) {
    for (auto [w, h] : sizes) calls.push_back({{rgb16(w, h)}, {{"alpha", alpha}, {"beta", beta}}});
  }
  std::vector<JitRun> runs = runJitEach(appSource("local_laplacian"), calls, "heuristic", "local_laplacian", "local_laplacian.fov");
  for (size_t i = 0; i < calls.size(); ++i) {
    auto [w, h] = sizes[i % sizes.size()];
    auto [alpha, beta] = settings[i / sizes.size()];
    const JitRun& run = runs[i];
    ASSERT_TRUE(run.error.empty()) << run.error;
    ASSERT_EQ(run.outputs.size(), 1u);
    std::vector<float> ref = localLaplacianReference(Halide::Buffer<uint16_t>(calls[i].inputs[0]), alpha, beta);
    FloatDiff d = compareFloat(run.outputs[0], ref, w, h, 3, 1e-5);
    EXPECT_EQ(d.nonFinite, 0) << w << "x" << h;
    EXPECT_EQ(d.beyond, 0) << w << "x" << h << " alpha " << alpha << " beta " << beta << ", worst " << d.worst;
  }
}

}  // namespace
}  // namespace fovea::test
