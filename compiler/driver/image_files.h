#pragma once
// Images in and out of `fovea run`: OpenCV reads and writes the files; buffers are views of the
// cv::Mat memory (interleaved, RGB order), so nothing is copied for the pipeline.

#include <functional>
#include <optional>
#include <string>

#include <opencv2/core.hpp>

#include "driver/run_engine.h"

namespace fovea::driver {

struct InputImage {
  cv::Mat mat;          ///< owns the pixels
  RuntimeBuffer buffer; ///< a view of them, shaped for the pipeline's input
};

/// Reads `path` and fits it to `in` (gray or color, element type). `notes` receives remarks about
/// conversions (printed once by the caller). Nothing on failure, with `error` set.
std::optional<InputImage> readInputImage(const std::string& path, const RunTensor& in, std::string& error, std::string* notes = nullptr);

/// Whether an output of this type and shape goes to an image file at `path` (the format holds the
/// type exactly and the shape is gray or 1-4 channels); otherwise it can only be written as JSON.
bool isImageOutput(const RunTensor& out, const RuntimeBuffer& b, const std::string& path);

/// Writes an output to `path` (an image or, for .json paths, every value), through a temporary
/// name renamed at the end: a failure never leaves a truncated file.
bool writeOutput(const std::string& path, const RunTensor& out, const RuntimeBuffer& b, std::string& error);

/// Writes through `write(tmpPath)` then renames to `path`.
bool writeAtomically(const std::string& path, const std::function<bool(const std::string&)>& write, std::string& error);

}  // namespace fovea::driver
