// The GPU check: every example compiled twice ahead of time, for the CPU (AVX2) and for CUDA
// (AVX2 host + PTX), linked into this one self-contained program (no libHalide, no OpenCV: it runs
// on a GPU machine that has no Debian packages). It runs both on the same synthetic 1920x1080
// frames, compares the outputs and prints median timings.
//
//   gpu_check                 exit 1 when a GPU result differs or no GPU can be used
//   gpu_check --allow-no-gpu  exit 0 when no GPU can be used (what CI does here)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "HalideBuffer.h"
#include "blur3_cpu.h"
#include "blur3_gpu.h"
#include "edges_cpu.h"
#include "edges_gpu.h"
#include "halve_cpu.h"
#include "halve_gpu.h"
#include "histogram_cpu.h"
#include "histogram_gpu.h"
#include "unsharp_cpu.h"
#include "unsharp_gpu.h"

namespace {

using Halide::Runtime::Buffer;
constexpr int kWidth = 1920, kHeight = 1080;

Buffer<uint8_t> frame(int channels) {
  Buffer<uint8_t> b = channels == 1 ? Buffer<uint8_t>(kWidth, kHeight) : Buffer<uint8_t>::make_interleaved(kWidth, kHeight, channels);
  uint32_t state = 12345;
  b.for_each_element([&](const int* p) {
    state = state * 1664525u + 1013904223u;
    int smooth = (p[0] / 7 + p[1] / 5 + (channels > 1 ? p[2] * 40 : 0)) % 256;
    b(p) = static_cast<uint8_t>((smooth + (state >> 28)) & 255);
  });
  return b;
}

/// How two buffers of the same shape differ: the largest difference (infinite where either value is
/// NaN, so NaN never passes) and how many values differ at all.
struct Difference {
  double worst = 0;
  long differing = 0, total = 0;
};

template <typename T>
Difference difference(const Buffer<T>& a, const Buffer<T>& b) {
  Difference d;
  a.for_each_element([&](const int* p) {
    double x = static_cast<double>(a(p)), y = static_cast<double>(b(p));
    double e = std::isnan(x) || std::isnan(y) ? HUGE_VAL : std::fabs(x - y);
    d.worst = std::max(d.worst, e);
    d.differing += e != 0;
    ++d.total;
  });
  return d;
}

double medianMs(const std::function<int()>& call, int runs, int& status) {
  std::vector<double> times;
  for (int r = 0; r < runs; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    status = call();
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    if (status != 0) return 0;
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

struct Row {
  std::string name;
  double cpuMs = 0, gpuMs = 0, tolerance = 0;
  double maxShare = 0;  // of values that may differ at all (by at most `tolerance`)
  Difference diff;
  int gpuStatus = 0;
  std::string gpuError;
  bool same() const { return diff.worst <= tolerance && static_cast<double>(diff.differing) <= maxShare * static_cast<double>(diff.total); }
};

template <typename T>
Row compare(const char* name, double tolerance, double maxShare, const std::function<int(Buffer<T>&)>& cpu, const std::function<int(Buffer<T>&)>& gpu,
            const std::function<Buffer<T>()>& makeOutput, const char* (*gpuError)()) {
  Row row;
  row.name = name;
  row.tolerance = tolerance;
  row.maxShare = maxShare;
  Buffer<T> a = makeOutput(), b = makeOutput();
  int status = 0;
  row.cpuMs = medianMs([&] { return cpu(a); }, 10, status);
  if (status != 0) {
    row.gpuStatus = status;
    row.gpuError = "the CPU build failed";
    return row;
  }
  row.gpuMs = medianMs([&] {
    int s = gpu(b);
    if (s == 0) s = b.copy_to_host();
    return s;
  }, 10, row.gpuStatus);
  if (row.gpuStatus != 0) {
    row.gpuError = gpuError();
    return row;
  }
  row.diff = difference(a, b);
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  bool allowNoGpu = argc > 1 && std::strcmp(argv[1], "--allow-no-gpu") == 0;
  Buffer<uint8_t> rgb = frame(3), gray = frame(1);
  auto rgbOut = [] { return Buffer<uint8_t>::make_interleaved(kWidth, kHeight, 3); };
  auto grayOut = [] { return Buffer<uint8_t>(kWidth, kHeight); };
  std::vector<Row> rows;
  // u8 results of float math: FMA and GPU arithmetic may move a value across a rounding
  // boundary, so 1 is allowed on at most 0.1% of the values (an off-by-one everywhere is a bug);
  // integer pipelines must match exactly.
  constexpr double kRounding = 0.001;
  rows.push_back(compare<uint8_t>("blur3", 1, kRounding, [&](Buffer<uint8_t>& o) { return blur3_cpu(rgb, 0.7f, o); },
                                  [&](Buffer<uint8_t>& o) { return blur3_gpu(rgb, 0.7f, o); }, rgbOut, blur3_gpu_last_error));
  rows.push_back(compare<uint8_t>("unsharp", 1, kRounding, [&](Buffer<uint8_t>& o) { return unsharp_cpu(rgb, 1.5f, 4.0f, o); },
                                  [&](Buffer<uint8_t>& o) { return unsharp_gpu(rgb, 1.5f, 4.0f, o); }, rgbOut, unsharp_gpu_last_error));
  rows.push_back(compare<uint8_t>("edges", 1, kRounding, [&](Buffer<uint8_t>& o) { return edges_cpu(rgb, o); },
                                  [&](Buffer<uint8_t>& o) { return edges_gpu(rgb, o); }, grayOut, edges_gpu_last_error));
  Buffer<float> meanCpu(3), meanGpu(3);
  rows.push_back(compare<uint8_t>("halve (small)", 0, 0, [&](Buffer<uint8_t>& o) { return halve_cpu(rgb, o, meanCpu); },
                                  [&](Buffer<uint8_t>& o) {
                                    int s = halve_gpu(rgb, o, meanGpu);
                                    return s == 0 ? meanGpu.copy_to_host() : s;
                                  },
                                  [] { return Buffer<uint8_t>::make_interleaved(kWidth / 2, kHeight / 2, 3); }, halve_gpu_last_error));
  {
    // halve's second output, from the same runs: channel means summed in f64 in another order on
    // the GPU, then rounded to f32 (values near 128, where an f32 step is 1.5e-5): 1e-4 allowed.
    Row mean;
    mean.name = "halve (mean)";
    mean.tolerance = 1e-4;
    mean.maxShare = 1;
    mean.cpuMs = rows.back().cpuMs;
    mean.gpuMs = rows.back().gpuMs;
    mean.gpuStatus = rows.back().gpuStatus;
    mean.gpuError = rows.back().gpuError;
    if (mean.gpuStatus == 0) mean.diff = difference(meanCpu, meanGpu);
    rows.push_back(mean);
  }
  rows.push_back(compare<uint32_t>("histogram", 0, 0, [&](Buffer<uint32_t>& o) { return histogram_cpu(gray, o); },
                                   [&](Buffer<uint32_t>& o) { return histogram_gpu(gray, o); }, [] { return Buffer<uint32_t>(256); },
                                   histogram_gpu_last_error));

  std::printf("GPU check, %dx%d frames, median of 10 runs (GPU times include host<->device copies)\n", kWidth, kHeight);
  std::printf("| example | CPU (AVX2) ms | GPU ms | max difference | values differing | verdict |\n|---|---|---|---|---|---|\n");
  bool ok = true, noGpu = false;
  for (const Row& r : rows) {
    if (r.gpuStatus != 0) {
      std::printf("| %s | %.3f | - | - | - | GPU failed: %s |\n", r.name.c_str(), r.cpuMs, r.gpuError.c_str());
      noGpu = true;
      continue;
    }
    bool same = r.same();
    ok = ok && same;
    std::printf("| %s | %.3f | %.3f | %g | %ld of %ld | %s |\n", r.name.c_str(), r.cpuMs, r.gpuMs, r.diff.worst, r.diff.differing, r.diff.total,
                same ? "same" : "DIFFERENT");
  }
  if (noGpu) {
    std::printf("no usable GPU here%s\n", allowNoGpu ? " (allowed)" : "");
    return allowNoGpu && ok ? 0 : 1;
  }
  return ok ? 0 : 1;
}
