#pragma once
// What `fovea run` runs: a pipeline JIT-compiled from a script, or a library `fovea compile`
// wrote, loaded through the runtime. Both look the same to the image and batch code.

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <HalideBuffer.h>

#include "fovea/runtime.hpp"
#include "sema/types.h"

namespace fovea::driver {

using RuntimeBuffer = Halide::Runtime::Buffer<void>;

struct RunTensor {
  std::string name;
  ScalarType type = ScalarType::U8;
  std::vector<std::string> dims;
};

struct RunParam {
  std::string name;
  ScalarType type = ScalarType::F32;
  std::optional<double> defaultValue, min, max;
};

struct RunSignature {
  std::string pipeline;
  std::vector<RunTensor> inputs;
  std::vector<RunParam> params;
  std::vector<RunTensor> outputs;
};

/// A failure while running (the message is for the user, in the pipeline's terms).
struct RunFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class RunEngine {
 public:
  virtual ~RunEngine() = default;
  virtual const RunSignature& signature() const = 0;
  /// "heuristic schedule, x86-64-linux-avx2" or "compiled library, 4 targets".
  virtual std::string what() const = 0;
  /// Runs with every parameter's value (signature order). Outputs are allocated (3-D outputs
  /// with at most 4 channels interleaved) or reused when they already have the right shape.
  /// Throws RunFailure. Safe to call from several threads.
  virtual void run(const std::vector<RuntimeBuffer>& inputs, const std::vector<double>& params, std::vector<RuntimeBuffer>& outputs) = 0;
};

/// Opens an artifact directory, manifest or libNAME.so; nullptr with `error` set on failure.
std::unique_ptr<RunEngine> openArtifact(const std::string& path, const std::string& pipeline, std::string& error);

/// Whether `path` names a compiled artifact rather than a script.
bool isArtifactPath(const std::string& path);

/// Allocates an output of this type and shape: interleaved when 3-D with at most 4 channels.
RuntimeBuffer allocateOutput(ScalarType type, const std::vector<int>& shape);

/// The runtime's element type for a Fovea scalar type (the same names), and its Halide type.
ElementType elementTypeOf(ScalarType t);
halide_type_t runtimeType(ScalarType t);

}  // namespace fovea::driver
