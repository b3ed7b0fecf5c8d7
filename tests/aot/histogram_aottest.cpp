// AOT pair test for examples/histogram.fov (compiled for the generic x86-64 target), linked into
// the same program as the blur3 library: two Fovea libraries must not clash.
#include <gtest/gtest.h>

#include <vector>

#include "HalideBuffer.h"
#include "blur3.h"
#include "histogram.h"

namespace {

using Halide::Runtime::Buffer;

TEST(HistogramAot, CountsEveryPixelOnce) {
  Buffer<uint8_t> in(131, 77);
  std::vector<uint32_t> expected(256, 0);
  in.for_each_element([&](int x, int y) {
    in(x, y) = static_cast<uint8_t>((x * 7 + y * 13 + x * y) % 256);
    ++expected[in(x, y)];
  });
  Buffer<uint32_t> out(256);
  ASSERT_EQ(histogram(in, out), 0) << histogram_last_error();
  for (int i = 0; i < 256; ++i) EXPECT_EQ(out(i), expected[i]) << i;
}

TEST(HistogramAot, TwoLibrariesInOneProgram) {
  Buffer<uint8_t> rgb = Buffer<uint8_t>::make_interleaved(40, 30, 3);
  rgb.fill(100);
  Buffer<uint8_t> blurred = Buffer<uint8_t>::make_interleaved(40, 30, 3);
  ASSERT_EQ(blur3(rgb, 1.0f, blurred), 0) << blur3_last_error();
  blurred.for_each_value([](uint8_t v) { EXPECT_EQ(v, 100); });
  Buffer<uint8_t> gray(40, 30);
  gray.fill(7);
  Buffer<uint32_t> hist(256);
  ASSERT_EQ(histogram(gray, hist), 0) << histogram_last_error();
  EXPECT_EQ(hist(7), 40u * 30u);
  Buffer<uint16_t> wrong(40, 30);
  EXPECT_NE(histogram(wrong, hist), 0);
  EXPECT_NE(std::string(histogram_last_error()), "");
}

}  // namespace
