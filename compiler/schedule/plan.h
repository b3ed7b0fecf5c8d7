#pragma once
/// Schedule planners: the heuristic (the default) and `none` (everything computed in full,
/// unvectorized: the reference every other schedule must agree with).
///
/// The heuristic decides each stage from a cost model (docs/backend.md explains it at length):
///   - inline when recomputing the stage at every read costs no more than storing it once and
///     loading it at every read (taps times the expression's cost against a store and loads);
///   - otherwise, a stage read at constant offsets (or pointwise) in the loops of one owner is
///     computed per strip of rows of that owner; the strip height is the tallest whose
///     producers' footprint (rows plus halo) fits the cache while leaving enough strips for every
///     core, and the halo rows are recomputed per strip;
///   - everything else (reductions, stages read in several loop nests, gathers, stencils with a
///     halo too tall to recompute, outputs) is computed in full, in parallel strips, vectorized.
/// On a CUDA target the same groups become kernels: a stage computed in full is tiled into 16x16
/// thread blocks (one thread per pixel); the strip stages of its group are computed per block,
/// by the block's threads, into shared memory; inlined stages stay inlined.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "schedule/schedule.h"
#include "sema/ir.h"

namespace fovea {

/// How a consumer reads a producer: at its own pixel, at constant offsets (var + k at the
/// variable's own position), at a constant multiple of its own position plus an offset (a * var + k:
/// downsampling, a pyramid's levels), or anywhere else (a gather).
enum class Access { Pointwise, Stencil, Affine, Irregular };
/// `consumerDims`: the dimensions of the stage that reads. A constant index past them (a color
/// channel read from a stage of fewer dimensions, `s(x, y, 1)` in a 2-D stage) selects a slice:
/// each point still reads its own point. Where the reader is unknown, constants are gathers.
Access accessOf(const ir::Expr& call, size_t consumerDims = SIZE_MAX);

/// Who reads whom, for planners: per stage its consumers (in order of first read) and whether an
/// update reads it, and every stage in an order where consumers come before their producers.
struct ReadGraph {
  std::vector<std::vector<size_t>> consumers;
  std::vector<std::map<size_t, size_t>> callSites;  ///< per producer: call sites in each consumer
  std::vector<bool> readInUpdate;
  std::vector<size_t> consumersFirst;
};
ReadGraph readGraph(const ir::Pipeline& p);
const char* toString(Access a);  ///< "pointwise", "stencil", "affine", "gather"

/// The numbers behind the heuristic's decisions (docs/backend.md explains the model). Costs are
/// in expression nodes per point: one arithmetic operation, cast or read is 1.
struct CostModel {
  double storeCost = 8;         ///< storing a point of an intermediate (and the loop and buffer around it)
  double loadCost = 1;          ///< reading a stored point back, from cache
  int64_t maxHaloRows = 16;     ///< taller stencils are computed in full: the per-strip recompute would dominate
  /// Longest run of stages inlined into one another. Halide inlines one Func at a time and
  /// simplifies the growing expression each time (quadratic in the run's length: a 500-stage
  /// pointwise chain took minutes to compile); a longer run is cut by storing a stage.
  int maxInlineRun = 16;
  /// The most copies of a stage's expression that inlining may put into the stage that holds it
  /// (its call sites in each consumer, times that consumer's own copies when it is inlined too):
  /// a chain of stages each read many times at the same point would otherwise grow the expression
  /// exponentially, and Halide's compile time with it. The schedule sampler uses the same bound.
  size_t maxInlineCopies = 16;
  double cacheBytes = 1 << 20;  ///< per-core cache a strip's intermediates should fit in (L2 of current x86 cores)
  int width = 1920, height = 1080, channels = 3;  ///< image size the decisions are made for
  int maxStripRows = 64, minStripRows = 8;
  int minStrips = 32;           ///< strips per image at least, so every core gets several (load balance)
  int gpuTile = 16;             ///< 16x16 = 256 threads per block: full warps, room for halos in shared memory
};

/// What a planner needs to know of the lowered pipeline and the target.
struct PlanContext {
  std::vector<std::string> stageNames;  ///< Halide name per ir stage ("" for inputs)
  std::vector<std::string> outputNames; ///< Halide name per ir output
  std::vector<StageVars> stageVars;     ///< per ir stage: its definitions' loop variables (empty for inputs)
  std::vector<StageVars> outputVars;    ///< per ir output
  int vectorBytes = 32;                 ///< the target's SIMD width in bytes (AVX2: 32, AVX-512: 64)
  bool gpu = false;                     ///< the target has CUDA: stages computed in full run as GPU kernels
  std::string target;
  CostModel model;
};

Schedule planHeuristicSchedule(const ir::Pipeline& p, const PlanContext& context);
Schedule planReferenceSchedule(const ir::Pipeline& p, const PlanContext& context);

}  // namespace fovea
