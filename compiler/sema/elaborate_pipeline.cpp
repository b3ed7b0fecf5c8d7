// Pipelines: parameters (buffers and scalars), outputs with their size rules, the return.
#include <algorithm>

#include <fmt/format.h>

#include "sema/elaborator.h"
#include "sema/evaluate.h"
#include "support/suggest.h"

namespace fovea::sema_detail {
namespace {

const std::vector<std::string> kTypeNames = {"bool", "u8", "u16", "u32", "i8", "i16", "i32", "f32", "f64"};

const char* plural(size_t n) { return n == 1 ? "" : "s"; }

}  // namespace

std::optional<ScalarType> Elaborator::resolveType(const std::string& name, SourceLoc loc) {
  if (auto t = parseScalarType(name)) return t;
  Diagnostic& d = error(loc, fmt::format("unknown type '{}'", name));
  if (auto best = closestMatch(name, kTypeNames)) {
    d.message += fmt::format("; did you mean '{}'?", *best);
    d.fixit(loc, *best);
  }
  return std::nullopt;
}

void Elaborator::checkDimNames(const std::vector<std::string>& dims, const std::vector<SourceLoc>& locs) {
  for (size_t i = 0; i < dims.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (dims[i] == dims[j]) error(locs[i], fmt::format("dimension '{}' is named twice", dims[i]));
    }
  }
}

ir::ExprPtr Elaborator::constantParamValue(const ast::ExprPtr& e, const ast::Param& param, ScalarType type, const char* what) {
  if (!e) return nullptr;
  Env constEnv;  // defaults and ranges see only constants
  ir::ExprPtr v = evalScalar(*e, constEnv);
  if (!v) return nullptr;
  if (v->kind != ir::ExprKind::Const) {
    error(e->loc, fmt::format("the {} of '{}' must be a constant", what, param.name));
    return nullptr;
  }
  if (!ExprBuilder::isLiteral(v) && v->type != type) {
    error(e->loc, fmt::format("the {} of '{}' must be {}, found {}", what, param.name, toString(type), toString(v->type)));
    return nullptr;
  }
  return build_.convert(v, type);
}

bool Elaborator::elaborateParams(const ast::Decl& decl, Scope& scope) {
  ir::Pipeline& p = *pipe_->pipeline;
  bool ok = true;
  for (const ast::Param& param : decl.params) {
    if (scope.bound.count(param.name)) {
      error(param.nameLoc, fmt::format("parameter '{}' is declared twice", param.name));
      ok = false;
      continue;
    }
    auto type = resolveType(param.typeName, param.typeLoc);
    if (!type) {
      ok = false;
      scope.broken.insert(param.name);
      continue;
    }
    if (param.isBuffer) {
      if (*type == ScalarType::Bool) {
        error(param.typeLoc, "an input buffer cannot hold bool; use u8");
        ok = false;
        scope.broken.insert(param.name);
        continue;
      }
      if (param.dims.empty() || param.dims.size() > 4) {
        error(param.loc, "an input buffer has 1 to 4 dimensions");
        ok = false;
        scope.broken.insert(param.name);
        continue;
      }
      if (param.defaultValue || param.rangeMin) {
        error(param.loc, "an input buffer has no default value or range");
        ok = false;
      }
      checkDimNames(param.dims, param.dimLocs);
      int stageIndex = static_cast<int>(p.stages.size());
      ir::Stage s;
      s.name = uniqueStageName(param.name);
      s.kind = ir::StageKind::Input;
      s.type = *type;
      s.dims = param.dims;
      s.loc = param.nameLoc;
      s.input = static_cast<int>(p.inputs.size());
      for (size_t d = 0; d < param.dims.size(); ++d) {
        auto x = std::make_shared<ir::Expr>();
        x->kind = ir::ExprKind::Extent;
        x->type = ScalarType::I32;
        x->index = s.input;
        x->dim = static_cast<int>(d);
        x->loc = param.nameLoc;
        s.extents.push_back(x);
      }
      p.stages.push_back(std::move(s));
      p.arguments.push_back({true, static_cast<int>(p.inputs.size())});
      p.inputs.push_back(ir::Input{param.name, *type, param.dims, stageIndex, param.nameLoc});
      scope.bound[param.name] = Value::stageRef(stageIndex, param.nameLoc);
      continue;
    }
    ir::Param sp{param.name, *type, nullptr, nullptr, nullptr, param.nameLoc};
    sp.defaultValue = constantParamValue(param.defaultValue, param, *type, "default");
    sp.min = constantParamValue(param.rangeMin, param, *type, "lower bound");
    sp.max = constantParamValue(param.rangeMax, param, *type, "upper bound");
    if (sp.min && sp.max && constantValue(*sp.min) > constantValue(*sp.max)) {
      error(param.rangeMin->loc,
            fmt::format("the range of '{}' is empty: {} is greater than {}", param.name, constantValue(*sp.min), constantValue(*sp.max)));
    } else if (sp.defaultValue && sp.min && sp.max &&
               (constantValue(*sp.defaultValue) < constantValue(*sp.min) || constantValue(*sp.defaultValue) > constantValue(*sp.max))) {
      error(param.defaultValue->loc,
            fmt::format("the default of '{}' is outside its range [{}, {}]", param.name, constantValue(*sp.min), constantValue(*sp.max)));
    }
    auto expr = std::make_shared<ir::Expr>();
    expr->kind = ir::ExprKind::Param;
    expr->type = *type;
    expr->index = static_cast<int>(p.params.size());
    expr->loc = param.nameLoc;
    scope.bound[param.name] = Value::scalar(expr);
    p.arguments.push_back({false, static_cast<int>(p.params.size())});
    p.params.push_back(std::move(sp));
  }
  return ok;
}

std::vector<std::optional<ScalarType>> Elaborator::elaborateOutputs(const ast::Decl& decl, Scope& scope, bool headerOk) {
  ir::Pipeline& p = *pipe_->pipeline;
  std::vector<std::optional<ScalarType>> types;
  for (const ast::Output& out : decl.outputs) {
    ir::Output o;
    o.name = out.name.empty() ? decl.name : out.name;
    if (!out.name.empty()) {
      bool clash = scope.bound.count(out.name) != 0;
      for (const ir::Output& earlier : p.outputs) clash = clash || earlier.name == out.name;
      if (clash) error(out.nameLoc, fmt::format("'{}' already names a parameter or an output of '{}'", out.name, decl.name));
    }
    o.loc = out.loc;
    o.dims = out.dims;
    checkDimNames(out.dims, out.dimLocs);
    auto type = resolveType(out.typeName, out.typeLoc);
    if (type == ScalarType::Bool) {
      error(out.typeLoc, "an output buffer cannot hold bool; use u8");
      type = std::nullopt;
    }
    types.push_back(type);
    if (type) o.type = *type;
    pipe_->headerOk = headerOk;
    if (!out.size.empty()) {
      if (out.size.size() != out.dims.size()) {
        error(out.loc, fmt::format("the output has {} dimension{} but its size gives {}", out.dims.size(), plural(out.dims.size()),
                                   out.size.size()));
      }
      Env sizeEnv{&scope, nullptr};
      for (const ast::ExprPtr& e : out.size) {
        ir::ExprPtr v = evalIndex(*e, sizeEnv);
        bool readsStage = ir::any(v, [](const ir::Expr& node) { return node.kind == ir::ExprKind::Call; });
        if (readsStage) {
          error(e->loc, "an output size may use parameters, input extents and constants, not stages");
          v = nullptr;
        } else if (v && v->kind == ir::ExprKind::Const && v->intValue <= 0) {
          error(e->loc, fmt::format("an output size must be positive, not {}", v->intValue));
          v = nullptr;
        }
        o.size.push_back(v);
      }
    }
    // Without a size: the returned stage's, else the first input's (elaborateReturn).
    p.outputs.push_back(std::move(o));
  }
  return types;
}

void Elaborator::defaultOutputSize(ir::Output& o, const ast::Output& out, const ir::Stage& s) {
  ir::Pipeline& p = *pipe_->pipeline;
  bool known = s.dims.size() == out.dims.size() && std::all_of(s.extents.begin(), s.extents.end(), [](const ir::ExprPtr& x) { return x != nullptr; });
  if (known && !s.extents.empty()) {
    for (const ir::ExprPtr& x : s.extents) {
      auto e = std::make_shared<ir::Expr>(*x);
      e->loc = out.loc;
      o.size.push_back(e);
    }
    return;
  }
  if (p.inputs.empty()) {
    if (!pipe_->headerOk) return;
    error(out.loc, fmt::format("this output needs a size, e.g. size (256): the size of '{}' is not known and the pipeline has no input to take it from",
                               s.name));
  } else if (p.inputs[0].dims.size() != out.dims.size()) {
    error(out.loc, fmt::format("this output has {} dimension{} and the first input '{}' has {}, and the size of '{}' is not known; give it one "
                               "with size (...)",
                               out.dims.size(), plural(out.dims.size()), p.inputs[0].name, p.inputs[0].dims.size(), s.name));
  } else {
    for (size_t d = 0; d < out.dims.size(); ++d) {
      auto e = std::make_shared<ir::Expr>();
      e->kind = ir::ExprKind::Extent;
      e->type = ScalarType::I32;
      e->index = 0;
      e->dim = static_cast<int>(d);
      e->loc = out.loc;
      o.size.push_back(e);
    }
  }
}

void Elaborator::elaborateReturn(const ast::Decl& decl, Scope& scope, const std::vector<std::optional<ScalarType>>& outputTypes) {
  ir::Pipeline& p = *pipe_->pipeline;
  const ast::Stmt& ret = *scope.ret;
  if (ret.values.size() != decl.outputs.size()) {
    error(ret.loc, fmt::format("'{}' declares {} output{} but returns {} value{}", decl.name, decl.outputs.size(),
                               plural(decl.outputs.size()), ret.values.size(), plural(ret.values.size())));
    return;
  }
  Env env{&scope, nullptr};
  for (size_t i = 0; i < ret.values.size(); ++i) {
    const ast::Expr& e = *ret.values[i];
    Value v = eval(e, env);
    if (!v.ok()) continue;
    if (v.kind != Value::Kind::Stage) {
      error(e.loc, fmt::format("a pipeline returns stages, but this is {}", describe(v)));
      continue;
    }
    const ir::Stage& s = p.stages[v.stage];
    const ast::Output& out = decl.outputs[i];
    p.outputs[i].stage = v.stage;
    if (out.size.empty()) defaultOutputSize(p.outputs[i], out, s);
    if (s.dims.size() != out.dims.size()) {
      error(e.loc, fmt::format("'{}' returns a stage with {} dimension{} ({}) but the output has {} ({})", decl.name, s.dims.size(),
                               plural(s.dims.size()), fmt::join(s.dims, ", "), out.dims.size(), fmt::join(out.dims, ", ")))
          .note(out.loc, "output declared here");
    } else if (outputTypes[i] && s.type != *outputTypes[i]) {
      // No implicit conversion at the pipeline boundary: the user decides between wrap and saturate.
      std::string fix = isFloat(*outputTypes[i]) ? fmt::format("{}(...)", out.typeName)
                                                 : fmt::format("{}_sat(...) or {}(...)", out.typeName, out.typeName);
      Diagnostic& d = error(e.loc, fmt::format("'{}' returns {}[{}] but declares {}[{}]; convert explicitly, e.g. with {}", decl.name,
                                               toString(s.type), fmt::join(s.dims, ", "), out.typeName, fmt::join(out.dims, ", "), fix));
      d.note(out.typeLoc, "output type declared here");
      if (auto it = pipe_->stageDefLocs.find(s.name); it != pipe_->stageDefLocs.end()) d.note(it->second, fmt::format("'{}' defined here", s.name));
    }
  }
}

ir::Pipeline Elaborator::elaboratePipeline(const ast::Decl& decl) {
  size_t errorsBefore = diags_.errorCount();
  ir::Pipeline p;
  p.name = decl.name;
  p.doc = decl.doc;
  p.loc = decl.nameLoc;
  PipelineState state;
  state.pipeline = &p;
  pipe_ = &state;
  Scope scope;
  scopes_.push_back(&scope);

  bool headerOk = elaborateParams(decl, scope);
  // The body's names are collected first, so that a size naming a stage is told why it cannot.
  bool hasReturn = collectBlock(scope, decl.body, decl.name, decl.nameLoc);
  std::vector<std::optional<ScalarType>> outputTypes = elaborateOutputs(decl, scope, headerOk);
  if (hasReturn) elaborateReturn(decl, scope, outputTypes);
  size_t computed = static_cast<size_t>(std::count_if(p.stages.begin(), p.stages.end(), [](const ir::Stage& s) { return s.kind != ir::StageKind::Input; }));
  if (computed > kMaxStages && !pipe_->stageLimitReported) {
    error(decl.nameLoc, fmt::format("pipeline '{}' has {} stages (functions included); Fovea compiles pipelines of up to {} stages", decl.name,
                                    computed, kMaxStages));
  }
  // Unused-name warnings only help in an otherwise valid pipeline; after errors they are noise.
  finishScope(scope, scope.ret != nullptr && diags_.errorCount() == errorsBefore);

  scopes_.pop_back();
  pipe_ = nullptr;
  return p;
}

}  // namespace fovea::sema_detail
