#include "schedule/choose.h"

#include <fmt/format.h>

#include "codegen/targets.h"
#include "frontend/imports.h"
#include "schedule/apply_schedule.h"
#include "schedule/autoschedule.h"
#include "schedule/plan.h"
#include "schedule/sample.h"
#include "support/files.h"

namespace fovea {

std::optional<Schedule> chooseSchedule(const std::string& strategy, const ir::Pipeline& p, const LoweredPipeline& lowered,
                                       const Halide::Target& target, DiagnosticEngine& diags) {
  PlanContext context;
  context.stageNames = lowered.stageNames;
  context.outputNames = lowered.outputNames;
  for (const Halide::Func& f : lowered.stages) context.stageVars.push_back(f.defined() ? stageVarsOf(f) : StageVars{});
  for (const Halide::Func& f : lowered.outputs) context.outputVars.push_back(stageVarsOf(f));
  context.vectorBytes = vectorBytes(target);
  context.gpu = target.has_feature(Halide::Target::CUDA);
  context.target = target.to_string();
  if (strategy.empty() || strategy == "heuristic") return planHeuristicSchedule(p, context);
  if (strategy == "none") return planReferenceSchedule(p, context);
  if (strategy.rfind("random:", 0) == 0) {
    const std::string digits = strategy.substr(7);
    if (digits.empty() || digits.size() > 19 || digits.find_first_not_of("0123456789") != std::string::npos) {
      diags.error({}, fmt::format("'{}': a random schedule is random:SEED, SEED a whole number", strategy));
      return std::nullopt;
    }
    return sampleSchedule(p, context, std::stoull(digits));
  }
  if (autoschedulerName(strategy)) return runAutoscheduler(strategy, p, lowered, target, diags);
  if (strategy.size() > 5 && strategy.substr(strategy.size() - 5) == ".json") {
    Result<std::string> text = readTextFile(strategy, kMaxSourceBytes, "a schedule file");
    if (!text) {
      diags.error({}, fmt::format("cannot read schedule file '{}': {}", strategy, text.failure().message));
      return std::nullopt;
    }
    std::string error;
    auto json = json::parse(*text, &error);
    Result<Schedule> s = json ? Schedule::fromJson(*json) : Result<Schedule>(Failure::input(error));
    if (!s) {
      diags.error({}, fmt::format("schedule file '{}': {}", strategy, s.failure().message));
      return std::nullopt;
    }
    s->strategy = strategy;  // where it came from, for messages and manifests
    return *s;
  }
  diags.error({}, fmt::format("unknown schedule '{}' (use heuristic, none, mullapudi2016, adams2019, li2018, random:SEED, or a schedule .json file)",
                              strategy));
  return std::nullopt;
}

}  // namespace fovea
