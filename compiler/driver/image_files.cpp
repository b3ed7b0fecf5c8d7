#include "driver/image_files.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "fovea/json.h"

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

json::Value bufferToJson(const RunTensor& out, const RuntimeBuffer& b) {
  json::Value doc = json::Value::object();
  doc.set("output", out.name);
  doc.set("type", toString(out.type));
  json::Value dims = json::Value::array();
  for (const std::string& d : out.dims) dims.push(d);
  doc.set("dims", std::move(dims));
  json::Value extents = json::Value::array();
  for (int d = 0; d < b.dimensions(); ++d) extents.push(b.dim(d).extent());
  doc.set("extents", std::move(extents));
  json::Value data = json::Value::array();
  const halide_buffer_t* hb = b.raw_buffer();
  // Innermost dimension fastest, as the dimensions are listed.
  std::vector<int> pos(static_cast<size_t>(hb->dimensions), 0);
  int64_t count = 1;
  for (int d = 0; d < hb->dimensions; ++d) count *= hb->dim[d].extent;
  for (int64_t i = 0; i < count; ++i) {
    int64_t offset = 0;
    for (int d = 0; d < hb->dimensions; ++d) offset += int64_t{pos[static_cast<size_t>(d)]} * hb->dim[d].stride;
    const void* p = hb->host + offset * hb->type.bytes();
    double v = 0;
    switch (out.type) {
      case ScalarType::Bool: v = *static_cast<const bool*>(p); break;
      case ScalarType::U8: v = *static_cast<const uint8_t*>(p); break;
      case ScalarType::U16: v = *static_cast<const uint16_t*>(p); break;
      case ScalarType::U32: v = *static_cast<const uint32_t*>(p); break;
      case ScalarType::I8: v = *static_cast<const int8_t*>(p); break;
      case ScalarType::I16: v = *static_cast<const int16_t*>(p); break;
      case ScalarType::I32: v = *static_cast<const int32_t*>(p); break;
      case ScalarType::F32: v = *static_cast<const float*>(p); break;
      case ScalarType::F64: v = *static_cast<const double*>(p); break;
    }
    data.push(v);
    for (int d = 0; d < hb->dimensions; ++d) {
      if (++pos[static_cast<size_t>(d)] < hb->dim[d].extent) break;
      pos[static_cast<size_t>(d)] = 0;
    }
  }
  doc.set("data", std::move(data));
  return doc;
}

}  // namespace

namespace {
std::optional<InputImage> fitImage(InputImage image, const std::string& path, const RunTensor& in, std::string& error,
                                   const std::function<void(const std::string&)>& note);
}  // namespace

std::optional<InputImage> readInputImage(const std::string& path, const RunTensor& in, std::string& error, std::string* notes) {
  std::function<void(const std::string&)> note = [&](const std::string& text) {
    if (notes) *notes += text + "\n";
  };
  InputImage image;
  try {
    image.mat = cv::imread(path, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception&) {
    image.mat = cv::Mat();
  }
  cv::Mat& m = image.mat;
  if (m.empty()) {
    std::error_code ec;
    error = fs::exists(path, ec) ? fmt::format("cannot read image '{}' (corrupt, truncated, or not an image format OpenCV knows)", path)
                                 : fmt::format("cannot read image '{}': no such file", path);
    return std::nullopt;
  }
  if (in.dims.size() < 2 || in.dims.size() > 3) {
    error = fmt::format("input '{}' has {} dimension{}; `fovea run` feeds images to 2-D (gray) or 3-D (color) inputs", in.name, in.dims.size(),
                        in.dims.size() == 1 ? "" : "s");
    return std::nullopt;
  }
  try {
    return fitImage(std::move(image), path, in, error, note);
  } catch (const cv::Exception& e) {
    error = fmt::format("cannot convert image '{}' for input '{}': {}", path, in.name, e.err);
    return std::nullopt;
  }
}

namespace {

std::optional<InputImage> fitImage(InputImage image, const std::string& path, const RunTensor& in, std::string& error,
                                   const std::function<void(const std::string&)>& note) {
  cv::Mat& m = image.mat;
  // OpenCV converts colors in 8-bit, 16-bit and float only (TIFFs can hold i32 or f64).
  if (m.depth() != CV_8U && m.depth() != CV_16U && m.depth() != CV_32F && m.channels() > 1) m.convertTo(m, CV_MAKETYPE(CV_32F, m.channels()));
  if (in.dims.size() == 2 && m.channels() != 1) {
    note(fmt::format("'{}' is gray (2-D); the {}-channel image is converted to gray", in.name, m.channels()));
    cv::cvtColor(m, m, m.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
  }
  if (in.dims.size() == 3 && m.channels() == 1) note(fmt::format("'{}' has a channel dimension; the gray image gives it 1 channel", in.name));
  if (m.channels() == 3) cv::cvtColor(m, m, cv::COLOR_BGR2RGB);
  if (m.channels() == 4) cv::cvtColor(m, m, cv::COLOR_BGRA2RGBA);
  std::optional<int> depth = cvDepth(in.type);
  if (!depth) {
    error = fmt::format("input '{}' is {}, which no image holds", in.name, toString(in.type));
    return std::nullopt;
  }
  if (m.depth() != *depth) {
    note(fmt::format("'{}' is {}; the image's values are converted to it unscaled", in.name, toString(in.type)));
    m.convertTo(m, CV_MAKETYPE(*depth, m.channels()));
  }
  if (!m.isContinuous()) m = m.clone();
  image.buffer = wrapMat(m, in.type, in.dims.size());
  return image;
}

}  // namespace

bool isImageOutput(const RunTensor& out, const RuntimeBuffer& b, const std::string& path) {
  std::string ext = lower(fs::path(path).extension().string());
  if (ext == ".json") return false;
  bool exact = out.type == ScalarType::U8 || out.type == ScalarType::U16 ||
               (out.type == ScalarType::F32 && (ext == ".tif" || ext == ".tiff" || ext == ".exr" || ext == ".pfm"));
  if (!exact) return false;
  if (out.dims.size() == 2) return true;
  return out.dims.size() == 3 && b.dim(2).extent() >= 1 && b.dim(2).extent() <= 4 && b.dim(2).stride() == 1 && b.dim(0).stride() == b.dim(2).extent();
}

bool writeAtomically(const std::string& path, const std::function<bool(const std::string&)>& write, std::string& error) {
  static std::atomic<int> counter{0};
  fs::path target(path);
  fs::path tmp = target.parent_path() / fmt::format(".tmp-{}-{}-{}", ::getpid(), counter++, target.filename().string());
  bool ok = false;
  try {
    ok = write(tmp.string());
  } catch (const cv::Exception& e) {
    error = e.what();
  }
  std::error_code ec;
  if (!ok) {
    fs::remove(tmp, ec);
    if (error.empty()) error = "could not be written";
    return false;
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    error = ec.message();
    return false;
  }
  return true;
}

bool writeOutput(const std::string& path, const RunTensor& out, const RuntimeBuffer& b, std::string& error) {
  if (isImageOutput(out, b, path)) {
    int channels = out.dims.size() == 3 ? b.dim(2).extent() : 1;
    cv::Mat view(b.dim(1).extent(), b.dim(0).extent(), CV_MAKETYPE(*cvDepth(out.type), channels), const_cast<void*>(b.data()),
                 static_cast<size_t>(b.dim(1).stride()) * b.type().bytes());
    cv::Mat m = view;
    if (channels == 3) cv::cvtColor(view, m, cv::COLOR_RGB2BGR);
    if (channels == 4) cv::cvtColor(view, m, cv::COLOR_RGBA2BGRA);
    std::string ext = fs::path(path).extension().string();
    // OpenCV picks the format by extension: the temporary name keeps it.
    return writeAtomically(path, [&](const std::string& tmp) {
      std::error_code ec;
      bool ok = false;
      try {
        ok = cv::imwrite(tmp + ext, m);
      } catch (const cv::Exception& e) {
        error = e.err;
      }
      if (ok) fs::rename(tmp + ext, tmp, ec);
      if (!ok || ec) fs::remove(tmp + ext, ec);
      return ok && !ec;
    }, error);
  }
  if (lower(fs::path(path).extension().string()) != ".json") {
    std::string dims;
    for (size_t d = 0; d < out.dims.size(); ++d) dims += (d ? ", " : "") + out.dims[d];
    error = fmt::format("output '{}' is {}[{}], which an image file cannot hold exactly; write it to a .json path", out.name, toString(out.type), dims);
    return false;
  }
  json::Value doc = bufferToJson(out, b);
  return writeAtomically(path, [&](const std::string& tmp) {
    std::ofstream f(tmp);
    f << doc.dump(-1) << '\n';
    f.close();  // a full disk shows up when the last buffer is written
    return !f.fail();
  }, error);
}

}  // namespace fovea::driver
