#include "driver/image_read.h"

#include <cctype>
#include <cmath>
#include <cstring>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "driver/image_codecs.h"
#include "support/files.h"

namespace fovea::driver {
namespace {

bool startsWith(const std::string& bytes, const char* magic, size_t n) { return bytes.size() >= n && std::memcmp(bytes.data(), magic, n) == 0; }

uint32_t le32(const std::string& b, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(b[at])) | static_cast<uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 2])) << 16 | static_cast<uint32_t>(static_cast<unsigned char>(b[at + 3])) << 24;
}
uint16_t le16(const std::string& b, size_t at) {
  return static_cast<uint16_t>(static_cast<unsigned char>(b[at]) | static_cast<unsigned char>(b[at + 1]) << 8);
}

/// BMP: the header is checked against the file (OpenCV's reader fills missing rows with zeros),
/// then OpenCV decodes it. Run-length-encoded BMPs cannot be checked cheaply and are refused.
bool decodeBmp(const std::string& bytes, uint64_t maxBytes, cv::Mat& out, std::string& error) {
  if (bytes.size() < 26) return error = "damaged BMP: the file ends inside its header (truncated)", false;
  uint32_t dataOffset = le32(bytes, 10), headerSize = le32(bytes, 14);
  int64_t width = 0, height = 0;
  uint16_t bpp = 0;
  uint32_t compression = 0;
  if (headerSize == 12) {  // OS/2 1.x
    width = le16(bytes, 18);
    height = le16(bytes, 20);
    bpp = le16(bytes, 24);
  } else if (headerSize >= 40 && headerSize <= 124) {
    if (bytes.size() < 14 + size_t{40}) return error = "damaged BMP: the file ends inside its header (truncated)", false;
    width = static_cast<int32_t>(le32(bytes, 18));
    height = static_cast<int32_t>(le32(bytes, 22));
    bpp = le16(bytes, 28);
    compression = le32(bytes, 30);
  } else {
    return error = fmt::format("damaged BMP: unknown header size {}", headerSize), false;
  }
  if (compression == 1 || compression == 2) return error = "run-length-encoded BMPs are not supported: save it uncompressed or as PNG", false;
  if (compression != 0 && compression != 3 && compression != 6) return error = fmt::format("damaged BMP: unknown compression {}", compression), false;
  if (bpp != 1 && bpp != 4 && bpp != 8 && bpp != 16 && bpp != 24 && bpp != 32) return error = fmt::format("damaged BMP: {} bits per pixel", bpp), false;
  if (width <= 0) return error = "damaged BMP: its width is not positive", false;
  uint64_t rows = static_cast<uint64_t>(std::llabs(height));
  if (std::string why = codecs::tooLarge(static_cast<uint64_t>(width), rows, 4, 1, maxBytes); !why.empty()) return error = why, false;
  uint64_t rowBytes = (static_cast<uint64_t>(width) * bpp + 31) / 32 * 4;
  if (dataOffset < 14 + headerSize || dataOffset > bytes.size() || rowBytes * rows > bytes.size() - dataOffset) {
    return error = fmt::format("damaged BMP: its header promises {} bytes of pixels at offset {}; the file has {} bytes in all (truncated?)", rowBytes * rows,
                               dataOffset, bytes.size()),
           false;
  }
  cv::Mat decoded;
  try {
    decoded = cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8U, const_cast<char*>(bytes.data())), cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    return error = "damaged BMP: " + e.err, false;
  }
  if (decoded.empty()) return error = "damaged BMP: OpenCV cannot decode it", false;
  if (decoded.channels() == 3) cv::cvtColor(decoded, out, cv::COLOR_BGR2RGB);
  else if (decoded.channels() == 4) cv::cvtColor(decoded, out, cv::COLOR_BGRA2RGBA);
  else out = decoded;
  return true;
}

/// Reads the whitespace-separated (and #-commented) header fields of a PNM/PFM file.
class HeaderReader {
 public:
  explicit HeaderReader(const std::string& b) : b_(b), at_(2) {}
  bool token(std::string& out) {
    for (;;) {
      while (at_ < b_.size() && std::isspace(static_cast<unsigned char>(b_[at_]))) ++at_;
      if (at_ < b_.size() && b_[at_] == '#') {
        while (at_ < b_.size() && b_[at_] != '\n') ++at_;
        continue;
      }
      break;
    }
    size_t start = at_;
    while (at_ < b_.size() && !std::isspace(static_cast<unsigned char>(b_[at_])) && b_[at_] != '#') ++at_;
    out = b_.substr(start, at_ - start);
    return !out.empty();
  }
  bool number(uint64_t& out, uint64_t max) {
    std::string t;
    if (!token(t) || t.size() > 12) return false;
    for (char c : t) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    }
    out = std::stoull(t);
    return out <= max;
  }
  /// The single whitespace character that ends the header.
  bool endOfHeader() {
    if (at_ >= b_.size() || !std::isspace(static_cast<unsigned char>(b_[at_]))) return false;
    ++at_;
    return true;
  }
  size_t at() const { return at_; }

 private:
  const std::string& b_;
  size_t at_;
};

/// PBM, PGM, PPM (P1 to P6) and PFM (Pf gray, PF color), decoded here: each value is checked
/// against the header, and a file with fewer values than it promises is an error.
bool decodePnm(const std::string& bytes, uint64_t maxBytes, cv::Mat& out, std::string& error, std::string& format) {
  char kind = bytes[1];
  bool pfm = kind == 'f' || kind == 'F';
  format = pfm ? "PFM" : "PNM";
  HeaderReader h(bytes);
  uint64_t width = 0, height = 0, maxval = 1;
  if (!h.number(width, 1u << 30) || !h.number(height, 1u << 30)) return error = fmt::format("damaged {}: its header has no valid width and height", format), false;
  int channels = kind == '3' || kind == '6' || kind == 'F' ? 3 : 1;
  double scale = 1;
  if (pfm) {
    std::string t;
    if (!h.token(t)) return error = "damaged PFM: its header has no scale", false;
    char* end = nullptr;
    scale = std::strtod(t.c_str(), &end);
    if (*end || scale == 0 || !std::isfinite(scale)) return error = fmt::format("damaged PFM: '{}' is not a scale", t), false;
  } else if (kind != '1' && kind != '4' && (!h.number(maxval, 65535) || maxval == 0)) {
    return error = "damaged PNM: its header has no valid maximum value (1 to 65535)", false;
  }
  size_t sampleBytes = pfm ? 4 : maxval > 255 ? 2 : 1;
  if (std::string why = codecs::tooLarge(width, height, static_cast<uint64_t>(channels), sampleBytes, maxBytes); !why.empty()) return error = why, false;
  if (!h.endOfHeader()) return error = fmt::format("damaged {}: the header ends without the whitespace before the pixels", format), false;
  int depth = pfm ? CV_32F : sampleBytes == 2 ? CV_16U : CV_8U;
  out.create(static_cast<int>(height), static_cast<int>(width), CV_MAKETYPE(depth, channels));
  uint64_t samples = width * height * static_cast<uint64_t>(channels);
  size_t at = h.at();
  auto truncated = [&](uint64_t have) {
    error = fmt::format("damaged {}: the file holds {} of the {} values its header promises (truncated)", format, have, samples);
    out.release();
    return false;
  };
  if (kind == '4') {  // packed bits, rows padded to bytes; 1 is black
    uint64_t rowBytes = (width + 7) / 8;
    if (bytes.size() - at < rowBytes * height) return truncated((bytes.size() - at) * 8);
    for (uint64_t y = 0; y < height; ++y) {
      uint8_t* dst = out.ptr<uint8_t>(static_cast<int>(y));
      for (uint64_t x = 0; x < width; ++x) {
        unsigned char byte = static_cast<unsigned char>(bytes[at + y * rowBytes + x / 8]);
        dst[x] = (byte >> (7 - x % 8)) & 1 ? 0 : 255;
      }
    }
    return true;
  }
  if (kind == '5' || kind == '6' || pfm) {
    if (bytes.size() - at < samples * sampleBytes) return truncated((bytes.size() - at) / sampleBytes);
    bool littleEndian = pfm && scale < 0;
    for (uint64_t y = 0; y < height; ++y) {
      // PFM stores the bottom row first.
      uint8_t* dst = out.ptr<uint8_t>(static_cast<int>(pfm ? height - 1 - y : y));
      const unsigned char* src = reinterpret_cast<const unsigned char*>(bytes.data()) + at + y * width * static_cast<uint64_t>(channels) * sampleBytes;
      for (uint64_t i = 0; i < width * static_cast<uint64_t>(channels); ++i) {
        const unsigned char* s = src + i * sampleBytes;
        if (sampleBytes == 1) {
          if (s[0] > maxval) return error = fmt::format("damaged PNM: value {} is above its maximum {}", s[0], maxval), out.release(), false;
          dst[i] = s[0];
        } else if (sampleBytes == 2) {
          uint16_t v = static_cast<uint16_t>(s[0] << 8 | s[1]);  // big-endian
          if (v > maxval) return error = fmt::format("damaged PNM: value {} is above its maximum {}", v, maxval), out.release(), false;
          reinterpret_cast<uint16_t*>(dst)[i] = v;
        } else {
          uint32_t u = littleEndian ? static_cast<uint32_t>(s[0] | s[1] << 8 | s[2] << 16 | static_cast<uint32_t>(s[3]) << 24)
                                    : static_cast<uint32_t>(static_cast<uint32_t>(s[0]) << 24 | s[1] << 16 | s[2] << 8 | s[3]);
          std::memcpy(reinterpret_cast<float*>(dst) + i, &u, 4);
        }
      }
    }
    return true;
  }
  // Plain (ASCII) forms: P1, P2, P3.
  const char* p = bytes.data() + at;
  const char* end = bytes.data() + bytes.size();
  for (uint64_t i = 0; i < samples; ++i) {
    while (p < end && (std::isspace(static_cast<unsigned char>(*p)) || *p == '#')) {
      if (*p == '#') {
        while (p < end && *p != '\n') ++p;
      } else {
        ++p;
      }
    }
    if (p == end) return truncated(i);
    uint64_t v = 0;
    int digits = 0;
    if (kind == '1') {  // P1 digits may run together
      if (*p != '0' && *p != '1') return error = fmt::format("damaged PNM: '{}' is not a bit", *p), out.release(), false;
      v = *p++ == '1' ? 0 : 255;
      digits = 1;
    } else {
      for (; p < end && std::isdigit(static_cast<unsigned char>(*p)) && digits < 6; ++p, ++digits) v = v * 10 + static_cast<uint64_t>(*p - '0');
      if (digits == 0 || (p < end && !std::isspace(static_cast<unsigned char>(*p)) && *p != '#')) {
        return error = fmt::format("damaged PNM: value {} is not a number", i + 1), out.release(), false;
      }
      if (v > maxval) return error = fmt::format("damaged PNM: value {} is above its maximum {}", v, maxval), out.release(), false;
    }
    uint64_t y = i / (width * static_cast<uint64_t>(channels)), x = i % (width * static_cast<uint64_t>(channels));
    if (sampleBytes == 1) out.ptr<uint8_t>(static_cast<int>(y))[x] = static_cast<uint8_t>(v);
    else out.ptr<uint16_t>(static_cast<int>(y))[x] = static_cast<uint16_t>(v);
  }
  return true;
}

/// Formats fovea run recognizes but does not read, by their first bytes.
std::string unsupportedFormat(const std::string& bytes) {
  if (startsWith(bytes, "RIFF", 4) && bytes.size() >= 12 && bytes.compare(8, 4, "WEBP") == 0) return "WebP";
  if (startsWith(bytes, "GIF8", 4)) return "GIF";
  if (startsWith(bytes, "\x76\x2f\x31\x01", 4)) return "OpenEXR";
  if (startsWith(bytes, "\x00\x00\x00\x0cjP  ", 8) || startsWith(bytes, "\xff\x4f\xff\x51", 4)) return "JPEG 2000";
  if (startsWith(bytes, "#?RADIANCE", 10) || startsWith(bytes, "#?RGBE", 6)) return "Radiance HDR";
  if (startsWith(bytes, "\x59\xa6\x6a\x95", 4)) return "Sun raster";
  return "";
}

}  // namespace

const char* readableImageFormats() { return "PNG, JPEG, TIFF, BMP, PNM (PBM/PGM/PPM) and PFM"; }

Result<DecodedImage> decodeImage(const std::string& bytes, uint64_t maxBytes) {
  DecodedImage image;
  bool ok = false;
  std::string error;
  if (bytes.empty()) return Failure::input("the file is empty");
  if (startsWith(bytes, "\x89PNG\r\n\x1a\n", 8)) {
    image.format = "PNG";
    ok = codecs::decodePng(bytes, maxBytes, image.pixels, error);
  } else if (startsWith(bytes, "\xff\xd8\xff", 3)) {
    image.format = "JPEG";
    ok = codecs::decodeJpeg(bytes, maxBytes, image.pixels, error);
  } else if (startsWith(bytes, "II*\0", 4) || startsWith(bytes, "MM\0*", 4) || startsWith(bytes, "II+\0", 4) || startsWith(bytes, "MM\0+", 4)) {
    image.format = "TIFF";
    ok = codecs::decodeTiff(bytes, maxBytes, image.pixels, error);
  } else if (startsWith(bytes, "BM", 2)) {
    image.format = "BMP";
    ok = decodeBmp(bytes, maxBytes, image.pixels, error);
  } else if (bytes.size() >= 3 && bytes[0] == 'P' && std::strchr("123456fF", bytes[1]) && bytes[1] &&
             std::isspace(static_cast<unsigned char>(bytes[2]))) {
    ok = decodePnm(bytes, maxBytes, image.pixels, error, image.format);
  } else if (std::string other = unsupportedFormat(bytes); !other.empty()) {
    error = fmt::format("{} images are not supported (fovea run reads {})", other, readableImageFormats());
  } else {
    error = fmt::format("not an image: its first bytes match none of the formats fovea run reads ({})", readableImageFormats());
  }
  if (!ok) return Failure::input(error);
  return image;
}

Result<DecodedImage> readImageFile(const std::string& path, uint64_t maxBytes) {
  // A compressed file is smaller than its pixels; a file larger than the largest image is not one.
  Result<std::string> bytes = readTextFile(path, maxBytes + (uint64_t{1} << 20), "an image file");
  if (!bytes) return bytes.failure();
  return decodeImage(*bytes, maxBytes);
}

}  // namespace fovea::driver
