#pragma once
/// Reads back the schedule that Halide's Funcs carry (after an autoscheduler scheduled them in
/// place) as Fovea's schedule data, so that an autoscheduler's choice can be inspected
/// (`--emit schedule`), edited, applied to a fresh lowering, and used as a starting point.
///
///     Result<std::vector<StageSchedule>> stages = readHalideSchedule(lowered);
///
/// What Fovea's data cannot describe (prefetches, compute_with, wrappers made by `in()`, bounds,
/// async, atomic updates, loops Halide made for a reduction it purified, specializations, or a
/// Func Halide made itself that is not inlined) fails with a message naming the stage and what.

#include <vector>

#include "lower/lower.h"
#include "schedule/schedule.h"
#include "support/result.h"

namespace fovea {

Result<std::vector<StageSchedule>> readHalideSchedule(const LoweredPipeline& lowered);

}  // namespace fovea
