#include "lower/segments.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include <fmt/format.h>

#include "support/diagnostics.h"

namespace fovea {
namespace {

/// Which stages and inputs computing `roots` needs; model stages are where it stops.
struct Closure {
  std::set<int> stages;
  std::set<int> inputs;
};

Closure closureOf(const ir::Pipeline& p, const std::vector<int>& roots, const std::vector<ir::ExprPtr>& extra) {
  Closure c;
  std::vector<int> work(roots.begin(), roots.end());
  auto note = [&](const ir::Expr& n) {
    if (n.kind == ir::ExprKind::Call) work.push_back(n.index);
    if (n.kind == ir::ExprKind::Extent) c.inputs.insert(n.index);
    return true;
  };
  for (const ir::ExprPtr& e : extra) ir::visit(e, note);
  while (!work.empty()) {
    int s = work.back();
    work.pop_back();
    if (!c.stages.insert(s).second) continue;
    const ir::Stage& st = p.stages[s];
    if (st.kind == ir::StageKind::Model) continue;
    if (st.kind == ir::StageKind::Input || (st.kind == ir::StageKind::Boundary && st.input >= 0)) {
      c.inputs.insert(st.input);
      if (st.kind == ir::StageKind::Boundary) work.push_back(p.inputs[st.input].stage);
    }
    ir::visit(st, note);
  }
  return c;
}

class SegmentBuilder {
 public:
  SegmentBuilder(const ir::Pipeline& p, const Closure& c, std::string name) {
    out_.name = std::move(name);
    out_.doc = p.doc;
    out_.loc = p.loc;
    out_.params = p.params;
    // Pipeline inputs it reads, in declaration order, then the model outputs it reads.
    for (const ir::Argument& a : p.arguments) {
      if (!a.isBuffer) {
        out_.arguments.push_back(a);
        continue;
      }
      if (!c.inputs.count(a.index)) continue;
      inputMap_[a.index] = static_cast<int>(out_.inputs.size());
      out_.arguments.push_back({true, static_cast<int>(out_.inputs.size())});
      out_.inputs.push_back(p.inputs[a.index]);
      inputValues.push_back("input:" + p.inputs[a.index].name);
    }
    for (int s : c.stages) {
      if (p.stages[s].kind != ir::StageKind::Model) continue;
      const ir::Stage& m = p.stages[s];
      modelInputs_[s] = static_cast<int>(out_.inputs.size());
      out_.arguments.push_back({true, static_cast<int>(out_.inputs.size())});
      out_.inputs.push_back(ir::Input{m.name, m.type, m.dims, -1, m.loc});
      inputValues.push_back("stage:" + m.name);
    }
    // Stages in their original order (producers keep coming before consumers).
    int kept = 0;
    for (size_t s = 0; s < p.stages.size(); ++s) {
      const ir::Stage& st = p.stages[s];
      bool keep = c.stages.count(static_cast<int>(s)) || (st.kind == ir::StageKind::Input && c.inputs.count(st.input));
      if (keep) stageMap_[static_cast<int>(s)] = kept++;
    }
    for (const auto& [old, now] : stageMap_) {
      const ir::Stage& st = p.stages[old];
      ir::Stage s = st;
      if (st.kind == ir::StageKind::Model) {
        s = ir::Stage{};
        s.name = st.name;
        s.kind = ir::StageKind::Input;
        s.type = st.type;
        s.dims = st.dims;
        s.loc = st.loc;
        s.input = modelInputs_.at(old);
        out_.inputs[s.input].stage = now;
      } else {
        if (st.kind != ir::StageKind::Computed && st.input >= 0) s.input = inputMap_.at(st.input);
        if (st.kind == ir::StageKind::Input) out_.inputs[s.input].stage = now;
        s.pure = remap(st.pure);
        s.updates.clear();
        for (const ir::Definition& u : st.updates) s.updates.push_back(remap(u));
        s.boundaryValue = remap(st.boundaryValue);
        for (ir::ExprPtr& x : s.extents) x = remap(x);
      }
      out_.stages.push_back(std::move(s));
    }
  }

  void addOutput(ir::Output o) {
    o.stage = stageMap_.at(o.stage);
    for (ir::ExprPtr& e : o.size) e = remap(e);
    out_.outputs.push_back(std::move(o));
  }

  ir::Pipeline take() { return std::move(out_); }
  std::vector<std::string> inputValues;

 private:
  ir::ExprPtr remap(const ir::ExprPtr& e) const {
    return ir::rewrite(e, [&](ir::ExprPtr n) -> ir::ExprPtr {
      if (n->kind != ir::ExprKind::Call && n->kind != ir::ExprKind::Extent) return n;
      auto copy = std::make_shared<ir::Expr>(*n);
      copy->index = n->kind == ir::ExprKind::Call ? stageMap_.at(n->index) : inputMap_.at(n->index);
      return copy;
    });
  }
  ir::Definition remap(const ir::Definition& d) const {
    ir::Definition out = d;
    out.value = remap(d.value);
    for (ir::ExprPtr& a : out.lhs) a = remap(a);
    if (out.domain) {
      for (ir::ExprPtr& a : out.domain->mins) a = remap(a);
      for (ir::ExprPtr& a : out.domain->extents) a = remap(a);
      if (out.domain->sourceInput >= 0) out.domain->sourceInput = inputMap_.at(out.domain->sourceInput);
    }
    return out;
  }

  ir::Pipeline out_;
  std::map<int, int> stageMap_, inputMap_, modelInputs_;
};

ir::ExprPtr constant(int64_t v) {
  auto e = std::make_shared<ir::Expr>();
  e->kind = ir::ExprKind::Const;
  e->type = ScalarType::I32;
  e->intValue = v;
  return e;
}

}  // namespace

std::vector<GraphNode> splitAtModels(const ir::Pipeline& p) {
  std::vector<GraphNode> graph;
  std::set<std::string> produced;
  for (const ir::Input& in : p.inputs) produced.insert("input:" + in.name);
  // Models in an order where every model's inputs can be computed from what ran before it.
  std::vector<int> pending;
  for (size_t s = 0; s < p.stages.size(); ++s) {
    if (p.stages[s].kind == ir::StageKind::Model) pending.push_back(static_cast<int>(s));
  }
  int segments = 0;
  while (!pending.empty()) {
    auto ready = std::find_if(pending.begin(), pending.end(), [&](int m) {
      Closure c = closureOf(p, p.stages[m].modelArgs, {});
      for (int s : c.stages) {
        if (p.stages[s].kind == ir::StageKind::Model && !produced.count("stage:" + p.stages[s].name)) return false;
      }
      return true;
    });
    FOVEA_ASSERT(ready != pending.end(), "model calls form a cycle");
    int m = *ready;
    pending.erase(ready);
    const ir::Stage& call = p.stages[m];
    const ir::Model& model = p.models[call.model];
    // The tensors this model reads that nothing has produced yet: one segment computes them all.
    std::vector<int> toCompute;
    for (int a : call.modelArgs) {
      std::string value = p.stages[a].kind == ir::StageKind::Input ? "input:" + p.inputs[p.stages[a].input].name : "stage:" + p.stages[a].name;
      if (!produced.count(value) && std::find(toCompute.begin(), toCompute.end(), a) == toCompute.end()) toCompute.push_back(a);
    }
    if (!toCompute.empty()) {
      Closure c = closureOf(p, toCompute, {});
      SegmentBuilder b(p, c, fmt::format("{}__s{}", p.name, segments++));
      GraphNode node;
      for (int a : toCompute) {
        const ir::Stage& s = p.stages[a];
        size_t slot = static_cast<size_t>(std::find(call.modelArgs.begin(), call.modelArgs.end(), a) - call.modelArgs.begin());
        const std::vector<int64_t>& shape = model.inputs[slot].shape;
        ir::Output o;
        o.name = s.name;
        o.type = s.type;
        o.dims = s.dims;
        o.stage = a;
        o.loc = s.loc;
        for (size_t d = shape.size(); d-- > 0;) o.size.push_back(constant(shape[d]));
        b.addOutput(std::move(o));
        node.outputs.push_back("stage:" + s.name);
        produced.insert("stage:" + s.name);
      }
      node.inputs = b.inputValues;
      node.segment = b.take();
      graph.push_back(std::move(node));
    }
    GraphNode run;
    run.kind = GraphNode::Kind::Model;
    run.model = call.model;
    for (int a : call.modelArgs) {
      run.inputs.push_back(p.stages[a].kind == ir::StageKind::Input ? "input:" + p.inputs[p.stages[a].input].name : "stage:" + p.stages[a].name);
    }
    run.outputs.push_back("stage:" + call.name);
    produced.insert("stage:" + call.name);
    graph.push_back(std::move(run));
  }
  // The last segment: the pipeline's outputs.
  std::vector<int> roots;
  std::vector<ir::ExprPtr> sizes;
  for (const ir::Output& o : p.outputs) {
    roots.push_back(o.stage);
    sizes.insert(sizes.end(), o.size.begin(), o.size.end());
  }
  Closure c = closureOf(p, roots, sizes);
  SegmentBuilder b(p, c, fmt::format("{}__s{}", p.name, segments));
  GraphNode last;
  for (const ir::Output& o : p.outputs) {
    b.addOutput(o);
    last.outputs.push_back("output:" + o.name);
  }
  last.inputs = b.inputValues;
  last.segment = b.take();
  graph.push_back(std::move(last));
  return graph;
}

}  // namespace fovea
