#pragma once
/// Fovea's runtime: loads the libraries `fovea compile` writes, checks and binds images, and runs
/// them, from any number of threads. It links no compiler, no libHalide, no LLVM.
///
///     fovea::Pipeline blur = fovea::Pipeline::open("build/blur3");          // the artifact directory
///     fovea::Image in = fovea::Image::make_interleaved(halide_type_of<uint8_t>(), w, h, 3);
///     std::vector<fovea::Image> out = blur.run({in}, {{"strength", 0.5}});   // sized by the manifest
///
/// Every failure (a missing library, a wrong type or shape, a parameter out of range, an error
/// inside the compiled code) throws fovea::Error with a message that names the pipeline and the
/// argument. fovea/opencv.hpp binds cv::Mat without copies; fovea/runtime.h is the C interface.

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <HalideBuffer.h>

#include "fovea/pipeline_abi.h"

namespace fovea {

/// A failure to load or run a pipeline; what() is the whole message.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An image or tensor: a Halide runtime buffer (owning or a view of the caller's memory).
using Image = Halide::Runtime::Buffer<void>;

enum class ElementType { Bool, U8, U16, U32, I8, I16, I32, F32, F64 };
const char* toString(ElementType t);  ///< "u8", "f32", ...
halide_type_t halideType(ElementType t);
/// The values a scalar of type `t` holds: {0, 255} for u8, the finite range for floats.
std::pair<double, double> valueRange(ElementType t);

/// One argument of the pipeline's function, as the manifest describes it.
struct ArgumentInfo {
  enum class Kind { Input, Param };
  Kind kind = Kind::Input;
  std::string name;
  ElementType type = ElementType::U8;
  std::vector<std::string> dims;       ///< Input: dimension names, innermost first
  std::optional<double> defaultValue;  ///< Param
  std::optional<double> min, max;      ///< Param: the declared range
};

struct OutputInfo {
  std::string name;
  ElementType type = ElementType::U8;
  std::vector<std::string> dims;
  std::vector<std::string> sizeText;  ///< the size rule of each dimension, as text
};

/// Scalar parameters by name; a parameter left out takes its default.
using Params = std::map<std::string, double>;

/// What a pipeline takes and gives, as its manifest states it, and the checks every call makes.
/// A compiled library has one (Pipeline::signature()); `fovea run` builds one for a script it
/// JIT-compiles, so a script and its library agree on every check and every output size.
///
///     fovea::Signature sig = fovea::Signature::fromManifest(text, "blur3.manifest.json");
///     std::vector<double> values = sig.resolveParams({{"strength", 0.5}});   // checked, defaults filled
///     sig.prepareOutputs(inputs, values, outputs);                           // sized by the size rules
class Signature {
 public:
  /// Reads a manifest; throws Error naming `origin` when it is not one this runtime reads.
  static Signature fromManifest(const std::string& manifestText, const std::string& origin);

  const std::string& name() const;                  ///< the pipeline's name
  const std::string& function() const;              ///< its C function's name
  const std::vector<ArgumentInfo>& arguments() const;
  const std::vector<OutputInfo>& outputs() const;
  std::vector<const ArgumentInfo*> inputs() const;  ///< the buffer arguments, in order
  std::vector<const ArgumentInfo*> params() const;  ///< the scalar arguments, in order
  const std::string& manifestText() const;
  /// A few lines for a person: signature, parameters with defaults and ranges, output sizes.
  std::string describe() const;

  /// Every parameter's value, in declaration order: given ones checked (a known name, a finite
  /// number, of the parameter's type, within its declared range), the others their defaults.
  std::vector<double> resolveParams(const Params& given) const;
  /// Checks the inputs: their count, element types, dimensions, and that none is empty.
  void checkInputs(const std::vector<Image>& inputs) const;
  /// The extents of every output (the size rules), each checked: positive, and at most what a
  /// compiled pipeline can address (2^31 - 1 bytes).
  std::vector<std::vector<int>> outputShapes(const std::vector<Image>& inputs, const std::vector<double>& values) const;
  /// Sizes `outputs`: buffers of the right type and shape are reused, others allocated (3-D with at
  /// most 4 channels interleaved, as OpenCV stores color). Throws Error when memory runs out.
  void prepareOutputs(const std::vector<Image>& inputs, const std::vector<double>& values, std::vector<Image>& outputs) const;
  /// A failure inside compiled code (Halide's error code, or 0 for none, and message) in the
  /// pipeline's terms.
  std::string explainFailure(int code, const std::string& message) const;

  struct Impl;

 private:
  explicit Signature(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

class Pipeline {
 public:
  /// Opens a compiled pipeline: an artifact directory written by `fovea compile` (`name` picks a
  /// pipeline when it holds several), a NAME.manifest.json, or a libNAME.so.
  static Pipeline open(const std::string& path, const std::string& name = "");
  /// A pipeline linked into the program (its static library): `fromLinked(NAME_fovea_pipeline())`.
  static Pipeline fromLinked(const fovea_pipeline_abi_v1* abi);
  /// A pipeline whose static library registered itself when the program started.
  static Pipeline linked(const std::string& name);

  const Signature& signature() const;
  const std::string& name() const;
  const std::vector<ArgumentInfo>& arguments() const;
  const std::vector<OutputInfo>& outputs() const;
  std::vector<const ArgumentInfo*> inputs() const;  ///< the buffer arguments, in order
  std::vector<const ArgumentInfo*> params() const;  ///< the scalar arguments, in order
  const std::string& manifestText() const;
  /// A few lines for a person: signature, parameters with defaults and ranges, output sizes.
  std::string describe() const;

  /// The extents of every output for these inputs and parameters (the manifest's size rules).
  std::vector<std::vector<int>> outputShapes(const std::vector<Image>& inputs, const Params& params = {}) const;

  /// Runs the pipeline. Inputs are checked (count, type, dimensions), parameters too (type,
  /// range); `outputs` are reused when they already have the right type and shape, else
  /// allocated (3-D outputs with at most 4 channels interleaved, as OpenCV stores color).
  /// Safe to call from many threads at once, each with its own outputs.
  void run(const std::vector<Image>& inputs, const Params& params, std::vector<Image>& outputs) const;
  std::vector<Image> run(const std::vector<Image>& inputs, const Params& params = {}) const;

  struct Impl;

 private:
  explicit Pipeline(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

/// Names of the pipelines a program's statically linked Fovea libraries registered.
std::vector<std::string> linkedPipelines();

}  // namespace fovea
