// The runtime, from a program that links only libfovea_runtime (no compiler, no libHalide): it
// opens libraries `fovea compile` wrote at build time (blur3, halve: shared; histogram: linked
// statically into this program), describes them, checks and binds arguments, runs them from many
// threads, and reports failures in the pipeline's terms.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <thread>

#include "fovea/runtime.h"
#include "fovea/runtime.hpp"
#include "failure_of.h"
#include "../aot/blur3_reference.h"
#include "histogram.h"

namespace {

using fovea::Image;

const std::string kDir = FOVEA_AOT_DIR;

Image photo(int w, int h, int seed = 0) {
  Image b = Image::make_interleaved(halide_type_of<uint8_t>(), w, h, 3);
  Halide::Runtime::Buffer<uint8_t> v(b);
  v.for_each_element([&](int x, int y, int c) { v(x, y, c) = static_cast<uint8_t>((x * x + 3 * y * y / 7 + 91 * c + x * y + seed * 13) % 251); });
  return b;
}

fovea::test::Blur3Error blur3Error(const Image& input, const Image& output, float strength) {
  return fovea::test::blur3Error(Halide::Runtime::Buffer<const uint8_t>(input), Halide::Runtime::Buffer<const uint8_t>(output), strength);
}

using fovea::test::failureOf;

TEST(Runtime, OpensAnArtifactDirectoryAndDescribesThePipeline) {
  fovea::Pipeline p = fovea::Pipeline::open(kDir, "blur3");
  EXPECT_EQ(p.name(), "blur3");
  ASSERT_EQ(p.inputs().size(), 1u);
  EXPECT_EQ(p.inputs()[0]->name, "input");
  EXPECT_EQ(p.inputs()[0]->dims, (std::vector<std::string>{"x", "y", "c"}));
  ASSERT_EQ(p.params().size(), 1u);
  EXPECT_EQ(p.params()[0]->name, "strength");
  EXPECT_EQ(*p.params()[0]->defaultValue, 1.0);
  EXPECT_EQ(*p.params()[0]->min, 0.0);
  EXPECT_EQ(*p.params()[0]->max, 1.0);
  EXPECT_NE(p.describe().find("strength: f32 = 1 in [0, 1]"), std::string::npos) << p.describe();
  // The same pipeline through its shared library and its manifest.
  EXPECT_EQ(fovea::Pipeline::open(kDir + "/libblur3.so").name(), "blur3");
  EXPECT_EQ(fovea::Pipeline::open(kDir + "/blur3.manifest.json").name(), "blur3");
}

TEST(Runtime, RunsOnInterleavedAndPlanarImagesAndReusesOutputs) {
  fovea::Pipeline p = fovea::Pipeline::open(kDir, "blur3");
  Image interleaved = photo(67, 45);
  Image planar(halide_type_of<uint8_t>(), 67, 45, 3);
  planar.copy_from(interleaved);
  for (Image* in : {&interleaved, &planar}) {
    std::vector<Image> out = p.run({*in}, {{"strength", 0.6}});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].dim(2).stride(), 1) << "3-channel outputs come interleaved, as OpenCV stores them";
    fovea::test::Blur3Error e = blur3Error(*in, out[0], 0.6f);
    EXPECT_TRUE(e.withinRounding()) << e;
    const void* first = out[0].data();
    p.run({*in}, {}, out);
    EXPECT_EQ(out[0].data(), first) << "an output of the right shape is reused";
    e = blur3Error(*in, out[0], 1.0f);
    EXPECT_TRUE(e.withinRounding()) << e;
  }
}

TEST(Runtime, SizesOutputsFromTheManifestRules) {
  fovea::Pipeline p = fovea::Pipeline::open(kDir, "halve");
  Image in = photo(101, 57);
  std::vector<std::vector<int>> shapes = p.outputShapes({in});
  EXPECT_EQ(shapes, (std::vector<std::vector<int>>{{50, 28, 3}, {3}}));
  std::vector<Image> out = p.run({in});
  Halide::Runtime::Buffer<const uint8_t> small(out[0]), src(in);
  EXPECT_EQ(small(3, 4, 1), (src(6, 8, 1) + src(7, 8, 1) + src(6, 9, 1) + src(7, 9, 1) + 2) / 4);
  double sum = 0;
  src.for_each_element([&](int x, int y, int c) { sum += c == 2 ? src(x, y, c) : 0; });
  EXPECT_NEAR(Halide::Runtime::Buffer<const float>(out[1])(2), sum / (101 * 57), 1e-3);
}

TEST(Runtime, BadArgumentsAreClearErrorsNamingPipelineAndArgument) {
  fovea::Pipeline p = fovea::Pipeline::open(kDir, "blur3");
  Image in = photo(32, 16);
  std::string e = failureOf([&] { p.run({in}, {{"strength", 1.5}}); });
  EXPECT_NE(e.find("pipeline 'blur3': parameter 'strength' is 1.5, outside its range [0, 1]"), std::string::npos) << e;
  e = failureOf([&] { p.run({in}, {{"amount", 1}}); });
  EXPECT_NE(e.find("has no parameter 'amount' (it has: strength)"), std::string::npos) << e;
  e = failureOf([&] { p.run({Image(halide_type_of<uint16_t>(), 32, 16, 3)}); });
  EXPECT_NE(e.find("input 'input' (u8[x, y, c]): got u16 elements"), std::string::npos) << e;
  e = failureOf([&] { p.run({Image(halide_type_of<uint8_t>(), 32, 16)}); });
  EXPECT_NE(e.find("got 2 dimensions, expected 3"), std::string::npos) << e;
  e = failureOf([&] { p.run({}); });
  EXPECT_NE(e.find("takes 1 input, got 0"), std::string::npos) << e;
  // A gray image given as one channel to a pipeline that reads R, G and B: the compiled code
  // finds it, and the runtime says it in the script's terms.
  fovea::Pipeline toGray = fovea::Pipeline::open(kDir, "to_gray");
  Image gray = Image::make_interleaved(halide_type_of<uint8_t>(), 32, 16, 1);
  e = failureOf([&] { toGray.run({photo(8, 8)}, {{"bias", 300}}); });
  EXPECT_NE(e.find("parameter 'bias' is u8: 300 does not fit (0 to 255)"), std::string::npos) << e;
  e = failureOf([&] { toGray.run({gray}); });
  EXPECT_NE(e.find("pipeline 'to_gray': input 'input' is read at c = 2, past its last index 0 (the image has 1 channel"), std::string::npos) << e;
}

TEST(Runtime, OpeningSomethingElseIsAClearError) {
  EXPECT_NE(failureOf([] { fovea::Pipeline::open("/nonexistent/dir"); }).find("no such file or directory"), std::string::npos);
  EXPECT_NE(failureOf([] { fovea::Pipeline::open(kDir, "nope"); }).find("has no pipeline 'nope'"), std::string::npos);
  EXPECT_NE(failureOf([] { fovea::Pipeline::open(kDir); }).find("holds several pipelines"), std::string::npos);
  std::string notALibrary = ::testing::TempDir() + "/libbroken.so";
  FILE* f = std::fopen(notALibrary.c_str(), "w");
  std::fputs("not an ELF file", f);
  std::fclose(f);
  EXPECT_NE(failureOf([&] { fovea::Pipeline::open(notALibrary); }).find("is not a shared library (not an ELF file)"), std::string::npos);
}

TEST(Runtime, ManyThreadsRunTheSamePipeline) {
  fovea::Pipeline p = fovea::Pipeline::open(kDir, "blur3");
  const int kThreads = 8, kRounds = 12;
  std::vector<Image> inputs, expected;
  for (int t = 0; t < kThreads; ++t) {
    inputs.push_back(photo(96 + t, 64 + 3 * t, t));
    expected.push_back(p.run({inputs.back()})[0]);
  }
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<Image> out;
      for (int r = 0; r < kRounds; ++r) {
        p.run({inputs[t]}, {}, out);
        if (std::memcmp(out[0].data(), expected[t].data(), out[0].size_in_bytes()) != 0) ++mismatches[t];
        if (r % 4 == 3) EXPECT_NE(failureOf([&] { p.run({inputs[t]}, {{"strength", -1}}); }), "");
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

TEST(Runtime, LinkedPipelinesRegisterThemselves) {
  std::vector<std::string> linked = fovea::linkedPipelines();
  EXPECT_NE(std::find(linked.begin(), linked.end(), "histogram"), linked.end());
  fovea::Pipeline byName = fovea::Pipeline::linked("histogram");
  fovea::Pipeline direct = fovea::Pipeline::fromLinked(histogram_fovea_pipeline());
  Image gray(halide_type_of<uint8_t>(), 40, 30);
  Halide::Runtime::Buffer<uint8_t>(gray).fill(7);
  std::vector<Image> a = byName.run({gray}), b = direct.run({gray});
  EXPECT_EQ(Halide::Runtime::Buffer<const uint32_t>(a[0])(7), 1200u);
  EXPECT_EQ(std::memcmp(a[0].data(), b[0].data(), a[0].size_in_bytes()), 0);
}

TEST(Runtime, CInterface) {
  fovea_pipeline* p = nullptr;
  ASSERT_EQ(fovea_open(kDir.c_str(), "halve", &p), 0) << fovea_last_error();
  EXPECT_STREQ(fovea_name(p), "halve");
  EXPECT_EQ(fovea_input_count(p), 1);
  EXPECT_EQ(fovea_output_count(p), 2);
  Image in = photo(20, 10);
  const halide_buffer_t* inputs[] = {in.raw_buffer()};
  int extents[3] = {0, 0, 0};
  ASSERT_EQ(fovea_output_shape(p, inputs, nullptr, 0, extents), 0) << fovea_last_error();
  EXPECT_EQ(extents[0], 10);
  EXPECT_EQ(extents[1], 5);
  Image small = Image::make_interleaved(halide_type_of<uint8_t>(), 10, 5, 3);
  Image mean(halide_type_of<float>(), 3);
  halide_buffer_t* outputs[] = {small.raw_buffer(), mean.raw_buffer()};
  EXPECT_EQ(fovea_run(p, inputs, nullptr, outputs), 0) << fovea_last_error();
  Image wrong = Image::make_interleaved(halide_type_of<uint8_t>(), 11, 5, 3);
  halide_buffer_t* wrongOutputs[] = {wrong.raw_buffer(), mean.raw_buffer()};
  EXPECT_NE(fovea_run(p, inputs, nullptr, wrongOutputs), 0);
  EXPECT_NE(std::string(fovea_last_error()).find("output 'small'"), std::string::npos) << fovea_last_error();
  fovea_close(p);
  EXPECT_NE(fovea_open("/nonexistent", nullptr, &p), 0);
  EXPECT_EQ(p, nullptr);
  EXPECT_NE(std::string(fovea_last_error()).find("no such file"), std::string::npos);
}

}  // namespace

#include "fovea/json.h"

namespace {

TEST(Json, NumbersAreWrittenShortestAndReadBackExactly) {
  for (double v : {0.1, 0.5, -2.25, 1e-7, 3.4028234663852886e38, 1.0 / 3.0, 123456789.0, -4.0}) {
    std::string text = fovea::json::Value(v).dump(-1);
    std::string error;
    auto back = fovea::json::parse(text, &error);
    ASSERT_TRUE(back) << error;
    EXPECT_EQ(back->asNumber(), v) << text;
  }
  EXPECT_EQ(fovea::json::Value(0.1).dump(-1), "0.1");
  EXPECT_EQ(fovea::json::Value(-4.0).dump(-1), "-4");
  EXPECT_EQ(fovea::json::Value(1.0 / 3.0).dump(-1), "0.3333333333333333");
}

}  // namespace
