#pragma once
/// A pipeline that calls models is cut, before lowering, into compiled segments and model nodes
/// that run in order: each segment is an ordinary pipeline (no models) whose inputs are pipeline
/// inputs and model outputs, and whose outputs are model inputs (the pre-processing that feeds a
/// model, fused into one segment that writes the model's input tensors at their declared shapes)
/// or, for the last one, the pipeline's outputs.
///
///     std::vector<GraphNode> graph = splitAtModels(pipeline);   // pipeline.models non-empty
///
/// Values flowing between nodes are named "input:NAME" (a pipeline input), "stage:NAME" (a model
/// input or output tensor) and "output:NAME" (a pipeline output).

#include <string>
#include <vector>

#include "sema/ir.h"

namespace fovea {

struct GraphNode {
  enum class Kind { Segment, Model };
  Kind kind = Kind::Segment;
  ir::Pipeline segment;              ///< Segment: a pipeline without models, named PIPELINE__sK
  std::vector<std::string> inputs;   ///< the values bound to the segment's inputs, or the model's
  std::vector<std::string> outputs;  ///< the values it produces
  int model = -1;                    ///< Model: index into the pipeline's models
};

std::vector<GraphNode> splitAtModels(const ir::Pipeline& p);

}  // namespace fovea
