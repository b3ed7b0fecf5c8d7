// Every example, compiled ahead of time (the default fat x86-64 library, as a product ships it),
// against OpenCV doing the same job and a memcpy of the same bytes, at 1920x1080 and 3840x2160.
// Only the call is timed. Run through bench/run.sh, which asks for medians of repetitions and
// turns the JSON into a table of ratios.
#include <benchmark/benchmark.h>

#include <cstring>

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

void Blur3_Fovea(benchmark::State& state) {
  cv::Mat in = frame(state.range(0), state.range(1), CV_8UC3), out(in.size(), in.type());
  Buffer<uint8_t> a = wrap(in), b = wrap(out);
  for (auto _ : state) {
    if (blur3(a, 1.0f, b) != 0) state.SkipWithError(blur3_last_error());
  }
  setBytes(state, in, out);
}

void Blur3_OpenCV(benchmark::State& state) {  // a 3x3 box blur blended with the original (strength 1: all blur)
  cv::Mat in = frame(state.range(0), state.range(1), CV_8UC3), out(in.size(), in.type()), tmp;
  for (auto _ : state) {
    cv::blur(in, tmp, cv::Size(3, 3), cv::Point(-1, -1), cv::BORDER_REFLECT_101);
    cv::addWeighted(in, 0.0, tmp, 1.0, 0.0, out);
  }
  setBytes(state, in, out);
}

void Unsharp_Fovea(benchmark::State& state) {
  cv::Mat in = frame(state.range(0), state.range(1), CV_8UC3), out(in.size(), in.type());
  Buffer<uint8_t> a = wrap(in), b = wrap(out);
  for (auto _ : state) {
    if (unsharp(a, 1.0f, 0.0f, b) != 0) state.SkipWithError(unsharp_last_error());
  }
  setBytes(state, in, out);
}

void Unsharp_OpenCV(benchmark::State& state) {  // GaussianBlur 5x5 (the same binomial taps) + addWeighted
  cv::Mat in = frame(state.range(0), state.range(1), CV_8UC3), out(in.size(), in.type()), blurred;
  for (auto _ : state) {
    cv::GaussianBlur(in, blurred, cv::Size(5, 5), 0, 0, cv::BORDER_REFLECT_101);
    cv::addWeighted(in, 2.0, blurred, -1.0, 0.0, out);
  }
  setBytes(state, in, out);
}

void Edges_Fovea(benchmark::State& state) {
  cv::Mat in = frame(state.range(0), state.range(1), CV_8UC3), out(in.size(), CV_8UC1);
  Buffer<uint8_t> a = wrap(in), b = wrap(out);
  for (auto _ : state) {
    if (edges(a, b) != 0) state.SkipWithError(edges_last_error());
  }
  setBytes(state, in, out);
}

void Edges_OpenCV(benchmark::State& state) {  // gray, 3x3 Gaussian, Sobel x and y, magnitude, to u8
  cv::Mat in = frame(state.range(0), state.range(1), CV_8UC3), out(in.size(), CV_8UC1), gray, smooth, gx, gy, mag;
  for (auto _ : state) {
    cv::cvtColor(in, gray, cv::COLOR_RGB2GRAY);
    cv::GaussianBlur(gray, smooth, cv::Size(3, 3), 0, 0, cv::BORDER_REFLECT_101);
    cv::Sobel(smooth, gx, CV_32F, 1, 0, 3);
    cv::Sobel(smooth, gy, CV_32F, 0, 1, 3);
    cv::magnitude(gx, gy, mag);
    mag.convertTo(out, CV_8U, 0.25);
  }
  setBytes(state, in, out);
}

void Halve_Fovea(benchmark::State& state) {
  cv::Mat in = frame(state.range(0), state.range(1), CV_8UC3), out(in.rows / 2, in.cols / 2, CV_8UC3);
  Buffer<uint8_t> a = wrap(in), b = wrap(out);
  Buffer<float> mean(3);
  for (auto _ : state) {
    if (halve(a, b, mean) != 0) state.SkipWithError(halve_last_error());
  }
  setBytes(state, in, out);
}

void Halve_OpenCV(benchmark::State& state) {  // 2x2 area downscale + per-channel mean
  cv::Mat in = frame(state.range(0), state.range(1), CV_8UC3), out;
  for (auto _ : state) {
    cv::resize(in, out, cv::Size(in.cols / 2, in.rows / 2), 0, 0, cv::INTER_AREA);
    benchmark::DoNotOptimize(cv::mean(in));
  }
  setBytes(state, in, out);
}

void Histogram_Fovea(benchmark::State& state) {
  cv::Mat in = frame(state.range(0), state.range(1), CV_8UC1);
  Buffer<uint8_t> a = wrap(in);
  Buffer<uint32_t> hist(256);
  for (auto _ : state) {
    if (histogram(a, hist) != 0) state.SkipWithError(histogram_last_error());
  }
  setBytes(state, in, cv::Mat());
}

void Histogram_OpenCV(benchmark::State& state) {
  cv::Mat in = frame(state.range(0), state.range(1), CV_8UC1), hist;
  int channels[] = {0}, bins[] = {256};
  float range[] = {0, 256};
  const float* ranges[] = {range};
  for (auto _ : state) cv::calcHist(&in, 1, channels, cv::Mat(), hist, 1, bins, ranges);
  setBytes(state, in, cv::Mat());
}

void sizes(benchmark::internal::Benchmark* b) {
  b->Args({1920, 1080})->Args({3840, 2160})->Unit(benchmark::kMillisecond)->UseRealTime();
}

BENCHMARK(Memcpy_RGB)->Apply(sizes);
BENCHMARK(Blur3_Fovea)->Apply(sizes);
BENCHMARK(Blur3_OpenCV)->Apply(sizes);
BENCHMARK(Unsharp_Fovea)->Apply(sizes);
BENCHMARK(Unsharp_OpenCV)->Apply(sizes);
BENCHMARK(Edges_Fovea)->Apply(sizes);
BENCHMARK(Edges_OpenCV)->Apply(sizes);
BENCHMARK(Halve_Fovea)->Apply(sizes);
BENCHMARK(Halve_OpenCV)->Apply(sizes);
BENCHMARK(Histogram_Fovea)->Apply(sizes);
BENCHMARK(Histogram_OpenCV)->Apply(sizes);

}  // namespace

BENCHMARK_MAIN();
