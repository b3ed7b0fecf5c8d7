#pragma once
/// `--schedule`: heuristic (default) | none | mullapudi2016 | adams2019 | li2018 | a schedule
/// JSON file. Builds the Schedule for a lowered pipeline and a target (an autoscheduler schedules
/// the lowered pipeline itself).

#include <optional>
#include <string>

#include <Halide.h>

#include "lower/lower.h"
#include "schedule/schedule.h"
#include "sema/ir.h"
#include "support/diagnostics.h"

namespace fovea {

/// Nothing (with an error reported) for an unknown strategy or a malformed file.
std::optional<Schedule> chooseSchedule(const std::string& strategy, const ir::Pipeline& p, const LoweredPipeline& lowered,
                                       const Halide::Target& target, DiagnosticEngine& diags);

}  // namespace fovea
