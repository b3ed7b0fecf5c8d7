#pragma once
/// Applies a Schedule to a lowered pipeline: the one place where Fovea schedules become Halide
/// scheduling calls.
///
///     if (!applySchedule(lowered, schedule, diags)) ...

#include "lower/lower.h"
#include "schedule/schedule.h"
#include "support/diagnostics.h"

namespace fovea {

/// Reports (and returns false for) a schedule that names unknown stages or places a stage at a
/// stage that cannot hold it.
bool applySchedule(LoweredPipeline& lowered, const Schedule& schedule, DiagnosticEngine& diags);

}  // namespace fovea
