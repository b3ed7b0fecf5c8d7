#include "driver/jit_engine.h"

#include <chrono>
#include <mutex>

#include <fmt/format.h>

#include "codegen/manifest.h"
#include "lower/lower.h"
#include "schedule/apply_schedule.h"
#include "schedule/choose.h"

namespace fovea::driver {
namespace {

class JitEngine : public RunEngine {
 public:
  JitEngine(const ir::Pipeline& p, LoweredPipeline lowered, Schedule schedule, Halide::Target target)
      : RunEngine(contractOf(p)), p_(p), lowered_(std::move(lowered)), schedule_(std::move(schedule)), target_(target), pipeline_(lowered_.pipeline()) {}

  void compile() { pipeline_.compile_jit(target_); }
  std::string what() const override { return fmt::format("{} schedule, {}", schedule_.strategy, target_.to_string()); }

  void run(const std::vector<RuntimeBuffer>& inputs, const Params& params, std::vector<RuntimeBuffer>& outputs) override {
    std::vector<double> values;
    try {
      // The runtime's checks and size rules, exactly as a compiled library applies them.
      values = contract().resolveParams(params);
      contract().checkInputs(inputs);
      contract().prepareOutputs(inputs, values, outputs);
    } catch (const Error& e) {
      throw RunFailure(e.what());
    }
    // Halide's JIT pipeline keeps per-call state: one call at a time.
    std::lock_guard<std::mutex> lock(mutex_);
    Halide::ParamMap map;
    std::vector<Halide::Buffer<>> in;
    for (size_t i = 0; i < inputs.size(); ++i) {
      in.emplace_back(RuntimeBuffer(inputs[i]));
      map.set(lowered_.inputs[i], in.back());
    }
    for (size_t i = 0; i < p_.params.size(); ++i) bindParam(map, lowered_.params[i], p_.params[i].type, values[i]);
    std::vector<Halide::Buffer<>> out;
    for (RuntimeBuffer& b : outputs) out.emplace_back(RuntimeBuffer(b));
    try {
      Halide::Realization realization(out);
      pipeline_.realize(realization, target_, map);
    } catch (const Halide::Error& e) {
      throw RunFailure(contract().explainFailure(0, e.what()));
    }
  }

 private:
  const ir::Pipeline& p_;
  LoweredPipeline lowered_;
  Schedule schedule_;
  Halide::Target target_;
  Halide::Pipeline pipeline_;
  std::mutex mutex_;
};

}  // namespace

Signature contractOf(const ir::Pipeline& p) {
  ManifestInfo info;
  info.function = p.name;
  return Signature::fromManifest(buildManifest(p, Schedule{}, info).dump(), p.name);
}

std::unique_ptr<RunEngine> makeJitEngine(const ir::Pipeline& p, const std::string& strategy, const Halide::Target& target, DiagnosticEngine& diags,
                                         double& compileMs) {
  auto lowered = lowerPipeline(p, diags);
  std::optional<Schedule> schedule = lowered ? chooseSchedule(strategy, p, *lowered, target, diags) : std::nullopt;
  if (!lowered || !schedule || !applySchedule(*lowered, *schedule, diags)) return nullptr;
  auto engine = std::make_unique<JitEngine>(p, std::move(*lowered), std::move(*schedule), target);
  auto start = std::chrono::steady_clock::now();
  try {
    engine->compile();
  } catch (const Halide::Error& e) {
    diags.error({}, fmt::format("Halide could not compile '{}': {}", p.name, e.what()));
    return nullptr;
  }
  compileMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return engine;
}

}  // namespace fovea::driver
