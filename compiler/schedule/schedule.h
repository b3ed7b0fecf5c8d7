#pragma once
/// Fovea's schedule: for every stage, where it is computed and stored and how the loops of each of
/// its definitions (the pure one, then each update) run. It is plain data, serializable to JSON
/// (`--emit schedule`, `--schedule FILE.json`, version 2),
/// produced by the heuristic planner, converted from Halide's autoschedulers, drawn at random by
/// the schedule sampler (schedule/sample.h), and applied to the Halide pipeline in one place
/// (apply_schedule.h). docs/schedules.md describes the format field by field.
///
///     Schedule s = planHeuristicSchedule(pipeline, context);
///     std::string text = s.toJson().dump();

#include <optional>
#include <string>
#include <vector>

#include "fovea/json.h"
#include "support/result.h"

namespace fovea {

enum class Placement {
  Inline,  ///< substituted into every consumer (the default for a stage without updates)
  At,      ///< computed inside a loop of another stage (`compute_at`): per strip, tile or GPU block
  Root,    ///< computed in full before its consumers
};

const char* toString(Placement p);

/// What a split does with the last iterations when the factor does not divide the extent
/// (Halide's TailStrategy).
enum class Tail { Auto, Guard, Shift, Round };
const char* toString(Tail t);

/// One step that makes new loops from old ones, in order (Halide keeps the same list).
struct LoopStep {
  enum class Kind { Split, Fuse, Rename } kind = Kind::Split;
  std::string var;    ///< Split, Rename: the loop it replaces; Fuse: the inner of the two loops fused
  std::string outer;  ///< Split: the new outer loop (may reuse `var`); Fuse: the outer loop fused; Rename: the new name
  std::string inner;  ///< Split: the new inner loop; Fuse: the fused loop
  int factor = 1;     ///< Split: iterations of the inner loop
  Tail tail = Tail::Guard;
};

/// A reduction's update split into partial results over one reduction variable (Halide's rfactor):
/// the partial results are computed in full (in parallel over `var` if asked), then combined. It
/// applies when Halide proves the update associative; otherwise the update runs serially.
struct RFactor {
  std::string rvar, var;
  bool parallel = true;
};

/// The loops of one definition: steps first, then the order (innermost first, Halide's reorder),
/// then how loops run. Names are those of the definition's variables (the script's dimension names,
/// and for an update its reduction variables as Halide names them) and of the loops steps make.
struct Loops {
  std::vector<LoopStep> steps;
  std::vector<std::string> order;
  std::vector<std::string> parallel, vectorized, unrolled;
  std::vector<std::string> gpuBlocks, gpuThreads;  ///< innermost first, at most 3 each
  std::optional<RFactor> rfactor;                  ///< updates only
  bool empty() const;
};

/// A version of a stage's pure definition for one memory layout of the pipeline's buffers, with
/// loops of its own (added to the definition's): constant strides let Halide load and store whole
/// vectors. "interleaved": every 3-channel buffer interleaved (x stride 3, channel stride 1, as
/// OpenCV stores color), the others dense; "dense": every buffer's x stride 1 (gray, planar).
/// Versions are tried in order; a layout matching none runs the definition's own loops.
struct LayoutVersion {
  std::string layout;
  Loops loops;
};

/// A loop of a stage: the loop named `loop` in `stage`'s loop nest (Halide 14 places a Func at
/// a loop by its name, not by the definition it belongs to: the loop should be one of the pure
/// definition's, or have a name no other definition of the stage uses).
struct LoopLevel {
  std::string stage, loop;
};

/// Storage folding: only `factor` consecutive values along `dim` are kept (a circular buffer of
/// rows when a producer slides down its consumer).
struct Fold {
  std::string dim;
  int factor = 0;
};

struct StageSchedule {
  std::string stage;  ///< the stage's name, as lowering names it (see LoweredPipeline)
  Placement placement = Placement::Root;
  LoopLevel computeAt;                ///< At: where it is computed
  std::optional<LoopLevel> storeAt;   ///< where its buffer lives, at or outside computeAt (default: with computeAt); "" stage: root
  std::vector<Fold> folds;
  std::string memory;                 ///< "" (Halide decides), "heap", "stack", "register", "gpu_shared"
  std::vector<Loops> definitions;     ///< [0] the pure definition, [i] update i; missing ones keep Halide's defaults
  std::vector<LayoutVersion> layouts; ///< versions of the pure definition per buffer layout (CPU)
  std::string reason;                 ///< why a planner chose this (written by `--emit schedule`)

  /// The pure definition's loops (made on first use).
  Loops& pure();
  /// The vector width of its main loop as planned (the factor of the split whose inner loop is
  /// vectorized, in the first layout version or the pure definition); 0 if scalar.
  int vectorWidth() const;
  /// One line for people: "root; y split 32, parallel y_o; x vectorized 16 (interleaved, dense)".
  std::string summary() const;
};

/// The loop variables a stage's definitions start with, as schedules name them: the pure
/// definition's dimensions, and per update its reduction variables (Halide's names, such as
/// "r_sum$x"; an update's pure dimensions are the pure definition's).
struct StageVars {
  std::vector<std::string> pure;
  std::vector<std::vector<std::string>> rvars;  ///< per update
  /// A name for a new loop, `base` or `base` with underscores added, that none of these has.
  std::string fresh(std::string base) const;
};

struct Schedule {
  std::string strategy;  ///< "heuristic", "none", "mullapudi2016", a file name, ...
  std::string target;
  std::vector<StageSchedule> stages;
  /// An autoscheduler's schedule, as Halide C++. With an empty stage list it could not be converted
  /// into Fovea's data, and the autoscheduler applied it to the Halide pipeline itself.
  std::string halideSchedule;

  const StageSchedule* find(const std::string& stage) const;
  json::Value toJson() const;
  /// Reads a schedule written by toJson() (version 2) or by hand; a failure names the stage, the
  /// definition and the field that is malformed, and unknown fields are errors (a misspelt field
  /// would otherwise be ignored silently).
  static Result<Schedule> fromJson(const json::Value& v);
  /// A short stable hash of the JSON text (for manifests and caches).
  std::string hash() const;
};

}  // namespace fovea
