#pragma once
// Images in and out of `fovea run`: files are decoded strictly (driver/image_read.h) into RGB
// order and given to the pipeline as interleaved buffers; outputs are written as images only where
// the format holds their type and channels, else as JSON.

#include <optional>
#include <string>

#include <opencv2/core.hpp>

#include "driver/run_engine.h"

namespace fovea::driver {

struct InputImage {
  cv::Mat mat;          ///< owns the pixels
  RuntimeBuffer buffer; ///< a view of them, shaped for the pipeline's input
};

/// Reads `path` and fits it to `in`: a color image given to a 2-D input becomes gray, a gray
/// image given to a 3-D input has 1 channel, and values are converted to the input's type only
/// when no value changes (u8 to u16 or f32, u16 to f32, ...); anything else is an error. `notes`
/// receives a line for each conversion made. A failure names the file.
Result<InputImage> readInputImage(const std::string& path, const RunTensor& in, std::string* notes = nullptr);

/// Why an output of this type with `channels` channels (0 for a 2-D output, -1 when not known
/// yet) cannot go to an image file at `path`, or "" when it can. A .json path is never an image.
std::string imageOutputProblem(const RunTensor& out, int channels, const std::string& path);

/// The channels of an output buffer as an image file sees them (0 for 2-D).
int outputChannels(const RunTensor& out, const RuntimeBuffer& b);

/// Writes an output to `path`: an image, or for .json paths every value (floats in their shortest
/// exact form, non-finite values as "NaN", "Infinity", "-Infinity"). Atomic: a failure leaves
/// no file.
Status writeOutput(const std::string& path, const RunTensor& out, const RuntimeBuffer& b);

}  // namespace fovea::driver
