#include "codegen/graph.h"

#include "schedule/plan.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

namespace fovea {
namespace {

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void collectCalls(const ir::ExprPtr& e, std::vector<const ir::Expr*>& out) {
  ir::visit(e, [&](const ir::Expr& n) {
    if (n.kind == ir::ExprKind::Call) out.push_back(&n);
    return true;
  });
}

}  // namespace

std::string pipelineGraphDot(const ir::Pipeline& p, const Schedule& schedule, const std::vector<std::string>& stageNames,
                             const std::vector<std::string>& outputNames) {
  std::string dot = fmt::format("digraph {} {{\n", quote(p.name));
  dot += "  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11];\n";
  dot += "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];\n";
  dot += fmt::format("  label={};\n  labelloc=t;\n", quote(fmt::format("{} ({} schedule)", p.name, schedule.strategy)));

  std::set<int> outputs;
  for (const ir::Output& o : p.outputs) outputs.insert(o.stage);
  std::map<std::string, std::vector<size_t>> groups;  // strip owner -> stages computed in its strips
  auto nodeName = [&](size_t s) { return quote(p.stages[s].kind == ir::StageKind::Input ? p.stages[s].name : stageNames[s]); };
  auto nodeLine = [&](size_t s) {
    const ir::Stage& st = p.stages[s];
    std::string type = fmt::format("{}[{}]", toString(st.type), fmt::join(st.dims, ", "));
    if (st.kind == ir::StageKind::Input) {
      return fmt::format("  {} [shape=ellipse, fillcolor=\"#e0e0e0\", label={}];\n", nodeName(s), quote(st.name + "\n" + type));
    }
    const StageSchedule* ss = schedule.find(stageNames[s]);
    std::string how = "scheduled by Halide's autoscheduler", fill = "#ffffff", extra;
    if (ss) {
      switch (ss->placement) {
        case Placement::Inline:
          how = "inline";
          fill = "#ffffff";
          extra = ", style=\"rounded,dashed\"";
          break;
        case Placement::At:
          how = fmt::format("per {} of {}", ss->computeAt.loop, ss->computeAt.stage);
          fill = "#d6e9ff";
          break;
        case Placement::Root:
          how = "in full";
          fill = "#ffe2c2";
          break;
      }
      if (int w = ss->vectorWidth(); w > 1) how += fmt::format(", vector {}", w);
      if (!ss->definitions.empty()) {
        const Loops& pure = ss->definitions[0];
        for (const LoopStep& step : pure.steps) {
          bool rows = ss->placement == Placement::Root && step.kind == LoopStep::Kind::Split && p.stages[s].dims.size() >= 2 &&
                      std::find(pure.parallel.begin(), pure.parallel.end(), step.outer) != pure.parallel.end();
          if (rows) how += fmt::format(", strips of {} rows", step.factor);
        }
        if (!pure.parallel.empty()) how += ", parallel";
        if (!pure.gpuBlocks.empty()) how += ", GPU blocks";
      }
    }
    if (!st.updates.empty()) how += fmt::format("\n{} update{}", st.updates.size(), st.updates.size() == 1 ? "" : "s");
    std::string border = outputs.count(static_cast<int>(s)) ? ", penwidth=2.5, color=\"#2e7d32\"" : "";
    return fmt::format("  {} [fillcolor=\"{}\"{}{}, label={}];\n", nodeName(s), fill, extra, border,
                       quote(stageNames[s] + "\n" + type + "\n" + how));
  };
  for (size_t s = 0; s < p.stages.size(); ++s) {
    const StageSchedule* ss = p.stages[s].kind == ir::StageKind::Input ? nullptr : schedule.find(stageNames[s]);
    if (ss && ss->placement == Placement::At) groups[ss->computeAt.stage].push_back(s);
  }
  std::set<size_t> drawn;
  int cluster = 0;
  for (const auto& [owner, members] : groups) {
    dot += fmt::format("  subgraph cluster_{} {{\n    label={};\n    style=\"rounded,dashed\";\n    color=\"#1565c0\";\n", cluster++,
                       quote("fused into strips of " + owner));
    for (size_t s : members) {
      dot += "  " + nodeLine(s);
      drawn.insert(s);
    }
    for (size_t s = 0; s < p.stages.size(); ++s) {
      if (p.stages[s].kind != ir::StageKind::Input && stageNames[s] == owner) {
        dot += "  " + nodeLine(s);
        drawn.insert(s);
      }
    }
    dot += "  }\n";
  }
  for (size_t s = 0; s < p.stages.size(); ++s) {
    if (!drawn.count(s)) dot += nodeLine(s);
  }
  // Edges: one per (producer, consumer), labeled by the way the consumer reads it.
  for (size_t s = 0; s < p.stages.size(); ++s) {
    const ir::Stage& st = p.stages[s];
    if (st.kind == ir::StageKind::Input) continue;
    if (st.kind == ir::StageKind::Boundary) {
      std::string from = st.input >= 0 ? quote(p.inputs[st.input].name) : nodeName(static_cast<size_t>(st.pure.value->index));
      dot += fmt::format("  {} -> {} [label=\"{}\"];\n", from, nodeName(s), ir::toString(st.boundary));
      continue;
    }
    std::vector<const ir::Expr*> calls;
    collectCalls(st.pure.value, calls);
    for (const ir::Definition& u : st.updates) {
      collectCalls(u.value, calls);
      for (const ir::ExprPtr& a : u.lhs) collectCalls(a, calls);
    }
    std::map<int, std::set<std::string>> edges;
    for (const ir::Expr* c : calls) {
      if (c->index != static_cast<int>(s)) edges[c->index].insert(toString(accessOf(*c)));
    }
    for (const auto& [producer, labels] : edges) {
      std::string label;
      for (const std::string& l : labels) label += (label.empty() ? "" : ", ") + l;
      dot += fmt::format("  {} -> {} [label={}];\n", nodeName(producer), nodeName(s), quote(label));
    }
  }
  // Outputs that copy a stage or an input get their own node.
  for (size_t o = 0; o < p.outputs.size(); ++o) {
    int s = p.outputs[o].stage;
    if (s < 0 || (p.stages[s].kind != ir::StageKind::Input && stageNames[s] == outputNames[o])) continue;
    dot += fmt::format("  {} [fillcolor=\"#ffe2c2\", penwidth=2.5, color=\"#2e7d32\", label={}];\n", quote(outputNames[o]),
                       quote(outputNames[o] + "\noutput (a copy)"));
    dot += fmt::format("  {} -> {} [label=\"pointwise\"];\n", nodeName(s), quote(outputNames[o]));
  }
  dot += "}\n";
  return dot;
}

/// A pipeline that calls models, as the runtime executes it: compiled segments (boxes listing
/// their stages) and model nodes (hexagons), joined by the tensors they pass.
std::string modelGraphDot(const ir::Pipeline& p, const std::vector<GraphNode>& graph) {
  std::string dot = fmt::format("digraph \"{}\" {{\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n", p.name);
  std::map<std::string, std::string> producer;
  for (const ir::Input& in : p.inputs) {
    dot += fmt::format("  \"input:{0}\" [label=\"{0}\", shape=ellipse];\n", in.name);
    producer["input:" + in.name] = "input:" + in.name;
  }
  for (size_t n = 0; n < graph.size(); ++n) {
    const GraphNode& node = graph[n];
    std::string id = fmt::format("node{}", n);
    if (node.kind == GraphNode::Kind::Model) {
      const ir::Model& m = p.models[node.model];
      dot += fmt::format("  {} [label=\"model {}\\n{}\", shape=hexagon, style=filled, fillcolor=\"#cfe2ff\"];\n", id, m.name,
                         std::filesystem::path(m.path).filename().string());
    } else {
      std::string stages;
      for (const ir::Stage& s : node.segment.stages) {
        if (s.kind != ir::StageKind::Input) stages += "\\n" + s.name;
      }
      dot += fmt::format("  {} [label=\"segment {}{}\", shape=box, style=rounded];\n", id, node.segment.name, stages);
    }
    for (const std::string& v : node.inputs) {
      if (producer.count(v)) dot += fmt::format("  \"{}\" -> {} [label=\"{}\"];\n", producer[v], id, v.substr(v.find(':') + 1));
    }
    for (const std::string& v : node.outputs) producer[v] = id;
  }
  for (const ir::Output& o : p.outputs) {
    dot += fmt::format("  \"output:{0}\" [label=\"{0}\", shape=ellipse, color=\"#2e7d32\"];\n", o.name);
    dot += fmt::format("  \"{}\" -> \"output:{}\";\n", producer["output:" + o.name], o.name);
  }
  return dot + "}\n";
}

}  // namespace fovea
