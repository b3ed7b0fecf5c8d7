#pragma once
/// Fovea's schedule: for every stage, where it is computed and how its loops run. It is plain
/// data, serializable to JSON (`--emit schedule`, `--schedule FILE.json`), produced by the
/// heuristic planner (or, later, the autotuner) and applied to the Halide pipeline in one place
/// (apply_schedule.h).
///
///     Schedule s = planHeuristicSchedule(pipeline, target);
///     std::string text = s.toJson().dump();

#include <optional>
#include <string>
#include <vector>

#include "fovea/json.h"
#include "support/result.h"

namespace fovea {

enum class Placement {
  Inline,  ///< substituted into every consumer (pointwise, cheap producers)
  Strip,   ///< computed per strip of rows of `computeAt` (stencils: sliding over the strip)
  Root,    ///< computed in full before its consumers (reductions, many consumers, outputs)
};

const char* toString(Placement p);

struct StageSchedule {
  std::string stage;        ///< the stage's Halide name
  Placement placement = Placement::Root;
  std::string computeAt;    ///< Strip: the consumer whose strips compute this stage
  int vector = 0;           ///< vector width of the innermost dimension (0: scalar)
  int stripRows = 0;        ///< Root: rows per strip of its own loops (0: no split)
  bool parallel = false;    ///< Root: strips (or rows) run in parallel
  /// Root, 3 dimensions: loop over channels inside x, and in the version for interleaved color
  /// unroll them by this factor (0: channels outermost, planar order).
  int unrollChannels = 0;
  /// Root, CPU: split each associative update over its outermost reduction variable into
  /// partial results computed in parallel, then combined (Halide's rfactor).
  bool parallelReduction = false;
  std::string reason;       ///< why the planner chose this (written by `--emit schedule`)
  /// GPU (CUDA targets). Root: the thread-block tile over x, y (0: not on the GPU); Strip: the
  /// stage is computed per block of its owner, by the block's threads, in shared memory.
  int gpuTileX = 0, gpuTileY = 0;
};

struct Schedule {
  std::string strategy;  ///< "heuristic", "none", a file name, ...
  std::string target;
  std::vector<StageSchedule> stages;
  /// An autoscheduler's schedule, as Halide C++ (its stages list is then empty: the
  /// autoscheduler applied it to the Halide pipeline itself).
  std::string halideSchedule;

  const StageSchedule* find(const std::string& stage) const;
  json::Value toJson() const;
  /// Reads a schedule written by toJson(); a failure says what is malformed.
  static Result<Schedule> fromJson(const json::Value& v);
  /// A short stable hash of the JSON text (for manifests and caches).
  std::string hash() const;
};

}  // namespace fovea
