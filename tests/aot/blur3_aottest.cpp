// AOT pair test: examples/blur3.fov is compiled at build time by `fovea compile` (the default fat
// x86-64 library); this program links only that library and uses only the Halide runtime
// headers: no libHalide, no LLVM, no compiler code.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>

#include "HalideBuffer.h"
#include "HalideRuntime.h"
#include "blur3.h"
#include "blur3_reference.h"

namespace {

using Halide::Runtime::Buffer;

Buffer<uint8_t> photo(int w, int h) {
  Buffer<uint8_t> b = Buffer<uint8_t>::make_interleaved(w, h, 3);
  b.for_each_element([&](int x, int y, int c) { b(x, y, c) = static_cast<uint8_t>((x * x + 3 * y * y / 7 + 91 * c + x * y) % 251); });
  return b;
}

TEST(Blur3Aot, MatchesReferenceOnInterleavedAndPlanarImages) {
  const int w = 67, h = 45;
  Buffer<uint8_t> interleaved = photo(w, h);
  Buffer<uint8_t> planar(w, h, 3);
  planar.copy_from(interleaved);
  for (Buffer<uint8_t>* in : {&interleaved, &planar}) {
    Buffer<uint8_t> out = in->dim(0).stride() == 3 ? Buffer<uint8_t>::make_interleaved(w, h, 3) : Buffer<uint8_t>(w, h, 3);
    float strength = 0.6f;
    ASSERT_EQ(blur3(*in, strength, out), 0);
    fovea::test::Blur3Error e = fovea::test::blur3Error(*in, out, strength);
    EXPECT_TRUE(e.withinRounding()) << e;
  }
}

TEST(Blur3Aot, InstallsACachingAllocator) {
  // Per-strip intermediate buffers come from a cache instead of the system (see library.cpp).
  halide_malloc_t previous = halide_set_custom_malloc(halide_default_malloc);
  EXPECT_NE(previous, &halide_default_malloc);
  halide_set_custom_malloc(previous);
}

std::string lastError;
void recordError(void*, const char* message) { lastError = message; }

TEST(Blur3Aot, FailuresReturnAnErrorCodeNeverAbort) {
  // No handler installed by this program: the library's own records the message.
  Buffer<uint8_t> in = photo(16, 16);
  Buffer<uint8_t> out = Buffer<uint8_t>::make_interleaved(16, 16, 3);
  EXPECT_NE(blur3(in, 2.0f, out), 0);
  EXPECT_NE(std::string(blur3_last_error()).find("strength"), std::string::npos) << blur3_last_error();
  Buffer<uint8_t> small = Buffer<uint8_t>::make_interleaved(8, 8, 3);
  EXPECT_EQ(blur3(in, 0.5f, small), 0);  // a smaller output is a crop: fine
  EXPECT_STREQ(blur3_last_error(), "");
  Buffer<float> wrongType(16, 16, 3);
  EXPECT_NE(blur3(in, 0.5f, wrongType), 0);
  EXPECT_NE(std::string(blur3_last_error()).find("type"), std::string::npos) << blur3_last_error();
}

TEST(Blur3Aot, FailuresReturnAnErrorCodeAndAMessage) {
  halide_set_error_handler(recordError);
  Buffer<uint8_t> in = photo(16, 16);
  Buffer<uint8_t> out = Buffer<uint8_t>::make_interleaved(16, 16, 3);
  lastError.clear();
  EXPECT_NE(blur3(in, 2.0f, out), 0);  // strength is declared in [0.0, 1.0]
  EXPECT_NE(lastError.find("strength"), std::string::npos) << lastError;
}

}  // namespace
