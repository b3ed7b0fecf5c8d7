#pragma once
/// Applies a Schedule to a lowered pipeline: the one place where Fovea schedules become Halide
/// scheduling calls. Every name a schedule uses is checked against the pipeline (stages, loops of
/// each definition, the loops its steps make), and a problem is reported naming the stage, the
/// definition and the field.
///
///     if (!applySchedule(lowered, schedule, diags)) ...

#include <string>
#include <vector>

#include "lower/lower.h"
#include "schedule/schedule.h"
#include "support/diagnostics.h"

namespace fovea {

/// Reports (and returns false for) a schedule that names unknown stages or loops, places a stage
/// where it cannot be computed, or that Halide refuses.
bool applySchedule(LoweredPipeline& lowered, const Schedule& schedule, DiagnosticEngine& diags);

/// The loop variables of a lowered stage's definitions (see StageVars).
StageVars stageVarsOf(const Halide::Func& f);

}  // namespace fovea
