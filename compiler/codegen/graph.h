#pragma once
/// `fovea graph`: the stage graph of a pipeline as Graphviz DOT, with the schedule's decisions
/// drawn in: each stage's placement (inline, per strip, in full), the fusion groups (the stages
/// computed inside one stage's strips share a box), and how each edge reads its producer.

#include <string>

#include "lower/segments.h"
#include "schedule/schedule.h"
#include "sema/ir.h"

namespace fovea {

/// `stageNames` are the lowered (Halide) names per ir stage, as the schedule uses them.
std::string pipelineGraphDot(const ir::Pipeline& p, const Schedule& schedule, const std::vector<std::string>& stageNames,
                             const std::vector<std::string>& outputNames);

/// A pipeline that calls models, as the runtime executes it: compiled segments (boxes listing
/// their stages) and model nodes (hexagons), joined by the tensors they pass. `graph` is its split.
std::string modelGraphDot(const ir::Pipeline& p, const std::vector<GraphNode>& graph);

}  // namespace fovea
