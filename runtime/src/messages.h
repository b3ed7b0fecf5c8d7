#pragma once
// Turns a failure inside compiled code (a Halide error code and message) into a message in the
// pipeline's own terms: its name, the argument, the dimension by name.

#include <string>

#include "manifest.h"

namespace fovea::rt {

std::string explainFailure(const Manifest& m, int code, const std::string& message);

}  // namespace fovea::rt
