#pragma once
/// Random valid schedules drawn from Fovea's schedule space (`--schedule random:SEED`), for the
/// schedule fuzzer in the tests (every schedule must compute what `none` computes) and as a source
/// of starting points for a search.
///
///     Schedule s = sampleSchedule(pipeline, context, 42);   // the same seed, the same schedule
///
/// What it draws, per stage (consumers before producers): inline, root, or computed at a loop of the
/// one stage whose loops all its reads are in (outside its vectorized and unrolled loops and the
/// outer loop of its vectorized split: inside those Halide 14 writes past the producer's buffer);
/// per definition,
/// splits of x (vectorized or not) and y, a loop order, a parallel loop, an unrolled inner split of
/// the innermost loop that is not vectorized;
/// layout versions for stages computed in full; rfactor of updates over 2-D domains; updates are
/// vectorized or parallel only over dimensions they write at their own position. Tails are
/// "guard" (the others are valid only for some extents and buffers), no storage folding, Halide's
/// own memory types, and no GPU loops.

#include <cstdint>

#include "schedule/plan.h"
#include "sema/ir.h"

namespace fovea {

Schedule sampleSchedule(const ir::Pipeline& p, const PlanContext& context, uint64_t seed);

}  // namespace fovea
