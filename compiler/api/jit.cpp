// The emit pass in process: a scheduled pipeline JIT-compiled, called with the runtime's checks and
// size rules (fovea::Signature), exactly as its compiled library would be.
#include <chrono>
#include <mutex>

#include <fmt/format.h>

#include "api/compiler.h"
#include "codegen/targets.h"

namespace fovea::compiler {
namespace {

class HalideJit : public JitPipeline {
 public:
  HalideJit(const ir::Pipeline& p, Scheduled s)
      : JitPipeline(signatureOf(p), s.schedule, s.target), paramTypes_(paramTypes(p)), lowered_(std::move(s.lowered)), pipeline_(lowered_.pipeline()) {}

  void compile() {
    auto start = std::chrono::steady_clock::now();
    pipeline_.compile_jit(target_);
    compileMs_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  }

  void run(const std::vector<Image>& inputs, const Params& params, std::vector<Image>& outputs) override {
    // The runtime's checks and size rules, exactly as a compiled library applies them.
    std::vector<double> values = signature_.resolveParams(params);
    signature_.checkInputs(inputs);
    signature_.prepareOutputs(inputs, values, outputs);
    // Halide's JIT pipeline keeps per-call state: one call at a time.
    std::lock_guard<std::mutex> lock(mutex_);
    Halide::ParamMap map;
    std::vector<Halide::Buffer<>> in;
    in.reserve(inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) {
      in.emplace_back(Image(inputs[i]));
      map.set(lowered_.inputs[i], in.back());
    }
    for (size_t i = 0; i < paramTypes_.size(); ++i) bindParam(map, lowered_.params[i], paramTypes_[i], values[i]);
    std::vector<Halide::Buffer<>> out;
    for (Image& b : outputs) out.emplace_back(Image(b));
    try {
      Halide::Realization realization(out);
      pipeline_.realize(realization, target_, map);
    } catch (const Halide::Error& e) {
      throw Error(signature_.explainFailure(0, e.what()));
    }
  }

 private:
  static std::vector<ScalarType> paramTypes(const ir::Pipeline& p) {
    std::vector<ScalarType> types;
    for (const ir::Param& param : p.params) types.push_back(param.type);
    return types;
  }
  std::vector<ScalarType> paramTypes_;
  LoweredPipeline lowered_;
  Halide::Pipeline pipeline_;
  std::mutex mutex_;
};

}  // namespace

Result<Halide::Target> jitTarget(const std::string& spec) {
  Result<std::vector<Halide::Target>> targets = parseTargets(spec);
  if (!targets) return targets.failure();
  if (targets->size() != 1) return Failure::usage("--target takes one target for a JIT run");
  if (std::string why = whyNotRunnableHere((*targets)[0]); !why.empty()) return Failure::usage(why + "; a JIT run executes here");
  return (*targets)[0];
}

Result<std::unique_ptr<JitPipeline>> jit(const Program& program, const ir::Pipeline& p, const std::string& strategy, const Halide::Target& target) {
  if (!p.models.empty()) {
    return Failure::usage(fmt::format("'{}' calls models; compile it to a library (emitLibrary) and run that", p.name));
  }
  Result<Scheduled> s = schedule(program, p, strategy, target);
  if (!s) return s.failure();
  auto engine = std::make_unique<HalideJit>(p, std::move(*s));
  try {
    engine->compile();
  } catch (const Halide::Error& e) {
    return Failure::compile(fmt::format("Halide could not compile '{}': {}", p.name, e.what()));
  }
  return std::unique_ptr<JitPipeline>(std::move(engine));
}

}  // namespace fovea::compiler
