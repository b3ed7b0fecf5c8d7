// The GPU check: every example and every program of the application suite (bench/apps) compiled twice ahead of time, for the CPU (AVX2) and for CUDA
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
#include "app_bilateral_grid_cpu.h"
#include "app_bilateral_grid_gpu.h"
#include "app_blur_cpu.h"
#include "app_blur_gpu.h"
#include "app_box_cpu.h"
#include "app_box_gpu.h"
#include "app_camera_pipe_cpu.h"
#include "app_camera_pipe_gpu.h"
#include "app_equalize_hist_cpu.h"
#include "app_equalize_hist_gpu.h"
#include "app_gaussian5_u8_cpu.h"
#include "app_gaussian5_u8_gpu.h"
#include "app_gray_u8_cpu.h"
#include "app_gray_u8_gpu.h"
#include "app_harris_cpu.h"
#include "app_harris_gpu.h"
#include "app_interpolate_cpu.h"
#include "app_interpolate_gpu.h"
#include "app_local_laplacian_cpu.h"
#include "app_local_laplacian_gpu.h"
#include "app_median3_u8_cpu.h"
#include "app_median3_u8_gpu.h"
#include "app_pyrdown3_cpu.h"
#include "app_pyrdown3_gpu.h"
#include "app_resize_bilinear_cpu.h"
#include "app_resize_bilinear_gpu.h"
#include "app_sobel_x_cpu.h"
#include "app_sobel_x_gpu.h"
#include "app_threshold_u8_cpu.h"
#include "app_threshold_u8_gpu.h"
#include "app_unsharp_cpu.h"
#include "app_unsharp_gpu.h"
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

/// Planar copies of a frame in other types: each 8-bit value v becomes scale * v + offset, plus
/// `noise` times a pseudo-random value in [0, 1) (u16 samples with every bit varying).
template <typename T>
Buffer<T> planar(const Buffer<uint8_t>& f, int channels, double scale, double offset, double noise = 0) {
  Buffer<T> b = channels == 1 ? Buffer<T>(kWidth, kHeight) : Buffer<T>(kWidth, kHeight, channels);
  uint32_t state = 777;
  b.for_each_element([&](const int* p) {
    state = state * 1664525u + 1013904223u;
    int c = channels == 1 ? 0 : std::min(p[2], f.dimensions() > 2 ? f.dim(2).extent() - 1 : 0);
    double v = f.dimensions() > 2 ? f(p[0], p[1], c) : f(p[0], p[1]);
    b(p) = static_cast<T>(scale * v + offset + noise * ((state >> 8) / 16777216.0));
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

/// The largest finite magnitude in `b`.
template <typename T>
double magnitude(const Buffer<T>& b) {
  double m = 0;
  b.for_each_value([&](T v) {
    double d = std::fabs(static_cast<double>(v));
    if (std::isfinite(d)) m = std::max(m, d);
  });
  return m;
}

/// `relative`: the tolerance is a fraction of the CPU output's largest magnitude.
template <typename T>
Row compare(const char* name, double tolerance, double maxShare, const std::function<int(Buffer<T>&)>& cpu, const std::function<int(Buffer<T>&)>& gpu,
            const std::function<Buffer<T>()>& makeOutput, const char* (*gpuError)(), bool relative = false) {
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
  if (relative) row.tolerance = tolerance * magnitude(a);
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

  // The application suite. Integer programs must match exactly, except where a float table
  // (camera_pipe's square-root curve) rounds: 1 on at most 0.1% of the values. Float programs:
  // GPU code fuses multiply-adds and has its own exp and division, a few ulps per operation; the
  // bound is relative to the output's largest magnitude (1e-4), larger for local_laplacian,
  // whose color ratio multiplies the collapsed pyramid's rounding by up to 101 (1e-3).
  {
    Buffer<uint16_t> gray16 = planar<uint16_t>(gray, 1, 256, 0, 255);
    Buffer<uint16_t> raw10 = planar<uint16_t>(gray, 1, 4, 0, 3);
    Buffer<uint16_t> rgb16 = planar<uint16_t>(rgb, 3, 256, 0, 255);
    Buffer<float> grayF = planar<float>(gray, 1, 1.0 / 255, 0);
    Buffer<float> rgbF = planar<float>(rgb, 3, 1.0 / 256, 1.0 / 256);  // never 0: unsharp divides by the luma
    Buffer<float> rgbaF = planar<float>(rgb, 4, 1.0 / 255, 0);
    // interpolate's alpha: opaque at one pixel in 7, holes elsewhere.
    rgbaF.for_each_element([&](int x, int y, int c) {
      if (c == 3) rgbaF(x, y, c) = (x * 3 + y * 5) % 7 == 0 ? 1.0f : 0.0f;
    });
    auto grayU8 = [] { return Buffer<uint8_t>(kWidth, kHeight); };
    auto grayU16 = [] { return Buffer<uint16_t>(kWidth, kHeight); };
    auto grayF32 = [] { return Buffer<float>(kWidth, kHeight); };
    auto rgbF32 = [] { return Buffer<float>(kWidth, kHeight, 3); };
    rows.push_back(compare<float>("app bilateral_grid", 1e-4, 1, [&](Buffer<float>& o) { return app_bilateral_grid_cpu(grayF, 0.1f, o); },
                                  [&](Buffer<float>& o) { return app_bilateral_grid_gpu(grayF, 0.1f, o); }, grayF32, app_bilateral_grid_gpu_last_error, true));
    rows.push_back(compare<uint16_t>("app blur", 0, 0, [&](Buffer<uint16_t>& o) { return app_blur_cpu(gray16, o); },
                                     [&](Buffer<uint16_t>& o) { return app_blur_gpu(gray16, o); }, grayU16, app_blur_gpu_last_error));
    rows.push_back(compare<uint8_t>("app box", 0, 0, [&](Buffer<uint8_t>& o) { return app_box_cpu(gray, o); },
                                    [&](Buffer<uint8_t>& o) { return app_box_gpu(gray, o); }, grayU8, app_box_gpu_last_error));
    rows.push_back(compare<uint8_t>("app camera_pipe", 1, kRounding, [&](Buffer<uint8_t>& o) { return app_camera_pipe_cpu(raw10, o); },
                                    [&](Buffer<uint8_t>& o) { return app_camera_pipe_gpu(raw10, o); }, rgbOut, app_camera_pipe_gpu_last_error));
    rows.push_back(compare<uint8_t>("app equalize_hist", 0, 0, [&](Buffer<uint8_t>& o) { return app_equalize_hist_cpu(gray, o); },
                                    [&](Buffer<uint8_t>& o) { return app_equalize_hist_gpu(gray, o); }, grayU8, app_equalize_hist_gpu_last_error));
    rows.push_back(compare<uint8_t>("app gaussian5_u8", 0, 0, [&](Buffer<uint8_t>& o) { return app_gaussian5_u8_cpu(rgb, o); },
                                    [&](Buffer<uint8_t>& o) { return app_gaussian5_u8_gpu(rgb, o); }, rgbOut, app_gaussian5_u8_gpu_last_error));
    rows.push_back(compare<uint8_t>("app gray_u8", 0, 0, [&](Buffer<uint8_t>& o) { return app_gray_u8_cpu(rgb, o); },
                                    [&](Buffer<uint8_t>& o) { return app_gray_u8_gpu(rgb, o); }, grayU8, app_gray_u8_gpu_last_error));
    rows.push_back(compare<float>("app harris", 1e-4, 1, [&](Buffer<float>& o) { return app_harris_cpu(rgb, 0.04f, o); },
                                  [&](Buffer<float>& o) { return app_harris_gpu(rgb, 0.04f, o); }, grayF32, app_harris_gpu_last_error, true));
    rows.push_back(compare<float>("app interpolate", 1e-4, 1, [&](Buffer<float>& o) { return app_interpolate_cpu(rgbaF, o); },
                                  [&](Buffer<float>& o) { return app_interpolate_gpu(rgbaF, o); }, rgbF32, app_interpolate_gpu_last_error, true));
    rows.push_back(compare<float>("app local_laplacian", 1e-3, 1, [&](Buffer<float>& o) { return app_local_laplacian_cpu(rgb16, 1.0f, 1.0f, o); },
                                  [&](Buffer<float>& o) { return app_local_laplacian_gpu(rgb16, 1.0f, 1.0f, o); }, rgbF32,
                                  app_local_laplacian_gpu_last_error, true));
    rows.push_back(compare<uint8_t>("app median3_u8", 0, 0, [&](Buffer<uint8_t>& o) { return app_median3_u8_cpu(gray, o); },
                                    [&](Buffer<uint8_t>& o) { return app_median3_u8_gpu(gray, o); }, grayU8, app_median3_u8_gpu_last_error));
    rows.push_back(compare<uint8_t>("app pyrdown3", 0, 0, [&](Buffer<uint8_t>& o) { return app_pyrdown3_cpu(gray, o); },
                                    [&](Buffer<uint8_t>& o) { return app_pyrdown3_gpu(gray, o); },
                                    [] { return Buffer<uint8_t>((kWidth + 7) / 8, (kHeight + 7) / 8); }, app_pyrdown3_gpu_last_error));
    rows.push_back(compare<uint8_t>("app resize_bilinear", 0, 0, [&](Buffer<uint8_t>& o) { return app_resize_bilinear_cpu(rgb, 1280, 720, o); },
                                    [&](Buffer<uint8_t>& o) { return app_resize_bilinear_gpu(rgb, 1280, 720, o); },
                                    [] { return Buffer<uint8_t>::make_interleaved(1280, 720, 3); }, app_resize_bilinear_gpu_last_error));
    rows.push_back(compare<int16_t>("app sobel_x", 0, 0, [&](Buffer<int16_t>& o) { return app_sobel_x_cpu(gray, o); },
                                    [&](Buffer<int16_t>& o) { return app_sobel_x_gpu(gray, o); }, [] { return Buffer<int16_t>(kWidth, kHeight); },
                                    app_sobel_x_gpu_last_error));
    rows.push_back(compare<uint8_t>("app threshold_u8", 0, 0, [&](Buffer<uint8_t>& o) { return app_threshold_u8_cpu(gray, 127, o); },
                                    [&](Buffer<uint8_t>& o) { return app_threshold_u8_gpu(gray, 127, o); }, grayU8, app_threshold_u8_gpu_last_error));
    rows.push_back(compare<float>("app unsharp", 1e-4, 1, [&](Buffer<float>& o) { return app_unsharp_cpu(rgbF, o); },
                                  [&](Buffer<float>& o) { return app_unsharp_gpu(rgbF, o); }, rgbF32, app_unsharp_gpu_last_error, true));
  }

  std::printf("GPU check, %dx%d frames, median of 10 runs (GPU times include host<->device copies)\n", kWidth, kHeight);
  std::printf("| program | CPU (AVX2) ms | GPU ms | max difference | values differing | verdict |\n|---|---|---|---|---|---|\n");
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
