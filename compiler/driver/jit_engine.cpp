#include "driver/jit_engine.h"

#include <chrono>
#include <mutex>

#include <fmt/format.h>

#include "lower/lower.h"
#include "schedule/apply_schedule.h"
#include "schedule/choose.h"
#include "sema/evaluate.h"

namespace fovea::driver {
namespace {

/// Halide names buffer dimensions by number and prefixes "Error: "; say it with the script's names:
/// "Input buffer input is accessed at 3, which is beyond the max (2) in dimension 2" gains
/// "(dimension 2 is 'c' of input 'input')".
std::string explainRunError(std::string message, const ir::Pipeline& p) {
  if (message.rfind("Error: ", 0) == 0) message = message.substr(7);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  size_t at = message.find(" in dimension ");
  if (at == std::string::npos) return message;
  int dim = std::atoi(message.c_str() + at + 14);
  auto describe = [&](const std::string& buffer, const std::vector<std::string>& dims, const char* what) -> std::string {
    if (message.find(" buffer " + buffer + " ") == std::string::npos || dim < 0 || dim >= static_cast<int>(dims.size())) return "";
    return fmt::format(" (dimension {} is '{}' of {} '{}')", dim, dims[dim], what, buffer);
  };
  for (const ir::Input& in : p.inputs) {
    if (std::string note = describe(in.name, in.dims, "input"); !note.empty()) return message + note;
  }
  for (const ir::Output& out : p.outputs) {
    if (std::string note = describe(out.name, out.dims, "output"); !note.empty()) return message + note;
  }
  return message;
}

class JitEngine : public RunEngine {
 public:
  JitEngine(const ir::Pipeline& p, LoweredPipeline lowered, Schedule schedule, Halide::Target target)
      : p_(p), lowered_(std::move(lowered)), schedule_(std::move(schedule)), target_(target), pipeline_(lowered_.pipeline()) {
    sig_ = signatureOf(p);
  }

  void compile() { pipeline_.compile_jit(target_); }
  const RunSignature& signature() const override { return sig_; }
  std::string what() const override { return fmt::format("{} schedule, {}", schedule_.strategy, target_.to_string()); }

  void run(const std::vector<RuntimeBuffer>& inputs, const std::vector<double>& params, std::vector<RuntimeBuffer>& outputs) override {
    SizeContext sizes;
    sizes.params = params;
    for (const RuntimeBuffer& in : inputs) {
      std::vector<int64_t> e;
      for (int d = 0; d < in.dimensions(); ++d) e.push_back(in.dim(d).extent());
      sizes.inputExtents.push_back(e);
    }
    outputs.resize(p_.outputs.size());
    for (size_t o = 0; o < p_.outputs.size(); ++o) {
      const ir::Output& out = p_.outputs[o];
      std::vector<int> shape;
      for (const ir::ExprPtr& e : out.size) {
        auto v = evaluateInteger(*e, sizes);
        if (!v || *v <= 0 || *v > (int64_t{1} << 30)) throw RunFailure(fmt::format("output '{}' would have an invalid size ({})", out.name, v ? *v : -1));
        shape.push_back(static_cast<int>(*v));
      }
      bool fits = outputs[o].raw_buffer() && outputs[o].data() && outputs[o].dimensions() == static_cast<int>(shape.size());
      for (size_t d = 0; fits && d < shape.size(); ++d) fits = outputs[o].dim(static_cast<int>(d)).extent() == shape[d];
      if (!fits) outputs[o] = allocateOutput(out.type, shape);
    }
    // Halide's JIT pipeline keeps per-call state: one call at a time.
    std::lock_guard<std::mutex> lock(mutex_);
    Halide::ParamMap map;
    std::vector<Halide::Buffer<>> in;
    for (size_t i = 0; i < inputs.size(); ++i) {
      in.emplace_back(RuntimeBuffer(inputs[i]));
      map.set(lowered_.inputs[i], in.back());
    }
    for (size_t i = 0; i < p_.params.size(); ++i) bindParam(map, lowered_.params[i], p_.params[i].type, params[i]);
    std::vector<Halide::Buffer<>> out;
    for (RuntimeBuffer& b : outputs) out.emplace_back(RuntimeBuffer(b));
    try {
      Halide::Realization realization(out);
      pipeline_.realize(realization, target_, map);
    } catch (const Halide::Error& e) {
      throw RunFailure(fmt::format("'{}' failed: {}", p_.name, explainRunError(e.what(), p_)));
    }
  }

 private:
  const ir::Pipeline& p_;
  LoweredPipeline lowered_;
  Schedule schedule_;
  Halide::Target target_;
  Halide::Pipeline pipeline_;
  RunSignature sig_;
  std::mutex mutex_;
};

}  // namespace

RunSignature signatureOf(const ir::Pipeline& p) {
  RunSignature sig;
  sig.pipeline = p.name;
  for (const ir::Input& in : p.inputs) sig.inputs.push_back({in.name, in.type, in.dims});
  for (const ir::Param& param : p.params) {
    RunParam rp{param.name, param.type, std::nullopt, std::nullopt, std::nullopt};
    if (param.defaultValue) rp.defaultValue = constantValue(*param.defaultValue);
    if (param.min) rp.min = constantValue(*param.min);
    if (param.max) rp.max = constantValue(*param.max);
    sig.params.push_back(rp);
  }
  for (const ir::Output& o : p.outputs) sig.outputs.push_back({o.name, o.type, o.dims});
  return sig;
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
