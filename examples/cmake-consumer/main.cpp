// Runs the sharpen pipeline (linked in statically by fovea_add_pipeline) through Fovea's runtime
// on a synthetic color image, checks it against the same filter written here, and prints it.
#include <cmath>
#include <cstdio>

#include "fovea/runtime.hpp"
#include "sharpen.h"

int main() {
  const int w = 64, h = 48;
  fovea::Image input = fovea::Image::make_interleaved(halide_type_of<uint8_t>(), w, h, 3);
  Halide::Runtime::Buffer<uint8_t> in(input);
  in.for_each_element([&](int x, int y, int c) { in(x, y, c) = static_cast<uint8_t>((x * 7 + y * 13 + c * 60 + (x * y) % 17) % 256); });

  try {
    fovea::Pipeline sharpen = fovea::Pipeline::fromLinked(sharpen_fovea_pipeline());
    std::printf("%s\n", sharpen.describe().c_str());
    std::vector<fovea::Image> out = sharpen.run({input}, {{"amount", 1.5}});
    Halide::Runtime::Buffer<const uint8_t> result(out[0]);
    auto at = [&](int x, int y, int c) {
      return static_cast<float>(in(std::min(std::max(x, 0), w - 1), std::min(std::max(y, 0), h - 1), c));
    };
    int worst = 0, differing = 0;
    result.for_each_element([&](int x, int y, int c) {
      float blur = (at(x - 1, y, c) + at(x + 1, y, c) + at(x, y - 1, c) + at(x, y + 1, c)) / 4.0f;
      float v = at(x, y, c) + 1.5f * (at(x, y, c) - blur);
      int want = static_cast<int>(std::min(255.0f, std::max(0.0f, std::nearbyint(v))));
      int d = std::abs(want - result(x, y, c));
      worst = std::max(worst, d);
      differing += d != 0;
    });
    // Float rounding next to .5 may go either way (vector code, FMA): by 1, on at most 1 value in 1000.
    int total = w * h * 3;
    std::printf("sharpened %dx%d: largest difference from the reference %d, %d of %d values differ\n", w, h, worst, differing, total);
    return worst <= 1 && differing * 1000 <= total ? 0 : 1;
  } catch (const fovea::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
