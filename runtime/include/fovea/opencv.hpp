#pragma once
/// cv::Mat and Fovea images, both ways, without copies: OpenCV stores color interleaved (channel
/// innermost), which compiled pipelines take as they are.
///
///     cv::Mat photo = cv::imread("cat.png");                        // BGR, 8-bit, 3 channels
///     std::vector<fovea::Image> out = blur.run({fovea::fromMat(photo)});
///     cv::Mat result = fovea::toMat(out[0]);                         // a view of the output

#include <stdexcept>

#include <opencv2/core.hpp>

#include "fovea/runtime.hpp"

namespace fovea {

/// A view of `m` (which must outlive it) as a Fovea image: [x, y, c] for color, or [x, y] when
/// `dims` is 2 (one channel only). The pixels are not copied; OpenCV's channel order is kept (BGR).
inline Image fromMat(const cv::Mat& m, int dims = 0) {
  if (m.empty()) throw Error("fromMat: the cv::Mat is empty");
  if (m.dims != 2) throw Error("fromMat: only 2-D cv::Mats (rows x columns, with channels) are images");
  if (dims == 0) dims = m.channels() == 1 ? 2 : 3;
  if (dims != 2 && dims != 3) throw Error("fromMat: dims must be 2 (gray) or 3 (x, y, c)");
  if (dims == 2 && m.channels() != 1) throw Error("fromMat: a 2-D image needs a 1-channel cv::Mat, this one has " + std::to_string(m.channels()));
  halide_type_t type;
  switch (m.depth()) {
    case CV_8U: type = halide_type_of<uint8_t>(); break;
    case CV_8S: type = halide_type_of<int8_t>(); break;
    case CV_16U: type = halide_type_of<uint16_t>(); break;
    case CV_16S: type = halide_type_of<int16_t>(); break;
    case CV_32S: type = halide_type_of<int32_t>(); break;
    case CV_32F: type = halide_type_of<float>(); break;
    case CV_64F: type = halide_type_of<double>(); break;
    default: throw Error("fromMat: unsupported cv::Mat depth");
  }
  halide_dimension_t d[3] = {{0, m.cols, m.channels(), 0}, {0, m.rows, static_cast<int32_t>(m.step1()), 0}, {0, m.channels(), 1, 0}};
  return Image(type, const_cast<uchar*>(m.data), dims, d);
}

/// A cv::Mat view of a 2-D image, or of a 3-D one stored interleaved (as the runtime allocates
/// outputs with up to 4 channels). The Image must outlive the view.
inline cv::Mat toMat(const Image& img) {
  int depth;
  halide_type_t t = img.type();
  if (t == halide_type_of<uint8_t>()) depth = CV_8U;
  else if (t == halide_type_of<int8_t>()) depth = CV_8S;
  else if (t == halide_type_of<uint16_t>()) depth = CV_16U;
  else if (t == halide_type_of<int16_t>()) depth = CV_16S;
  else if (t == halide_type_of<int32_t>()) depth = CV_32S;
  else if (t == halide_type_of<float>()) depth = CV_32F;
  else if (t == halide_type_of<double>()) depth = CV_64F;
  else throw Error("toMat: no cv::Mat depth for this element type");
  int channels = img.dimensions() == 3 ? img.dim(2).extent() : 1;
  bool layout = img.dimensions() == 2 ? img.dim(0).stride() == 1
                                      : img.dimensions() == 3 && img.dim(2).stride() == 1 && img.dim(0).stride() == channels && channels <= CV_CN_MAX;
  if (!layout) throw Error("toMat: only 2-D images and interleaved 3-D ones map onto a cv::Mat without a copy");
  return cv::Mat(img.dim(1).extent(), img.dim(0).extent(), CV_MAKETYPE(depth, channels), const_cast<void*>(img.data()),
                 static_cast<size_t>(img.dim(1).stride()) * t.bytes());
}

}  // namespace fovea
