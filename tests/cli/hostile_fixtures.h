#pragma once
// The files the hostile-input sweep feeds to `fovea`: damaged and odd images in every format it
// reads, scripts that are not scripts, scripts that are too big. Made once per build directory with
// OpenCV's encoders and byte surgery (never with Fovea's own code), shared by the sweep's cases.

#include <string>

namespace fovea::test {

/// The directory holding the fixtures, made on first use (safe when several test processes race).
const std::string& hostileFixtures();

}  // namespace fovea::test
