#pragma once
/// Reading image files strictly: `fovea run` feeds a pipeline only images that decoded without a
/// single complaint. A truncated file, a decoder warning ("Premature end of JPEG file"), a checksum
/// mismatch, a header that contradicts the data, or a header claiming an image too large to hold
/// is an error naming the file, and nothing is processed for it. Formats are recognized by their
/// first bytes, not by the name.
///
///     Result<DecodedImage> img = readImageFile("photo.jpg");   // img.failure().message says what is wrong
///     // img->pixels: rows of interleaved R, G, B (or gray, or R, G, B, A), u8, u16 or f32

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "support/result.h"

namespace fovea::driver {

/// The largest decoded image accepted: what a compiled pipeline can address (2^31 - 1 bytes).
constexpr uint64_t kMaxImageBytes = (uint64_t{1} << 31) - 1;

struct DecodedImage {
  cv::Mat pixels;      ///< 1 (gray), 3 (RGB) or 4 (RGBA) channels; CV_8U, CV_16U or CV_32F
  std::string format;  ///< "PNG", "JPEG", "TIFF", "BMP", "PNM", "PFM"
};

/// The formats readImageFile() accepts, for messages: "PNG, JPEG, TIFF, BMP, PNM (PBM/PGM/PPM), PFM".
const char* readableImageFormats();

/// Decodes `path`; on any problem the failure says what is wrong (without the path).
/// Images whose decoded size would exceed `maxBytes` are refused from their header alone.
Result<DecodedImage> readImageFile(const std::string& path, uint64_t maxBytes = kMaxImageBytes);

/// Decodes an image held in memory (the bytes of a file), as readImageFile() does.
Result<DecodedImage> decodeImage(const std::string& bytes, uint64_t maxBytes = kMaxImageBytes);

}  // namespace fovea::driver
