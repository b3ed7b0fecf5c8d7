// The application suite against OpenCV (bench/apps): each program that has an OpenCV twin is run
// (heuristic schedule, JIT) on the bundled photographs and compared with the OpenCV call a user
// would write. OpenCV's integer paths are fixed-point and documented as exact, so the programs
// written to match them must match bit for bit: every value, no tolerance. pyrDown applies its
// border to each level's own image while the Fovea chain extends computed levels past their edges
// (bench/apps/pyrdown3.fov says so): there the interior must be exact and only the outermost
// pixels of the result may differ.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "testing/jit.h"

namespace fovea::test {
namespace {

/// An OpenCV image of a Halide buffer (gray, or interleaved 3 channels), copied.
cv::Mat toMat(const Halide::Buffer<uint8_t>& b) {
  bool color = b.dimensions() == 3;
  cv::Mat m(b.height(), b.width(), color ? CV_8UC3 : CV_8UC1);
  for (int y = 0; y < b.height(); ++y) {
    for (int x = 0; x < b.width(); ++x) {
      if (color) {
        for (int c = 0; c < 3; ++c) m.at<cv::Vec3b>(y, x)[c] = b(x, y, c);
      } else {
        m.at<uint8_t>(y, x) = b(x, y);
      }
    }
  }
  return m;
}

/// Compares a Fovea output with OpenCV's, value by value: how many differ, and the largest
/// difference, in the rows and columns at least `margin` from the edges and in the others.
struct Diff {
  int64_t inner = 0, outer = 0;
  double worst = 0;
};
template <class T>
Diff compare(const Halide::Buffer<>& fovea, const cv::Mat& ref, int margin = 0) {
  Diff d;
  Halide::Buffer<T> f = fovea;
  int channels = f.dimensions() == 3 ? f.channels() : 1;
  EXPECT_EQ(f.width(), ref.cols);
  EXPECT_EQ(f.height(), ref.rows);
  EXPECT_EQ(channels, ref.channels());
  if (f.width() != ref.cols || f.height() != ref.rows || channels != ref.channels()) {
    d.inner = -1;
    return d;
  }
  for (int y = 0; y < ref.rows; ++y) {
    for (int x = 0; x < ref.cols; ++x) {
      for (int c = 0; c < channels; ++c) {
        T a = f.dimensions() == 3 ? f(x, y, c) : f(x, y);
        T b = ref.ptr<T>(y)[x * channels + c];
        if (a == b) continue;
        bool inner = x >= margin && y >= margin && x < ref.cols - margin && y < ref.rows - margin;
        (inner ? d.inner : d.outer)++;
        d.worst = std::max(d.worst, std::abs(static_cast<double>(a) - static_cast<double>(b)));
      }
    }
  }
  return d;
}

JitRun runApp(const std::string& name, const Halide::Buffer<uint8_t>& in, const std::map<std::string, double>& params = {}) {
  JitRun r = runJit(appSource(name), {in}, params, "heuristic", name, name + ".fov");
  EXPECT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.outputs.size(), 1u);
  return r;
}

TEST(AppsVsOpenCV, GrayConversionIsBitExact) {
  Halide::Buffer<uint8_t> rgb = loadImage("chelsea.png");
  JitRun r = runApp("gray_u8", rgb);
  ASSERT_EQ(r.outputs.size(), 1u);
  cv::Mat gray;
  cv::cvtColor(toMat(rgb), gray, cv::COLOR_RGB2GRAY);
  Diff d = compare<uint8_t>(r.outputs[0], gray);
  EXPECT_EQ(d.inner + d.outer, 0) << "worst " << d.worst;
}

TEST(AppsVsOpenCV, ThresholdIsBitExact) {
  Halide::Buffer<uint8_t> gray = loadImage("camera.png", true);
  for (double t : {0.0, 127.0, 200.0}) {
    JitRun r = runApp("threshold_u8", gray, {{"t", t}});
    ASSERT_EQ(r.outputs.size(), 1u);
    cv::Mat ref;
    cv::threshold(toMat(gray), ref, t, 255, cv::THRESH_BINARY);
    Diff d = compare<uint8_t>(r.outputs[0], ref);
    EXPECT_EQ(d.inner + d.outer, 0) << "t " << t << ", worst " << d.worst;
  }
}

TEST(AppsVsOpenCV, SobelIsBitExact) {
  Halide::Buffer<uint8_t> gray = loadImage("camera.png", true);
  JitRun r = runApp("sobel_x", gray);
  ASSERT_EQ(r.outputs.size(), 1u);
  cv::Mat ref;
  cv::Sobel(toMat(gray), ref, CV_16S, 1, 0, 3);  // BORDER_DEFAULT: reflect101
  Diff d = compare<int16_t>(r.outputs[0], ref);
  EXPECT_EQ(d.inner + d.outer, 0) << "worst " << d.worst;
}

TEST(AppsVsOpenCV, GaussianIsBitExactOnColor) {
  Halide::Buffer<uint8_t> rgb = loadImage("chelsea.png");
  JitRun r = runApp("gaussian5_u8", rgb);
  ASSERT_EQ(r.outputs.size(), 1u);
  cv::Mat ref;
  cv::GaussianBlur(toMat(rgb), ref, cv::Size(5, 5), 0);
  Diff d = compare<uint8_t>(r.outputs[0], ref);
  EXPECT_EQ(d.inner + d.outer, 0) << "worst " << d.worst;
}

TEST(AppsVsOpenCV, PyrDownChainMatchesInside) {
  for (const char* image : {"camera.png", "chelsea.png"}) {
    Halide::Buffer<uint8_t> gray = loadImage(image, true);
    JitRun r = runApp("pyrdown3", gray);
    ASSERT_EQ(r.outputs.size(), 1u);
    cv::Mat l1, l2, l3;
    cv::pyrDown(toMat(gray), l1);
    cv::pyrDown(l1, l2);
    cv::pyrDown(l2, l3);
    Diff d = compare<uint8_t>(r.outputs[0], l3, 2);
    EXPECT_EQ(d.inner, 0) << image;
    // The two outermost rows and columns: where the borders of the levels differ.
    int64_t edge = 2 * 2 * (l3.rows + l3.cols);
    EXPECT_LE(d.outer, edge) << image;
    EXPECT_LE(d.worst, 64) << image;
  }
}

/// The top-left w x h corner of a gray image, as its own dense buffer (odd sizes, 1x1).
Halide::Buffer<uint8_t> corner(const Halide::Buffer<uint8_t>& b, int w, int h) {
  Halide::Buffer<uint8_t> out(w, h);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) out(x, y) = b(x, y);
  }
  return out;
}

TEST(AppsVsOpenCV, MedianIsBitExact) {
  // Each size is a JIT compile of its own (the schedule follows the size): four, not eight.
  Halide::Buffer<uint8_t> camera = loadImage("camera.png", true), chelsea = loadImage("chelsea.png", true);
  for (const auto& [image, full, w, h] : {std::tuple{"camera.png", camera, camera.width(), camera.height()},
                                          {"chelsea.png", chelsea, 317, 211},
                                          {"chelsea.png", chelsea, 2, 3},
                                          {"camera.png", camera, 1, 1}}) {
    {
      Halide::Buffer<uint8_t> gray = corner(full, w, h);
      JitRun r = runApp("median3_u8", gray);
      ASSERT_EQ(r.outputs.size(), 1u);
      cv::Mat ref;
      cv::medianBlur(toMat(gray), ref, 3);  // always BORDER_REPLICATE
      Diff d = compare<uint8_t>(r.outputs[0], ref);
      EXPECT_EQ(d.inner + d.outer, 0) << image << " " << w << "x" << h << ", worst " << d.worst;
    }
  }
}

TEST(AppsVsOpenCV, HistogramEqualizationIsBitExact) {
  Halide::Buffer<uint8_t> constant(64, 48), twoValues(31, 17);
  constant.fill(77);
  for (int y = 0; y < twoValues.height(); ++y) {
    for (int x = 0; x < twoValues.width(); ++x) twoValues(x, y) = (x + y) % 3 ? 200 : 9;
  }
  std::vector<std::pair<std::string, Halide::Buffer<uint8_t>>> images = {
      {"camera", loadImage("camera.png", true)},
      {"chelsea", loadImage("chelsea.png", true)},
      {"chelsea 317x211", corner(loadImage("chelsea.png", true), 317, 211)},
      {"constant", constant},
      {"two values", twoValues},
      {"1x1", corner(constant, 1, 1)},
  };
  for (const auto& [label, gray] : images) {
    JitRun r = runApp("equalize_hist", gray);
    ASSERT_EQ(r.outputs.size(), 1u);
    cv::Mat ref;
    cv::equalizeHist(toMat(gray), ref);
    Diff d = compare<uint8_t>(r.outputs[0], ref);
    EXPECT_EQ(d.inner + d.outer, 0) << label << ", worst " << d.worst;
  }
}

TEST(AppsVsOpenCV, BilinearResizeIsBitExact) {
  // The program follows OpenCV's vector path, which rounds the vertical sum in two steps
  // ((w * (s >> 4)) >> 16 per row, then (+ 2) >> 2); followed with one rounding (its scalar
  // formula) 12% of the values were one step off, so the comparison is exact. Up, down, tiny.
  Halide::Buffer<uint8_t> rgb = loadImage("chelsea.png");
  for (auto [w, h] : {std::pair{640, 480}, {317, 211}, {1, 1}, {3, 2}}) {
    JitRun r = runApp("resize_bilinear", rgb, {{"w", w}, {"h", h}});
    ASSERT_EQ(r.outputs.size(), 1u);
    cv::Mat ref;
    cv::resize(toMat(rgb), ref, cv::Size(w, h), 0, 0, cv::INTER_LINEAR);
    Diff d = compare<uint8_t>(r.outputs[0], ref);
    EXPECT_EQ(d.inner + d.outer, 0) << w << "x" << h << ", worst " << d.worst;
  }
}

TEST(AppsVsOpenCV, BoxIsBitExact) {
  // cv::blur on u8 rounds the mean to nearest in fixed point; 49 never divides a sum into a half.
  Halide::Buffer<uint8_t> camera = loadImage("camera.png", true), chelsea = loadImage("chelsea.png", true);
  // Each size is a JIT compile of its own (about 14 s): a photograph, and an image smaller than the window.
  for (const auto& [label, gray] : {std::pair{"camera", camera}, {"chelsea 5x3", corner(chelsea, 5, 3)}}) {
    JitRun r = runApp("box", gray);
    ASSERT_EQ(r.outputs.size(), 1u);
    cv::Mat ref;
    cv::blur(toMat(gray), ref, cv::Size(7, 7));  // BORDER_DEFAULT: reflect101
    Diff d = compare<uint8_t>(r.outputs[0], ref);
    EXPECT_EQ(d.inner + d.outer, 0) << label << ", worst " << d.worst;
  }
}

}  // namespace
}  // namespace fovea::test
