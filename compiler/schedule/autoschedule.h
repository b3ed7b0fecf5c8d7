#pragma once
/// Halide's autoschedulers (Mullapudi2016, Adams2019, Li2018), loaded as plugins. They schedule the
/// Halide pipeline directly, from estimates Fovea gives them: 1920x1080 (x3 channels) inputs, the
/// parameters' defaults, and the outputs' size rules evaluated at those sizes.
///
/// Their schedules split loops by factors chosen for those sizes and assume the images are at least
/// that large: on smaller images the compiled pipeline reports an out-of-bounds access (Fovea's own
/// heuristic guards its tails and works at any size). Their search log goes to stderr only when
/// FOVEA_AUTOSCHEDULER_LOG is set.

#include <optional>
#include <string>

#include <Halide.h>

#include "lower/lower.h"
#include "schedule/schedule.h"
#include "sema/ir.h"
#include "support/diagnostics.h"

namespace fovea {

/// "mullapudi2016" -> "Mullapudi2016"; nothing for names that are not autoschedulers.
std::optional<std::string> autoschedulerName(const std::string& strategy);

/// Runs the autoscheduler on `lowered` (which it schedules in place) and returns a Schedule that
/// records its name and the schedule it chose (Halide's C++ text).
std::optional<Schedule> runAutoscheduler(const std::string& name, const ir::Pipeline& p, const LoweredPipeline& lowered,
                                         const Halide::Target& target, DiagnosticEngine& diags);

}  // namespace fovea
