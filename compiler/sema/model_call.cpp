// Models as pipeline nodes: `model m = onnx("m.onnx");` declares one; `out = m(tensor);` runs it on
// whole stages and makes its output a stage. The model file is read here (its declared inputs and
// outputs) so that shapes and types are checked at compile time.
#include <filesystem>

#include <fmt/format.h>

#include "fovea/onnx_info.h"
#include "fovea/runtime.hpp"
#include "sema/elaborator.h"

namespace fovea::sema_detail {
namespace fs = std::filesystem;

namespace {

/// "[1, 3, 32, 32]" (ONNX order) and, for a person who thinks in Fovea's order, "x, y, c, n: 32, 32, 3, 1".
std::string shapeText(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + (shape[i] < 0 ? std::string("?") : std::to_string(shape[i]));
  return s + "]";
}

std::string foveaOrder(const std::vector<int64_t>& shape) {
  std::string s;
  for (size_t i = shape.size(); i-- > 0;) s += (s.empty() ? "" : ", ") + (shape[i] < 0 ? std::string("?") : std::to_string(shape[i]));
  return s;
}

}  // namespace

int Elaborator::modelIndex(const ast::Decl& decl) {
  if (auto it = pipe_->modelIndices.find(&decl); it != pipe_->modelIndices.end()) return it->second;
  int& index = pipe_->modelIndices[&decl];
  index = -1;
  if (decl.modelFormat != "onnx") {
    error(decl.modelFormatLoc, fmt::format("unknown model format '{}'; Fovea reads onnx(\"file.onnx\")", decl.modelFormat)).fixit(decl.modelFormatLoc, "onnx");
    return -1;
  }
  fs::path path(decl.modelPath);
  if (path.is_relative()) path = fs::path(diags_.sources().path(decl.modelPathLoc.file)).parent_path() / path;
  onnx::ModelInfo info;
  try {
    info = onnx::readModelInfo(path.lexically_normal().string());
  } catch (const Error& e) {
    error(decl.modelPathLoc, fmt::format("cannot use model '{}': {}", decl.name, e.what()));
    return -1;
  }
  ir::Model m;
  m.name = decl.name;
  m.format = decl.modelFormat;
  m.path = fs::absolute(path).lexically_normal().string();
  m.loc = decl.nameLoc;
  auto convert = [&](const onnx::ValueInfo& v, const char* what) -> std::optional<ir::ModelTensor> {
    std::optional<ScalarType> t = parseScalarType(onnx::foveaTypeName(v.elemType));
    if (!t) {
      error(decl.modelPathLoc, fmt::format("model '{}': its {} '{}' has an element type Fovea has no type for (ONNX type {})", decl.name, what, v.name,
                                           v.elemType));
      return std::nullopt;
    }
    return ir::ModelTensor{v.name, *t, v.shape};
  };
  for (const onnx::ValueInfo& v : info.inputs) {
    auto t = convert(v, "input");
    if (!t) return -1;
    for (int64_t d : t->shape) {
      if (d < 0) {
        error(decl.modelPathLoc, fmt::format("model '{}': input '{}' has a dimension of unknown size {}; Fovea needs models with fixed input shapes",
                                             decl.name, v.name, shapeText(v.shape)));
        return -1;
      }
    }
    m.inputs.push_back(*t);
  }
  for (const onnx::ValueInfo& v : info.outputs) {
    auto t = convert(v, "output");
    if (!t) return -1;
    m.outputs.push_back(*t);
  }
  if (m.outputs.size() != 1) {
    error(decl.modelPathLoc, fmt::format("model '{}' has {} outputs; Fovea calls models with exactly one", decl.name, m.outputs.size()));
    return -1;
  }
  pipe_->pipeline->models.push_back(std::move(m));
  index = static_cast<int>(pipe_->pipeline->models.size() - 1);
  return index;
}

Value Elaborator::evalModelCall(const ast::Decl& decl, const ast::Expr& e, Env& env) {
  int index = modelIndex(decl);
  if (index < 0) return Value::error();
  const ir::Model& model = pipe_->pipeline->models[static_cast<size_t>(index)];
  if (e.args.size() != model.inputs.size()) {
    error(e.loc, fmt::format("model '{}' takes {} input{} (one stage each), got {}", decl.name, model.inputs.size(), model.inputs.size() == 1 ? "" : "s",
                             e.args.size()))
        .note(decl.nameLoc, fmt::format("'{}' declared here", decl.name));
    return Value::error();
  }
  std::vector<int> args;
  bool ok = true;
  for (size_t i = 0; i < e.args.size(); ++i) {
    const ast::Expr& a = *e.args[i];
    const ir::ModelTensor& want = model.inputs[i];
    if (a.kind == ast::ExprKind::Ellipsis) {
      error(a.loc, "a model takes whole stages, not '...'");
      ok = false;
      continue;
    }
    Value v = eval(a, env);
    if (!v.ok()) {
      ok = false;
      continue;
    }
    if (v.kind != Value::Kind::Stage) {
      error(a.loc, fmt::format("model '{}' takes stages (whole tensors), not {}", decl.name, describe(v)));
      ok = false;
      continue;
    }
    const ir::Stage& s = pipe_->pipeline->stages[v.stage];
    if (s.dims.size() != want.shape.size() || s.type != want.type) {
      std::string dims;
      for (size_t d = 0; d < s.dims.size(); ++d) dims += (d ? ", " : "") + s.dims[d];
      error(a.loc, fmt::format("model '{}' input '{}' is {} {} (in Fovea's order, innermost first: {}); '{}' is {}[{}]", decl.name, want.name,
                               toString(want.type), shapeText(want.shape), foveaOrder(want.shape), s.name, toString(s.type), dims))
          .note(decl.modelPathLoc, "the model file declares it");
      ok = false;
      continue;
    }
    // A stage a model reads is computed at the model's input shape: one shape per stage.
    auto [it, inserted] = pipe_->modelInputShapes.emplace(v.stage, std::make_pair(want.shape, decl.name));
    if (!inserted && it->second.first != want.shape) {
      error(a.loc, fmt::format("'{}' is read by model '{}' as {} and by model '{}' as {}; a stage has one size: give each model a stage of its own",
                               s.name, it->second.second, shapeText(it->second.first), decl.name, shapeText(want.shape)));
      ok = false;
      continue;
    }
    args.push_back(v.stage);
  }
  if (!ok) return Value::error();
  const ir::ModelTensor& out = model.outputs[0];
  ir::Stage st;
  st.kind = ir::StageKind::Model;
  st.type = out.type;
  for (size_t d = 0; d < out.shape.size(); ++d) st.dims.push_back(fmt::format("d{}", d));
  // Fovea's dimension d is the model's axis rank-1-d; fixed sizes are the stage's extents.
  for (size_t d = 0; d < out.shape.size(); ++d) {
    int64_t n = out.shape[out.shape.size() - 1 - d];
    st.extents.push_back(n > 0 && n <= INT32_MAX ? build_.typedConst(ScalarType::I32, n, 0, e.loc) : nullptr);
  }
  st.model = index;
  st.modelArgs = args;
  st.loc = e.loc;
  st.name = uniqueStageName(decl.name);
  pipe_->pipeline->stages.push_back(std::move(st));
  return Value::stageRef(static_cast<int>(pipe_->pipeline->stages.size() - 1), e.loc);
}

}  // namespace fovea::sema_detail
