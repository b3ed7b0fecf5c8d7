#pragma once
/// Lowering: the checked IR of one pipeline becomes a Halide pipeline (Funcs, ImageParams, Params),
/// built in process through Halide's C++ API. Nothing is scheduled here (see schedule/).
///
///     std::optional<LoweredPipeline> lowered = lowerPipeline(program.pipelines[0], diags);
///     Halide::Pipeline p = lowered->pipeline();

#include <optional>
#include <string>
#include <vector>

#include <Halide.h>

#include "sema/ir.h"
#include "support/diagnostics.h"

namespace fovea {

struct LoweredPipeline {
  std::string name;
  std::vector<Halide::ImageParam> inputs;  ///< per ir input
  std::vector<Halide::Param<>> params;     ///< per ir param
  std::vector<Halide::Argument> arguments; ///< the C signature's inputs, in declaration order
  /// Per ir stage: its Func (undefined for pipeline inputs, which are ImageParams).
  std::vector<Halide::Func> stages;
  /// Per ir output: the Func that is written to the output buffer (named after the output).
  std::vector<Halide::Func> outputs;
  /// The names schedules use for `stages` ("" for inputs) and `outputs`: chosen by lowering from
  /// the script's names, the same in every lowering of a pipeline; the first output is the
  /// pipeline's name even when the C function has another (--function). Schedules are matched to
  /// Funcs through these, never through Halide's Func names.
  std::vector<std::string> stageNames, outputNames;

  Halide::Pipeline pipeline() const;
};

/// Sets a scalar parameter of type `t` in `map` (JIT runs).
void bindParam(Halide::ParamMap& map, const Halide::Param<>& p, ScalarType t, double v);

/// Halide's type for a Fovea scalar type.
Halide::Type halideType(ScalarType t);

/// Builds the Halide definition of every stage. Halide rejects some programs the checker accepts
/// (they are rare); its message is then reported at the Fovea definition that caused it.
/// `function` names the compiled C function (default: the pipeline's name).
std::optional<LoweredPipeline> lowerPipeline(const ir::Pipeline& pipeline, DiagnosticEngine& diags, const std::string& function = "");

/// A name usable as a Halide Func and as a C identifier ("box3.bx" -> "box3_bx").
std::string halideName(const std::string& name);

}  // namespace fovea
