#pragma once
// What `fovea run` runs: a pipeline JIT-compiled from a script, or a library `fovea compile`
// wrote, loaded through the runtime. Both check their arguments with the runtime's checks
// (fovea::Signature), so a script and its library accept and refuse the same things.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <HalideBuffer.h>

#include "api/compiler.h"
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

/// A Signature in the compiler's types, for the image and batch code.
struct RunSignature {
  std::string pipeline;
  std::vector<RunTensor> inputs;
  std::vector<RunParam> params;
  std::vector<RunTensor> outputs;
};

RunSignature runSignatureOf(const Signature& s);

/// A failure while running (the message is for the user, in the pipeline's terms).
struct RunFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class RunEngine {
 public:
  using Runner = std::function<void(const std::vector<RuntimeBuffer>&, const Params&, std::vector<RuntimeBuffer>&)>;
  RunEngine(Signature contract, std::string what, Runner runner)
      : contract_(std::move(contract)), signature_(runSignatureOf(contract_)), what_(std::move(what)), runner_(std::move(runner)) {}
  /// The runtime's view: checks, output sizes.
  const Signature& contract() const { return contract_; }
  const RunSignature& signature() const { return signature_; }
  /// "heuristic schedule, x86-64-linux-avx2" or "compiled library".
  const std::string& what() const { return what_; }
  /// Runs with these parameters (others take their defaults). Arguments are checked as the runtime
  /// checks them; outputs are sized by the size rules, reused when they already fit. Throws
  /// RunFailure. Safe to call from several threads.
  void run(const std::vector<RuntimeBuffer>& inputs, const Params& params, std::vector<RuntimeBuffer>& outputs) const;

 private:
  Signature contract_;
  RunSignature signature_;
  std::string what_;
  Runner runner_;
};

/// Opens an artifact directory, manifest or libNAME.so (the runtime's message on failure).
Result<std::unique_ptr<RunEngine>> openArtifact(const std::string& path, const std::string& pipeline);

/// A script's pipeline JIT-compiled by the compiler API (compiler::jit).
std::unique_ptr<RunEngine> jitEngine(std::unique_ptr<compiler::JitPipeline> jit);

/// A script's pipeline ready to run: JIT-compiled, or (when it calls models) compiled to a library
/// in a scratch directory and loaded through the runtime. `compileMs` gets the time it took.
compiler::Result<std::unique_ptr<RunEngine>> openScript(const compiler::Program& program, const ir::Pipeline& p, const std::string& strategy,
                                                        const Halide::Target& target, double* compileMs = nullptr);

/// `--set NAME=VALUE` values as parameters, checked as the runtime checks them (name, type,
/// range); a usage failure otherwise.
Result<Params> paramsFromSets(const std::map<std::string, std::string>& sets, const Signature& contract);

/// Whether `path` names a compiled artifact rather than a script.
bool isArtifactPath(const std::string& path);

/// The runtime's element type for a Fovea scalar type (the same names), and its Halide type.
ElementType elementTypeOf(ScalarType t);
halide_type_t runtimeType(ScalarType t);

}  // namespace fovea::driver
