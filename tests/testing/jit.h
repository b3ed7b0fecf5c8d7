#pragma once
// Test helpers for the back end: check, lower, schedule and JIT-run a pipeline on Halide buffers.

#include <map>
#include <string>
#include <vector>

#include <Halide.h>

#include "testing/check_source.h"

namespace fovea::test {

struct JitRun {
  std::vector<Halide::Buffer<>> outputs;
  std::string error;  ///< non-empty when checking, lowering or running failed
};

/// Runs pipeline `name` of `source` (the only one when empty) with `schedule` (heuristic, none,
/// or a .json path) on the JIT target. Scalar parameters not in `params` take their defaults.
JitRun runJit(const std::string& source, const std::vector<Halide::Buffer<>>& inputs, const std::map<std::string, double>& params = {},
              const std::string& schedule = "heuristic", const std::string& name = "", const std::string& path = "test.fov");

/// One run's inputs and scalar parameters.
struct JitCall {
  std::vector<Halide::Buffer<>> inputs;
  std::map<std::string, double> params;
};

/// runJit for several calls, compiled once (a large program compiles for tens of seconds): one
/// JitRun per call, in order.
std::vector<JitRun> runJitEach(const std::string& source, const std::vector<JitCall>& calls, const std::string& schedule = "heuristic",
                               const std::string& name = "", const std::string& path = "test.fov");

/// An interleaved (channel-innermost) buffer, as OpenCV stores images.
Halide::Buffer<> interleaved(Halide::Type t, int width, int height, int channels);

/// The source of bench/apps/NAME.fov (the application suite).
std::string appSource(const std::string& name);

/// Reads examples/images/NAME as an interleaved RGB (or gray) buffer.
Halide::Buffer<uint8_t> loadImage(const std::string& name, bool gray = false);

}  // namespace fovea::test
