// Every example, compiled ahead of time (the default fat x86-64 library, as a product ships it),
// against OpenCV doing the same job and a memcpy of the same bytes, at 1920x1080 and 3840x2160.
// Only the call is timed; before timing, each Fovea output is compared with OpenCV's (counters
// max_diff and differing_pct). Run through bench/run.sh, which asks for medians of repetitions over
// several rounds and turns the JSON into a table of ratios.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "HalideBuffer.h"
#include "blur3.h"
#include "edges.h"
#include "halve.h"
#include "histogram.h"
#include "unsharp.h"

namespace {

using Halide::Runtime::Buffer;

cv::Mat frame(int w, int h, int type) {
  cv::Mat m(h, w, type);
  cv::RNG rng(7);
  cv::Mat noise(h, w, type);
  rng.fill(noise, cv::RNG::UNIFORM, 0, 255);
  cv::GaussianBlur(noise, m, cv::Size(9, 9), 3);  // photo-like: smooth, with some texture
  return m;
}

Buffer<uint8_t> wrap(cv::Mat& m) {
  if (m.channels() == 1) return Buffer<uint8_t>(m.data, {{0, m.cols, 1}, {0, m.rows, static_cast<int>(m.step1())}});
  return Buffer<uint8_t>(m.data, {{0, m.cols, m.channels()}, {0, m.rows, static_cast<int>(m.step1())}, {0, m.channels(), 1}});
}

void setBytes(benchmark::State& state, const cv::Mat& in, const cv::Mat& out) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(in.total() * in.elemSize() + out.total() * out.elemSize()));
  state.counters["megapixels"] = in.cols * in.rows / 1e6;
}

void Memcpy_RGB(benchmark::State& state) {
  cv::Mat in = frame(state.range(0), state.range(1), CV_8UC3), out(in.size(), in.type());
  for (auto _ : state) {
    std::memcpy(out.data, in.data, in.total() * in.elemSize());
    benchmark::ClobberMemory();
  }
  setBytes(state, in, out);
}

// Each example as Fovea runs it and as an OpenCV user would write it, so that the benchmarks time
// these calls and the comparison below checks that both compute the same image.
int blur3Fovea(cv::Mat& in, cv::Mat& out) {
  Buffer<uint8_t> a = wrap(in), b = wrap(out);
  return blur3(a, 1.0f, b);
}
void blur3OpenCV(cv::Mat& in, cv::Mat& out) {  // strength 1 is the 3x3 box blur alone
  cv::blur(in, out, cv::Size(3, 3), cv::Point(-1, -1), cv::BORDER_REFLECT_101);
}

int unsharpFovea(cv::Mat& in, cv::Mat& out) {
  Buffer<uint8_t> a = wrap(in), b = wrap(out);
  return unsharp(a, 1.0f, 0.0f, b);
}
void unsharpOpenCV(cv::Mat& in, cv::Mat& out) {  // GaussianBlur 5x5 (the same binomial taps) + addWeighted
  cv::Mat blurred;
  cv::GaussianBlur(in, blurred, cv::Size(5, 5), 0, 0, cv::BORDER_REFLECT_101);
  cv::addWeighted(in, 2.0, blurred, -1.0, 0.0, out);
}

int edgesFovea(cv::Mat& in, cv::Mat& out) {
  Buffer<uint8_t> a = wrap(in), b = wrap(out);
  return edges(a, b);
}
void edgesOpenCV(cv::Mat& in, cv::Mat& out) {  // gray, 3x3 Gaussian, Sobel x and y, magnitude, to u8
  cv::Mat gray, smooth, gx, gy, mag;
  cv::cvtColor(in, gray, cv::COLOR_RGB2GRAY);
  cv::GaussianBlur(gray, smooth, cv::Size(3, 3), 0, 0, cv::BORDER_REFLECT_101);
  cv::Sobel(smooth, gx, CV_32F, 1, 0, 3);
  cv::Sobel(smooth, gy, CV_32F, 0, 1, 3);
  cv::magnitude(gx, gy, mag);
  mag.convertTo(out, CV_8U, 0.25);
}

int halveFovea(cv::Mat& in, cv::Mat& out) {
  Buffer<uint8_t> a = wrap(in), b = wrap(out);
  Buffer<float> mean(3);
  return halve(a, b, mean);
}
void halveOpenCV(cv::Mat& in, cv::Mat& out) {  // 2x2 area downscale + per-channel mean
  cv::resize(in, out, cv::Size(in.cols / 2, in.rows / 2), 0, 0, cv::INTER_AREA);
  benchmark::DoNotOptimize(cv::mean(in));
}

int histogramFovea(cv::Mat& in, cv::Mat& out) {
  Buffer<uint8_t> a = wrap(in);
  Buffer<uint32_t> hist(reinterpret_cast<uint32_t*>(out.data), 256);
  return histogram(a, hist);
}
void histogramOpenCV(cv::Mat& in, cv::Mat& out) {
  int channels[] = {0}, bins[] = {256};
  float range[] = {0, 256};
  const float* ranges[] = {range};
  cv::Mat hist;
  cv::calcHist(&in, 1, channels, cv::Mat(), hist, 1, bins, ranges);
  hist.convertTo(out, CV_32S);  // counts below 2^24 are exact in calcHist's floats
}

struct Example {
  const char* name;
  int inputType;
  int (*fovea)(cv::Mat&, cv::Mat&);
  void (*opencv)(cv::Mat&, cv::Mat&);
  const char* (*lastError)();
  cv::Mat output(const cv::Mat& in) const {
    if (fovea == halveFovea) return cv::Mat(in.rows / 2, in.cols / 2, in.type());
    if (fovea == edgesFovea) return cv::Mat(in.size(), CV_8UC1);
    if (fovea == histogramFovea) return cv::Mat(256, 1, CV_32S);
    return cv::Mat(in.size(), in.type());
  }
};

const Example kExamples[] = {
    {"Blur3", CV_8UC3, blur3Fovea, blur3OpenCV, blur3_last_error},
    {"Unsharp", CV_8UC3, unsharpFovea, unsharpOpenCV, unsharp_last_error},
    {"Edges", CV_8UC3, edgesFovea, edgesOpenCV, edges_last_error},
    {"Halve", CV_8UC3, halveFovea, halveOpenCV, halve_last_error},
    {"Histogram", CV_8UC1, histogramFovea, histogramOpenCV, histogram_last_error},
};

/// The Fovea side, timed; before timing, its output is compared with OpenCV's on the same frame and
/// the result goes into the report as counters: the largest difference and the share of values
/// that differ (OpenCV rounds intermediate images to 8 bits where Fovea keeps floats, so small
/// differences are expected; a broken pipeline shows here as large ones).
void Fovea(benchmark::State& state, const Example& ex) {
  cv::Mat in = frame(state.range(0), state.range(1), ex.inputType), out = ex.output(in), ref = ex.output(in);
  if (ex.fovea(in, out) != 0) {
    state.SkipWithError(ex.lastError());
    return;
  }
  ex.opencv(in, ref);
  cv::Mat diff;
  cv::absdiff(out.reshape(1), ref.reshape(1), diff);
  double worst = 0;
  cv::minMaxLoc(diff, nullptr, &worst);
  state.counters["max_diff"] = worst;
  state.counters["differing_pct"] = 100.0 * cv::countNonZero(diff) / static_cast<double>(diff.total());
  for (auto _ : state) {
    if (ex.fovea(in, out) != 0) state.SkipWithError(ex.lastError());
  }
  setBytes(state, in, out);
}

void OpenCV(benchmark::State& state, const Example& ex) {
  cv::Mat in = frame(state.range(0), state.range(1), ex.inputType), out = ex.output(in);
  for (auto _ : state) ex.opencv(in, out);
  setBytes(state, in, out);
}

void sizes(benchmark::internal::Benchmark* b) {
  b->Args({1920, 1080})->Args({3840, 2160})->Unit(benchmark::kMillisecond)->UseRealTime();
}

void registerAll() {
  benchmark::RegisterBenchmark("Memcpy_RGB", Memcpy_RGB)->Apply(sizes);
  for (const Example& ex : kExamples) {
    benchmark::RegisterBenchmark((std::string(ex.name) + "_Fovea").c_str(), Fovea, ex)->Apply(sizes);
    benchmark::RegisterBenchmark((std::string(ex.name) + "_OpenCV").c_str(), OpenCV, ex)->Apply(sizes);
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  registerAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
