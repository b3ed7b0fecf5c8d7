#pragma once
/// Schedule planners: the heuristic (the default) and `none` (everything computed in full,
/// unvectorized: the reference every other schedule must agree with).
///
/// The heuristic's cost model, stage by stage (docs/schedules.md explains it at length):
///   - a boundary condition, or a stage every consumer reads at the same pixel and whose value is
///     cheap to compute, is inlined: recomputing it costs less than storing it;
///   - a stage read at constant offsets (a stencil) by a single consumer is computed per strip of
///     rows of that consumer: its footprint stays in cache, and only the halo rows are recomputed;
///   - everything else (reductions, stages with several consumers or irregular reads, outputs) is
///     computed in full, in parallel strips of rows, vectorized along x.
/// On a CUDA target the same groups become kernels: a stage computed in full is tiled into 16x16
/// thread blocks (one thread per pixel); the stencil stages of its group are computed per block,
/// by the block's threads, into shared memory; inlined stages stay inlined.

#include <string>
#include <vector>

#include "schedule/schedule.h"
#include "sema/ir.h"

namespace fovea {

/// How a consumer reads a producer: at its own pixel, at constant offsets (var + k at the
/// variable's own position), or anywhere else (a gather).
enum class Access { Pointwise, Stencil, Irregular };
Access accessOf(const ir::Expr& call);
const char* toString(Access a);  ///< "pointwise", "stencil", "gather"

/// What a planner needs to know of the lowered pipeline and the target.
struct PlanContext {
  std::vector<std::string> stageNames;  ///< Halide name per ir stage ("" for inputs)
  std::vector<std::string> outputNames; ///< Halide name per ir output
  int vectorBytes = 32;                 ///< the target's SIMD width in bytes (AVX2: 32, AVX-512: 64)
  bool gpu = false;                     ///< the target has CUDA: stages computed in full run as GPU kernels
  std::string target;
};

Schedule planHeuristicSchedule(const ir::Pipeline& p, const PlanContext& context);
Schedule planReferenceSchedule(const ir::Pipeline& p, const PlanContext& context);

}  // namespace fovea
