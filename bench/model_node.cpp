// The cost of a model node through Fovea's runtime against OpenCV DNN called directly on the same
// tensor (the tiny CNN of examples/models, 1x3x32x32), and the whole classify example on a
// 1920x1080 frame. Run: build/bench/model_node --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <opencv2/dnn.hpp>

#include "fovea/runtime.hpp"

namespace {

const std::string kLibs = FOVEA_BENCH_MODELS_DIR;
const std::string kModel = std::string(FOVEA_EXAMPLES_DIR) + "/models/tiny_cnn.onnx";

fovea::Image tensor() {
  fovea::Image t(halide_type_of<float>(), 32, 32, 3, 1);
  Halide::Runtime::Buffer<float> v(t);
  v.for_each_element([&](const int* p) { v(p) = static_cast<float>((p[0] * 7 + p[1] * 3 + p[2] * 11) % 17) / 17.0f - 0.5f; });
  return t;
}

void OpenCvDnnDirect(benchmark::State& state) {
  cv::dnn::Net net = cv::dnn::readNetFromONNX(kModel);
  fovea::Image t = tensor();
  int sizes[4] = {1, 3, 32, 32};
  cv::Mat blob(4, sizes, CV_32F, t.data());
  for (auto _ : state) {
    net.setInput(blob);
    cv::Mat out = net.forward();
    benchmark::DoNotOptimize(out.data);
  }
}

void FoveaModelNode(benchmark::State& state) {
  fovea::Pipeline p = fovea::Pipeline::open(kLibs, "cnn_node");
  std::vector<fovea::Image> in = {tensor()}, out;
  for (auto _ : state) p.run(in, {}, out);
}

void FoveaClassify1080p(benchmark::State& state) {
  fovea::Pipeline p = fovea::Pipeline::open(kLibs, "classify");
  fovea::Image frame = fovea::Image::make_interleaved(halide_type_of<uint8_t>(), 1920, 1080, 3);
  Halide::Runtime::Buffer<uint8_t>(frame).fill(90);
  std::vector<fovea::Image> in = {frame}, out;
  for (auto _ : state) p.run(in, {}, out);
}

BENCHMARK(OpenCvDnnDirect)->Unit(benchmark::kMicrosecond);
BENCHMARK(FoveaModelNode)->Unit(benchmark::kMicrosecond);
BENCHMARK(FoveaClassify1080p)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
