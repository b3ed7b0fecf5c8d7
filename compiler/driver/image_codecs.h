#pragma once
// Internal to image_read.cpp: one decoder per format. Each reads the header first, refuses images
// larger than `maxBytes` before allocating them, and fails on any warning or inconsistency its
// library reports. (The decoders fill `out` and `error` from inside their libraries' callbacks;
// decodeImage() gives their outcome to everyone else as a Result.)

#include <cstdint>
#include <string>

#include <opencv2/core.hpp>

#include "support/result.h"

namespace fovea::driver::codecs {

bool decodePng(const std::string& bytes, uint64_t maxBytes, cv::Mat& out, std::string& error);
bool decodeJpeg(const std::string& bytes, uint64_t maxBytes, cv::Mat& out, std::string& error);
bool decodeTiff(const std::string& bytes, uint64_t maxBytes, cv::Mat& out, std::string& error);

/// Writes a gray, RGB or RGBA image (u8, u16 or f32, channels in that order) as a TIFF with
/// lossless Deflate compression. OpenCV's writer turns f32 into 16-bit integers; this one keeps
/// every value.
Status encodeTiff(const cv::Mat& image, const std::string& path);

/// "an image of W x H x C (N GB decoded) is larger than ..." when it would not fit, else "".
std::string tooLarge(uint64_t width, uint64_t height, uint64_t channels, uint64_t bytesPerSample, uint64_t maxBytes);

}  // namespace fovea::driver::codecs
