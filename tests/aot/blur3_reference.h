#pragma once
// examples/blur3.fov written as plain loops, for the tests that run its compiled library (directly
// or through the runtime): a 3x3 box blur with reflect101 borders, mixed with the image.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <ostream>

#include "HalideBuffer.h"

namespace fovea::test {

inline int reflect101(int p, int n) {
  if (n == 1) return 0;  // a 1-pixel image reflects onto its only pixel
  while (p < 0 || p >= n) p = p < 0 ? -p : 2 * n - 2 - p;
  return p;
}

/// How far an output is from the reference: the largest difference, and how many values differ.
struct Blur3Error {
  int worst = 0;
  int64_t differing = 0, total = 0;
  /// What blur3's float arithmetic allows: a value landing within rounding noise of .5 can round
  /// either way (FMA, vector evaluation order), so by 1, on at most 1 value in 1000. An error on
  /// every pixel (an off-by-one in the code) fails.
  bool withinRounding() const { return worst <= 1 && differing * 1000 <= total; }
};

inline std::ostream& operator<<(std::ostream& os, const Blur3Error& e) {
  return os << "largest difference " << e.worst << ", " << e.differing << " of " << e.total << " values differ";
}

/// `out` against the reference for `in` (any layouts).
inline Blur3Error blur3Error(const Halide::Runtime::Buffer<const uint8_t>& in, const Halide::Runtime::Buffer<const uint8_t>& out, float strength) {
  int w = in.width(), h = in.height();
  float wgt = strength * 0.5f + 0.5f;
  auto f = [&](int x, int y, int c) { return static_cast<float>(in(reflect101(x, w), reflect101(y, h), c)); };
  auto bx = [&](int x, int y, int c) { return (f(x - 1, y, c) + f(x, y, c) + f(x + 1, y, c)) / 3.0f; };
  Blur3Error e;
  out.for_each_element([&](int x, int y, int c) {
    float by = (bx(x, y - 1, c) + bx(x, y, c) + bx(x, y + 1, c)) / 3.0f;
    float v = f(x, y, c) * (1 - wgt) + by * wgt;
    int want = static_cast<int>(std::min(255.0f, std::max(0.0f, std::nearbyint(v))));
    int d = std::abs(want - out(x, y, c));
    e.worst = std::max(e.worst, d);
    e.differing += d != 0;
    ++e.total;
  });
  return e;
}

}  // namespace fovea::test
