#include "driver/image_files.h"

#include <cmath>
#include <cstdio>
#include <filesystem>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "driver/image_codecs.h"
#include "driver/image_read.h"
#include "fovea/json.h"
#include "support/files.h"

namespace fovea::driver {
namespace {
namespace fs = std::filesystem;

std::optional<int> cvDepth(ScalarType t) {
  switch (t) {
    case ScalarType::U8: return CV_8U;
    case ScalarType::U16: return CV_16U;
    case ScalarType::I8: return CV_8S;
    case ScalarType::I16: return CV_16S;
    case ScalarType::I32: return CV_32S;
    case ScalarType::F32: return CV_32F;
    case ScalarType::F64: return CV_64F;
    case ScalarType::U32:
    case ScalarType::Bool: return std::nullopt;
  }
  return std::nullopt;
}

const char* depthName(int depth) {
  switch (depth) {
    case CV_8U: return "u8";
    case CV_16U: return "u16";
    case CV_32F: return "f32";
    default: return "?";
  }
}

/// Whether every value of an image of `depth` (u8, u16, f32) is exactly a value of `t`.
bool holdsEvery(ScalarType t, int depth) {
  switch (depth) {
    case CV_8U: return t == ScalarType::U8 || t == ScalarType::U16 || t == ScalarType::I16 || t == ScalarType::I32 || isFloat(t);
    case CV_16U: return t == ScalarType::U16 || t == ScalarType::I32 || isFloat(t);
    case CV_32F: return isFloat(t);
    default: return false;
  }
}

/// A buffer over an interleaved cv::Mat: x, y and (for 3-D) c with stride 1.
RuntimeBuffer wrapMat(cv::Mat& m, ScalarType type, size_t dims) {
  std::vector<halide_dimension_t> d;
  d.push_back({0, m.cols, m.channels(), 0});
  d.push_back({0, m.rows, static_cast<int32_t>(m.step1()), 0});
  if (dims == 3) d.push_back({0, m.channels(), 1, 0});
  return RuntimeBuffer(runtimeType(type), m.data, static_cast<int>(dims), d.data());
}

std::string lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

/// What an image format holds: element types and channel counts (0 is a 2-D output).
struct ImageFormat {
  const char* extensions;  ///< space separated, with the dot
  std::vector<ScalarType> types;
  std::vector<int> channels;
};

const std::vector<ImageFormat>& imageFormats() {
  using S = ScalarType;
  static const std::vector<ImageFormat> formats = {
      {".png", {S::U8, S::U16}, {0, 1, 3, 4}},
      {".tif .tiff", {S::U8, S::U16, S::F32}, {0, 1, 3, 4}},
      {".jpg .jpeg", {S::U8}, {0, 1, 3}},
      {".bmp", {S::U8}, {0, 1, 3, 4}},
      {".webp", {S::U8}, {0, 1, 3, 4}},
      {".pgm", {S::U8, S::U16}, {0, 1}},
      {".ppm", {S::U8, S::U16}, {3}},
      {".pnm", {S::U8, S::U16}, {0, 1, 3}},
      {".pfm", {S::F32}, {0, 1, 3}},
  };
  return formats;
}

const ImageFormat* formatOf(const std::string& ext) {
  for (const ImageFormat& f : imageFormats()) {
    for (std::string_view list = f.extensions; !list.empty();) {
      size_t space = list.find(' ');
      if (list.substr(0, space) == ext) return &f;
      list = space == std::string_view::npos ? std::string_view() : list.substr(space + 1);
    }
  }
  return nullptr;
}

/// Copies an output (any strides) into an interleaved cv::Mat, channels in the output's order (RGB).
cv::Mat toMat(const RuntimeBuffer& b, int depth, int channels) {
  int c = std::max(channels, 1);
  cv::Mat m(b.dim(1).extent(), b.dim(0).extent(), CV_MAKETYPE(depth, c));
  size_t bytes = b.type().bytes();
  const halide_buffer_t* hb = b.raw_buffer();
  for (int y = 0; y < m.rows; ++y) {
    uint8_t* row = m.ptr<uint8_t>(y);
    for (int x = 0; x < m.cols; ++x) {
      for (int k = 0; k < c; ++k) {
        int64_t offset = int64_t{x} * hb->dim[0].stride + int64_t{y} * hb->dim[1].stride + (channels > 0 ? int64_t{k} * hb->dim[2].stride : 0);
        std::memcpy(row + (static_cast<size_t>(x) * c + k) * bytes, hb->host + offset * static_cast<int64_t>(bytes), bytes);
      }
    }
  }
  return m;
}

/// One value as JSON: integers exactly, floats in the shortest form that reads back to the same
/// float (of the output's own width), non-finite floats as strings.
void appendValue(std::string& out, ScalarType type, const void* p) {
  auto real = [&](auto v) {
    if (std::isnan(v)) out += "\"NaN\"";
    else if (std::isinf(v)) out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    else fmt::format_to(std::back_inserter(out), "{}", v);
  };
  switch (type) {
    case ScalarType::Bool: out += *static_cast<const bool*>(p) ? "1" : "0"; break;
    case ScalarType::U8: fmt::format_to(std::back_inserter(out), "{}", *static_cast<const uint8_t*>(p)); break;
    case ScalarType::U16: fmt::format_to(std::back_inserter(out), "{}", *static_cast<const uint16_t*>(p)); break;
    case ScalarType::U32: fmt::format_to(std::back_inserter(out), "{}", *static_cast<const uint32_t*>(p)); break;
    case ScalarType::I8: fmt::format_to(std::back_inserter(out), "{}", *static_cast<const int8_t*>(p)); break;
    case ScalarType::I16: fmt::format_to(std::back_inserter(out), "{}", *static_cast<const int16_t*>(p)); break;
    case ScalarType::I32: fmt::format_to(std::back_inserter(out), "{}", *static_cast<const int32_t*>(p)); break;
    case ScalarType::F32: real(*static_cast<const float*>(p)); break;
    case ScalarType::F64: real(*static_cast<const double*>(p)); break;
  }
}

/// {"output", "type", "dims", "extents", "data"}: data innermost dimension fastest.
std::string bufferJson(const RunTensor& out, const RuntimeBuffer& b) {
  std::string text = "{\"output\":\"" + json::escape(out.name) + "\",\"type\":\"" + toString(out.type) + "\",\"dims\":[";
  for (size_t d = 0; d < out.dims.size(); ++d) text += (d ? ",\"" : "\"") + json::escape(out.dims[d]) + "\"";
  text += "],\"extents\":[";
  const halide_buffer_t* hb = b.raw_buffer();
  int64_t count = 1;
  for (int d = 0; d < hb->dimensions; ++d) {
    text += fmt::format("{}{}", d ? "," : "", hb->dim[d].extent);
    count *= hb->dim[d].extent;
  }
  text += "],\"data\":[";
  std::vector<int> pos(static_cast<size_t>(hb->dimensions), 0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t offset = 0;
    for (int d = 0; d < hb->dimensions; ++d) offset += int64_t{pos[static_cast<size_t>(d)]} * hb->dim[d].stride;
    if (i) text += ',';
    appendValue(text, out.type, hb->host + offset * hb->type.bytes());
    for (int d = 0; d < hb->dimensions; ++d) {
      if (++pos[static_cast<size_t>(d)] < hb->dim[d].extent) break;
      pos[static_cast<size_t>(d)] = 0;
    }
  }
  return text + "]}\n";
}

Result<InputImage> fitImage(InputImage image, const std::string& path, const RunTensor& in, const std::function<void(const std::string&)>& note) {
  cv::Mat& m = image.mat;
  std::optional<int> depth = cvDepth(in.type);
  if (!depth) return Failure::input(fmt::format("input '{}' is {}, which no image holds", in.name, toString(in.type)));
  if (!holdsEvery(in.type, m.depth())) {
    return Failure::input(fmt::format("'{}' holds {} values and input '{}' is {}: converting them would change them; convert the image first, "
                                      "or declare the input {}",
                                      path, depthName(m.depth()), in.name, toString(in.type), depthName(m.depth())));
  }
  if (in.dims.size() == 2 && m.channels() != 1) {
    note(fmt::format("'{}' is gray (2-D); the {}-channel image '{}' is converted to gray (cvtColor weights)", in.name, m.channels(), path));
    cv::cvtColor(m, m, m.channels() == 4 ? cv::COLOR_RGBA2GRAY : cv::COLOR_RGB2GRAY);
  }
  if (in.dims.size() == 3 && m.channels() == 1) note(fmt::format("'{}' has a channel dimension; the gray image '{}' gives it 1 channel", in.name, path));
  if (m.depth() != *depth) {
    note(fmt::format("'{}' is {}; the {} values of '{}' are converted to it (every value kept)", in.name, toString(in.type), depthName(m.depth()), path));
    m.convertTo(m, CV_MAKETYPE(*depth, m.channels()));
  }
  if (!m.isContinuous()) m = m.clone();
  image.buffer = wrapMat(m, in.type, in.dims.size());
  return image;
}

}  // namespace

Result<InputImage> readInputImage(const std::string& path, const RunTensor& in, std::string* notes) {
  std::function<void(const std::string&)> note = [&](const std::string& text) {
    if (notes) *notes += text + "\n";
  };
  if (in.dims.size() < 2 || in.dims.size() > 3) {
    return Failure::input(fmt::format("input '{}' has {} dimension{}; `fovea run` feeds images to 2-D (gray) or 3-D (color) inputs", in.name,
                                      in.dims.size(), in.dims.size() == 1 ? "" : "s"));
  }
  Result<DecodedImage> decoded = readImageFile(path);
  if (!decoded) return decoded.failure().context(fmt::format("cannot read image '{}': ", path));
  InputImage image;
  image.mat = std::move(decoded->pixels);
  try {
    return fitImage(std::move(image), path, in, note);
  } catch (const cv::Exception& e) {
    return Failure::input(fmt::format("cannot convert image '{}' for input '{}': {}", path, in.name, e.err));
  }
}

int outputChannels(const RunTensor& out, const RuntimeBuffer& b) { return out.dims.size() == 3 && b.dimensions() == 3 ? b.dim(2).extent() : 0; }

std::string imageOutputProblem(const RunTensor& out, int channels, const std::string& path) {
  std::string ext = lower(fs::path(path).extension().string());
  if (ext == ".json") return "a .json path";
  const ImageFormat* f = formatOf(ext);
  if (!f) return fmt::format("'{}' is not a format fovea run writes (.png, .tif, .jpg, .bmp, .webp, .pgm, .ppm, .pnm, .pfm, or .json)", ext);
  std::string dims;
  for (size_t d = 0; d < out.dims.size(); ++d) dims += (d ? ", " : "") + out.dims[d];
  std::string what = fmt::format("output '{}' is {}[{}]", out.name, toString(out.type), dims);
  if (out.dims.size() != 2 && out.dims.size() != 3) return what + ": an image file holds 2-D (gray) or 3-D (color) outputs";
  if (std::find(f->types.begin(), f->types.end(), out.type) == f->types.end()) {
    std::string holds;
    for (ScalarType t : f->types) holds += (holds.empty() ? "" : " and ") + std::string(toString(t));
    return fmt::format("{}, and {} files hold {} values exactly", what, ext, holds);
  }
  if (channels >= 0 && std::find(f->channels.begin(), f->channels.end(), channels) == f->channels.end()) {
    return fmt::format("{} with {} channels, which a {} file cannot hold", what, channels, ext);
  }
  if (channels < 0 && out.dims.size() == 2 && std::find(f->channels.begin(), f->channels.end(), 0) == f->channels.end()) {
    return fmt::format("{}: a {} file holds color images", what, ext);
  }
  return "";
}

Status writeOutput(const std::string& path, const RunTensor& out, const RuntimeBuffer& b) {
  std::string ext = lower(fs::path(path).extension().string());
  if (ext == ".json") return writeFileAtomically(path, bufferJson(out, b));
  int channels = outputChannels(out, b);
  if (std::string why = imageOutputProblem(out, channels, path); !why.empty()) return Failure::usage(why + "; write it to a .json path");
  cv::Mat m = toMat(b, *cvDepth(out.type), channels);
  if (ext == ".tif" || ext == ".tiff") return writeAtomically(path, [&](const std::string& tmp) { return codecs::encodeTiff(m, tmp); });
  // OpenCV writes the other formats, colors in its order (BGR).
  if (m.channels() == 3) cv::cvtColor(m, m, cv::COLOR_RGB2BGR);
  if (m.channels() == 4) cv::cvtColor(m, m, cv::COLOR_RGBA2BGRA);
  return writeAtomically(path, [&](const std::string& tmp) -> Status {
    try {
      if (cv::imwrite(tmp, m)) return ok();
    } catch (const cv::Exception& e) {
      return Failure::compile(e.err);
    }
    return Failure::compile("the image could not be written (is the disk full?)");
  });
}

}  // namespace fovea::driver
