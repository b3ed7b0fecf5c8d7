// The OpenCV calls a user would write for each program of bench/apps and bench/heldout, timed the
// way `fovea bench` times (a warm-up, then runs until 1 s and 20 runs, the median in ms), on random
// images of the same sizes. `opencv_twins NAME` times one; bench/suite.sh interleaves them with
// `fovea bench` in one run.
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <functional>
#include <vector>

double median(const std::function<void()>& f) {
  for (int i = 0; i < 3; ++i) f();
  std::vector<double> t;
  auto start = std::chrono::steady_clock::now();
  while (t.size() < 20 || std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < 1.0) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    if (t.size() > 2000) break;
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

int main(int argc, char** argv) {
  std::string only = argc > 1 ? argv[1] : "";
  auto want = [&](const char* n) { return only.empty() || only == n; };
  cv::setNumThreads(2);
  cv::RNG rng(1);
  cv::Mat gray(1080, 1920, CV_8UC1), rgb(1080, 1920, CV_8UC3), gray16(1922, 2568, CV_16UC1);
  rng.fill(gray, cv::RNG::UNIFORM, 0, 256);
  rng.fill(rgb, cv::RNG::UNIFORM, 0, 256);
  rng.fill(gray16, cv::RNG::UNIFORM, 0, 65536);
  cv::Mat o1, o2, o3, f;
  if (want("scharr_magnitude")) std::printf("scharr_magnitude %.3f\n", median([&] {
    cv::Scharr(gray, o1, CV_32F, 1, 0);
    cv::Scharr(gray, o2, CV_32F, 0, 1);
    cv::magnitude(o1, o2, o3);
  }));
  if (want("laplacian")) std::printf("laplacian %.3f\n", median([&] { cv::Laplacian(gray, o1, CV_16S, 1); }));
  if (want("box5_rgb")) std::printf("box5_rgb %.3f\n", median([&] { cv::blur(rgb, o1, cv::Size(5, 5)); }));
  cv::Mat k = cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3));
  if (want("morph_gradient")) std::printf("morph_gradient %.3f\n", median([&] { cv::morphologyEx(gray, o1, cv::MORPH_GRADIENT, k); }));
  if (want("area_half")) std::printf("area_half %.3f\n", median([&] { cv::resize(rgb, o1, cv::Size(960, 540), 0, 0, cv::INTER_AREA); }));
  cv::Mat lut(1, 256, CV_8U);
  for (int i = 0; i < 256; ++i) lut.at<uint8_t>(i) = cv::saturate_cast<uint8_t>(255.0 * std::pow(i / 255.0, 1 / 2.2));
  if (want("gamma_lut")) std::printf("gamma_lut %.3f\n", median([&] { cv::LUT(rgb, lut, o1); }));
  if (want("blur")) std::printf("blur %.3f\n", median([&] { cv::blur(gray16, o1, cv::Size(3, 3)); }));
  if (want("gaussian5_u8")) std::printf("gaussian5_u8 %.3f\n", median([&] { cv::GaussianBlur(rgb, o1, cv::Size(5, 5), 0); }));
  if (want("pyrdown3")) std::printf("pyrdown3 %.3f\n", median([&] { cv::pyrDown(gray, o1); cv::pyrDown(o1, o2); cv::pyrDown(o2, o3); }));
  if (want("harris")) std::printf("harris %.3f\n", median([&] { cv::cvtColor(rgb, o1, cv::COLOR_RGB2GRAY); cv::cornerHarris(o1, o2, 3, 3, 0.04); }));
  if (want("gray_u8")) std::printf("gray_u8 %.3f\n", median([&] { cv::cvtColor(rgb, o1, cv::COLOR_RGB2GRAY); }));
  if (want("threshold_u8")) std::printf("threshold_u8 %.3f\n", median([&] { cv::threshold(gray, o1, 127, 255, cv::THRESH_BINARY); }));
  if (want("sobel_x")) std::printf("sobel_x %.3f\n", median([&] { cv::Sobel(gray, o1, CV_16S, 1, 0, 3); }));
  if (want("median3_u8")) std::printf("median3_u8 %.3f\n", median([&] { cv::medianBlur(gray, o1, 3); }));
  if (want("equalize_hist")) std::printf("equalize_hist %.3f\n", median([&] { cv::equalizeHist(gray, o1); }));
  if (want("resize_bilinear")) std::printf("resize_bilinear %.3f\n", median([&] { cv::resize(rgb, o1, cv::Size(1280, 720), 0, 0, cv::INTER_LINEAR); }));
  if (want("box")) std::printf("box %.3f\n", median([&] { cv::blur(gray, o1, cv::Size(7, 7)); }));
  if (want("unsharp")) {
    // Halide's unsharp in float: luma, 7-tap Gaussian (sigma 1.5, edge border), 2 * luma - blur,
    // divided by the luma, times each channel. OpenCV does each step as its own pass.
    cv::Mat rgbf(2560, 1536, CV_32FC3), g, b, sharp, ratio, ratio3;
    rng.fill(rgbf, cv::RNG::UNIFORM, 0.05, 1.0);
    std::printf("unsharp %.3f\n", median([&] {
      cv::cvtColor(rgbf, g, cv::COLOR_RGB2GRAY);
      cv::GaussianBlur(g, b, cv::Size(7, 7), 1.5, 1.5, cv::BORDER_REPLICATE);
      cv::addWeighted(g, 2.0, b, -1.0, 0.0, sharp);
      cv::divide(sharp, g, ratio);
      cv::merge(std::vector<cv::Mat>{ratio, ratio, ratio}, ratio3);
      cv::multiply(rgbf, ratio3, o1);
    }));
  }
  if (want("memcpy_rgb")) std::printf("memcpy_rgb %.3f\n", median([&] { rgb.copyTo(o3); }));
  return 0;
}
