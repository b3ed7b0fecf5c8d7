// Blocks, stages, updates, functions and pipelines: the names a block defines are resolved lazily
// (a stage may be used before the statement that defines it), which also finds cycles.
#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include "sema/builtins.h"
#include "sema/elaborator.h"
#include "support/suggest.h"

namespace fovea::sema_detail {
namespace {

bool isPureName(const ast::Expr& e) { return e.kind == ast::ExprKind::Name; }

std::string stmtWhat(const ast::Stmt& s) {
  switch (s.kind) {
    case ast::StmtKind::Define: return "stage";
    case ast::StmtKind::Bind: return "stage";
    case ast::StmtKind::Let: return "scalar";
    case ast::StmtKind::Return: return "return";
  }
  return "name";
}

}  // namespace

bool Elaborator::checkVariableOwners(const ir::ExprPtr& e, const DefContext& def, const std::string& stage) {
  bool ok = true;
  ir::visit(e, [&](const ir::Expr& node) {
    bool variable = node.kind == ir::ExprKind::Var || node.kind == ir::ExprKind::RVar;
    if (!ok || !variable || node.owner == def.id || node.owner < 0) return ok;
    error(node.loc, fmt::format("this {} variable belongs to the caller's definition and reaches the definition of '{}' through a "
                                "function argument; pass a stage instead of a value that depends on it",
                                node.kind == ir::ExprKind::Var ? "pixel" : "reduction", stage));
    ok = false;
    return false;
  });
  return ok;
}

std::string Elaborator::uniqueStageName(const std::string& base) {
  if (pipe_->stageNames.insert(base).second) return base;
  // Each base remembers its next suffix: a function instantiated n times costs n look-ups, not n^2.
  int& k = pipe_->nextSuffix.emplace(base, 2).first->second;
  std::string name;
  do {
    name = fmt::format("{}_{}", base, k++);
  } while (!pipe_->stageNames.insert(name).second);
  return name;
}

void Elaborator::addGlobals(const std::vector<ast::Module>& modules) {
  for (size_t m = 0; m < modules.size(); ++m) {
    for (const std::string& b : modules[m].brokenNames) brokenGlobals_.insert(b);
    for (const ast::Decl& d : modules[m].decls) {
      if (d.kind == ast::DeclKind::Import) continue;
      auto [it, inserted] = globals_.emplace(d.name, GlobalSymbol{&d, m});
      // The main file's own declarations take precedence over imported ones of the same name.
      if (!inserted && it->second.module == 0 && m != 0) continue;
      if (!inserted) {
        error(d.nameLoc, fmt::format("redefinition of '{}'", d.name)).note(it->second.decl->nameLoc, fmt::format("'{}' first defined here", d.name));
      } else if (isBuiltinFunction(d.name)) {
        error(d.nameLoc, fmt::format("'{}' is a builtin name and cannot be redefined", d.name));
        globals_.erase(d.name);  // the builtin keeps its meaning everywhere else
      }
    }
  }
}

void Elaborator::reportCycle(Scope& scope, const std::string& name, SourceLoc useLoc) {
  auto start = std::find_if(resolving_.begin(), resolving_.end(), [&](const auto& p) { return p.first == &scope && p.second == name; });
  std::vector<std::string> chain;
  for (auto it = start; it != resolving_.end(); ++it) chain.push_back(it->second);
  if (chain.size() <= 1) {
    error(useLoc, fmt::format("'{}' is defined in terms of itself; only an update (e.g. '{}(...) += ...') may read the stage it changes",
                              name, name));
    return;
  }
  std::string path;
  for (const std::string& n : chain) path += fmt::format("'{}' uses ", n);
  path += fmt::format("'{}'", name);
  Diagnostic& d = error(useLoc, fmt::format("recursive definition: {}", path));
  for (size_t i = 1; i < chain.size(); ++i) {
    if (auto it = scope.defines.find(chain[i]); it != scope.defines.end()) d.note(it->second.front()->nameLoc, fmt::format("'{}' defined here", chain[i]));
  }
}

Value Elaborator::resolveLocal(Scope& scope, const std::string& name, SourceLoc useLoc, Env& env) {
  if (auto it = scope.state.find(name); it != scope.state.end()) {
    switch (it->second) {
      case ResolveState::Done: return scope.resolved[name];
      case ResolveState::Updating:
        if (env.def && env.def->self == name && env.def->selfScope == &scope) return scope.resolved[name];
        reportCycle(scope, name, useLoc);
        return Value::error();
      case ResolveState::InProgress: reportCycle(scope, name, useLoc); return Value::error();
    }
  }
  if (scope.defines.count(name)) return elaborateStage(scope, name);
  return elaborateBinding(scope, *scope.bindings.at(name));
}

Value Elaborator::elaborateBinding(Scope& scope, const ast::Stmt& s) {
  scope.state[s.name] = ResolveState::InProgress;
  resolving_.emplace_back(&scope, s.name);
  Env env{&scope, nullptr};
  Value v = eval(*s.value, env);
  resolving_.pop_back();
  if (s.kind == ast::StmtKind::Let) {
    if (v.kind == Value::Kind::Stage) {
      error(s.loc, fmt::format("'let' binds a scalar, but '{}' would be a stage; drop 'let' to name a stage", s.name))
          .fixit(SourceLoc{s.loc.file, s.loc.line, s.loc.col, s.loc.line, s.loc.col + 4}, "");
      v = Value::error();
    } else if (v.ok()) {
      v = Value::scalar(evalScalarValue(v, *s.value));
    }
  } else if (v.ok() && v.kind != Value::Kind::Stage) {
    if (v.kind == Value::Kind::Scalar) {
      error(s.loc, fmt::format("'{}' is a scalar; bind scalars with 'let'", s.name))
          .fixit(SourceLoc{s.loc.file, s.loc.line, s.loc.col, s.loc.line, s.loc.col}, "let ");
    } else {
      error(s.value->loc, fmt::format("a name binds a stage, but this is {}", describe(v)));
    }
    v = Value::error();
  }
  scope.resolved[s.name] = v;
  scope.state[s.name] = ResolveState::Done;
  return v;
}

ir::ExprPtr Elaborator::evalScalarValue(const Value& v, const ast::Expr& e) {
  if (v.kind == Value::Kind::Scalar) return build_.settle(v.expr) ? v.expr : nullptr;
  error(e.loc, fmt::format("'let' binds a scalar, but this is {}", describe(v)));
  return nullptr;
}

Value Elaborator::elaborateStage(Scope& scope, const std::string& name) {
  const std::vector<const ast::Stmt*>& defs = scope.defines.at(name);
  const ast::Stmt& first = *defs.front();
  scope.state[name] = ResolveState::InProgress;
  resolving_.emplace_back(&scope, name);
  auto fail = [&]() {
    resolving_.pop_back();
    scope.resolved[name] = Value::error();
    scope.state[name] = ResolveState::Done;
    return Value::error();
  };

  // The first definition is the pure one: distinct variable names, '=' and no domain.
  if (first.op != ast::UpdateOp::Assign || first.over) {
    error(first.opLoc.valid() ? first.opLoc : first.loc,
          fmt::format("the first definition of '{}' must be a pure definition with '=' and no 'over'; give it an initial value first, "
                      "e.g. {}(i) = 0;",
                      name, name));
    return fail();
  }
  DefContext def;
  def.id = nextDefinitionId_++;
  std::vector<std::string> dimNames;
  for (size_t i = 0; i < first.lhsArgs.size(); ++i) {
    const ast::Expr& a = *first.lhsArgs[i];
    if (a.kind == ast::ExprKind::Ellipsis) {
      if (i + 1 != first.lhsArgs.size()) {
        error(a.loc, "'...' must be the last index");
        return fail();
      }
      def.lhsEllipsis = true;
      continue;
    }
    if (!isPureName(a)) {
      error(a.loc, fmt::format("the pure definition of '{}' must use variable names as indices, e.g. {}(x, y) = ...; "
                               "computed indices belong in a later update",
                               name, name));
      return fail();
    }
    if (def.pureVars.count(a.name)) {
      error(a.loc, fmt::format("variable '{}' appears twice in the definition of '{}'", a.name, name));
      return fail();
    }
    def.pureVars[a.name] = static_cast<int>(dimNames.size());
    dimNames.push_back(a.name);
  }
  def.explicitDims = dimNames.size();
  Env env{&scope, &def};
  ir::ExprPtr value = evalScalar(*first.value, env);
  if (value) value = build_.settle(value);
  if (def.lhsEllipsis && !def.ellipsisExtra && value) {
    error(first.lhsArgs.back()->loc, fmt::format("cannot tell how many dimensions '...' stands for: no stage on the right-hand side "
                                                 "is indexed with '...'"));
    return fail();
  }
  if (!value || !checkVariableOwners(value, def, name)) return fail();

  ir::Stage stage;
  stage.name = uniqueStageName(scope.prefix + name);
  stage.kind = ir::StageKind::Computed;
  stage.type = value->type;
  stage.dims = dimNames;
  stage.namedDims = dimNames.size();
  for (const std::string& implicit : def.implicitNames) {
    bool clash = std::find(stage.dims.begin(), stage.dims.end(), implicit) != stage.dims.end();
    stage.dims.push_back(clash ? fmt::format("_{}", stage.dims.size()) : implicit);
  }
  stage.loc = first.nameLoc;
  for (size_t i = 0; i < stage.dims.size(); ++i) {
    auto v = std::make_shared<ir::Expr>();
    v->kind = ir::ExprKind::Var;
    v->type = ScalarType::I32;
    v->index = static_cast<int>(i);
    v->owner = def.id;
    v->loc = first.nameLoc;
    stage.pure.lhs.push_back(v);
  }
  stage.pure.value = value;
  stage.pure.loc = first.loc;
  stage.extents.assign(stage.dims.size(), nullptr);
  if (!first.size.empty()) {
    if (first.size.size() > stage.dims.size()) {
      error(first.sizeLoc, fmt::format("'{}' has {} dimension{} but its size gives {} extents", name, stage.dims.size(),
                                       stage.dims.size() == 1 ? "" : "s", first.size.size()));
      return fail();
    }
    Env sizeEnv{&scope, nullptr};  // extents may not use the definition's variables
    for (size_t d = 0; d < first.size.size(); ++d) {
      ir::ExprPtr x = evalIndex(*first.size[d], sizeEnv);
      if (!x) return fail();
      if (ir::any(x, [](const ir::Expr& n) { return n.kind == ir::ExprKind::Var || n.kind == ir::ExprKind::RVar || n.kind == ir::ExprKind::Call; })) {
        error(first.size[d]->loc, "a stage's size may use parameters, extents and constants, not pixel variables or stages");
        return fail();
      }
      stage.extents[d] = x;
    }
  }
  inferExtents(stage, value);
  pipe_->stageDefLocs[stage.name] = first.nameLoc;
  pipe_->pipeline->stages.push_back(std::move(stage));
  int index = static_cast<int>(pipe_->pipeline->stages.size() - 1);
  scope.resolved[name] = Value::stageRef(index, first.nameLoc);
  scope.state[name] = ResolveState::Updating;

  pipe_->updatingStages.push_back(index);
  for (size_t i = 1; i < defs.size(); ++i) elaborateUpdate(scope, index, *defs[i]);
  pipe_->updatingStages.pop_back();
  {
    ir::Stage& st = pipe_->pipeline->stages[index];
    for (const ir::Definition& u : std::vector<ir::Definition>(st.updates)) inferExtents(st, u.value);
  }
  resolving_.pop_back();
  scope.state[name] = ResolveState::Done;
  return scope.resolved[name];
}

void Elaborator::inferExtents(ir::Stage& stage, const ir::ExprPtr& value) {
  // A dimension without a size takes the extent of a stage read at its plain variable there
  // (`g(x, y) = f(x, y)` is as wide as f, `t(x, y) = f(y, x)` as wide as f is high), else at the
  // variable plus an offset that uses no pure variable (a stencil, `f(x + k.x - 1, y)`, keeps the
  // size of what it filters). The first such read decides.
  auto pure = [](const ir::ExprPtr& e) { return ir::any(e, [](const ir::Expr& n) { return n.kind == ir::ExprKind::Var; }); };
  std::function<const ir::Expr*(const ir::Expr&)> offsetOf = [&](const ir::Expr& a) -> const ir::Expr* {
    if (a.kind == ir::ExprKind::Var) return &a;
    if (a.kind != ir::ExprKind::Binary || (a.binaryOp != ir::BinaryOp::Add && a.binaryOp != ir::BinaryOp::Sub)) return nullptr;
    if (!pure(a.args[1])) return offsetOf(*a.args[0]);
    if (a.binaryOp == ir::BinaryOp::Add && !pure(a.args[0])) return offsetOf(*a.args[1]);
    return nullptr;
  };
  for (int pass = 0; pass < 2; ++pass) {
    ir::visit(value, [&](const ir::Expr& n) {
      if (n.kind != ir::ExprKind::Call) return true;
      const ir::Stage& callee = pipe_->pipeline->stages[n.index];
      if (&callee == &stage) return true;
      for (size_t j = 0; j < n.args.size() && j < callee.extents.size(); ++j) {
        const ir::Expr* v = pass == 0 ? (n.args[j]->kind == ir::ExprKind::Var ? n.args[j].get() : nullptr) : offsetOf(*n.args[j]);
        if (!v || !callee.extents[j] || v->index < 0 || static_cast<size_t>(v->index) >= stage.extents.size()) continue;
        if (!stage.extents[v->index]) stage.extents[v->index] = callee.extents[j];
      }
      return true;
    });
  }
}

std::optional<ir::Domain> Elaborator::elaborateDomain(const ast::OverClause& over, Env& env) {
  ir::Domain d;
  d.name = over.var;
  d.loc = over.loc;
  Env boundsEnv{env.scope, nullptr};  // bounds may not use the definition's variables
  if (!over.source.empty()) {
    ast::Expr ref(ast::ExprKind::Name, over.sourceLoc);
    ref.name = over.source;
    Value src = eval(ref, boundsEnv);
    if (!src.ok()) return std::nullopt;
    const ir::Stage* st = src.kind == Value::Kind::Stage ? &pipe_->pipeline->stages[src.stage] : nullptr;
    bool sized = st && std::all_of(st->extents.begin(), st->extents.end(), [](const ir::ExprPtr& x) { return x != nullptr; });
    if (!sized) {
      error(over.sourceLoc, fmt::format("'over {} in {}' needs a stage of known size (its extent is the domain), or explicit ranges like [0 .. n]{}",
                                        over.var, over.source, st ? fmt::format("; the size of '{}' is not known", st->name) : ""));
      return std::nullopt;
    }
    if (st->kind == ir::StageKind::Input) d.sourceInput = st->input;
    for (size_t i = 0; i < st->dims.size(); ++i) {
      d.dimNames.push_back(st->dims[i]);
      d.mins.push_back(build_.typedConst(ScalarType::I32, 0, 0, over.sourceLoc));
      Value stageRef = src;
      d.extents.push_back(extentOf(stageRef, static_cast<int>(i), "extent", over.sourceLoc));
    }
    return d;
  }
  static const char* names[] = {"x", "y", "z", "w"};
  if (over.ranges.size() > 4) {
    error(over.loc, "a reduction domain has at most 4 dimensions");
    return std::nullopt;
  }
  bool ok = true;
  for (size_t i = 0; i < over.ranges.size(); ++i) {
    ir::ExprPtr lo = evalIndex(*over.ranges[i].first, boundsEnv);
    ir::ExprPtr hi = evalIndex(*over.ranges[i].second, boundsEnv);
    for (const ir::ExprPtr& bound : {lo, hi}) {
      if (ok && ir::any(bound, [](const ir::Expr& node) { return node.kind == ir::ExprKind::Call; })) {
        error(bound->loc, "the bounds of a reduction domain may use parameters, input extents and constants, not stages");
        ok = false;
      }
    }
    if (!lo || !hi) {
      ok = false;
      continue;
    }
    bool usesVariables = false;
    for (const ir::ExprPtr& bound : {lo, hi}) {
      usesVariables = usesVariables || ir::any(bound, [](const ir::Expr& node) { return node.kind == ir::ExprKind::Var || node.kind == ir::ExprKind::RVar; });
    }
    if (usesVariables) {
      error(over.ranges[i].first->loc, "the bounds of a reduction domain cannot depend on pixel or reduction variables");
      ok = false;
      continue;
    }
    if (lo->kind == ir::ExprKind::Const && hi->kind == ir::ExprKind::Const && hi->intValue - lo->intValue > INT32_MAX) {
      error(over.ranges[i].first->loc, "this range has more than 2^31 - 1 points");
      ok = false;
      continue;
    }
    d.dimNames.push_back(names[i]);
    d.mins.push_back(lo);
    d.extents.push_back(build_.binary(ir::BinaryOp::Sub, hi, lo, over.ranges[i].second->loc));
    if (lo->kind == ir::ExprKind::Const && hi->kind == ir::ExprKind::Const && hi->intValue <= lo->intValue) {
      error(over.ranges[i].first->loc, fmt::format("empty range {} .. {}: the end is exclusive and must be greater than the start",
                                                   lo->intValue, hi->intValue));
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return d;
}

void Elaborator::elaborateUpdate(Scope& scope, int index, const ast::Stmt& s) {
  const std::string stageName = pipe_->pipeline->stages[index].name;
  const std::vector<std::string> dims = pipe_->pipeline->stages[index].dims;
  const ScalarType type = pipe_->pipeline->stages[index].type;
  if (!s.size.empty()) {
    error(s.sizeLoc, fmt::format("only the pure definition of '{}' can give its size", s.name));
    return;
  }

  DefContext def;
  def.id = nextDefinitionId_++;
  def.self = s.name;
  def.selfStage = index;
  def.selfScope = &scope;
  // Only the names written in the pure definition are variables here; the dimensions `...` added
  // are reached through `...` alone (their names could shadow a parameter or a constant).
  size_t named = std::min(dims.size(), pipe_->pipeline->stages[index].namedDims);
  for (size_t i = 0; i < named; ++i) def.pureVars[dims[i]] = static_cast<int>(i);
  Env env{&scope, &def};

  std::optional<ir::Domain> domain;
  if (s.over && def.pureVars.count(s.over->var)) {
    error(s.over->varLoc, fmt::format("the reduction domain '{}' has the name of a variable of '{}'; rename it, e.g. 'r'", s.over->var, s.name));
    return;
  }
  if (s.over) {
    domain = elaborateDomain(*s.over, env);
    if (!domain) return;
    domains_.push_back(std::make_unique<ir::Domain>(*domain));
    def.domain = domains_.back().get();
  }

  // An update with '=' at exactly the pure variables and no domain would silently replace the
  // pure definition: that is a redefinition unless it reads the stage itself.
  bool sameAsPure = s.op == ast::UpdateOp::Assign && !s.over && s.lhsArgs.size() == dims.size();
  for (size_t i = 0; sameAsPure && i < s.lhsArgs.size(); ++i) sameAsPure = isPureName(*s.lhsArgs[i]) && s.lhsArgs[i]->name == dims[i];

  bool ellipsis = !s.lhsArgs.empty() && s.lhsArgs.back()->kind == ast::ExprKind::Ellipsis;
  size_t explicitCount = ellipsis ? s.lhsArgs.size() - 1 : s.lhsArgs.size();
  if (ellipsis ? explicitCount > dims.size() : explicitCount != dims.size()) {
    error(s.loc, fmt::format("wrong number of indices: '{}' has {} dimension{} ({}) but {} {} given", s.name, dims.size(),
                             dims.size() == 1 ? "" : "s", fmt::join(dims, ", "), explicitCount, explicitCount == 1 ? "is" : "are"))
        .note(scope.defines.at(s.name).front()->nameLoc, fmt::format("'{}' defined here", s.name));
    return;
  }
  def.explicitDims = explicitCount;
  def.lhsEllipsis = ellipsis;
  if (ellipsis) {
    def.ellipsisExtra = dims.size() - explicitCount;
    for (size_t k = explicitCount; k < dims.size(); ++k) def.implicitNames.push_back(dims[k]);
  }

  ir::Definition update;
  update.loc = s.loc;
  bool ok = true;
  for (size_t i = 0; i < explicitCount; ++i) {
    ir::ExprPtr a = evalIndex(*s.lhsArgs[i], env);
    if (a && !checkVariableOwners(a, def, s.name)) {
      ok = false;
      break;
    }
    if (a && a->kind == ir::ExprKind::Var && a->index != static_cast<int>(i)) {
      error(s.lhsArgs[i]->loc, fmt::format("variable '{}' must stay at position {} (as in the pure definition of '{}')", dims[a->index],
                                           a->index + 1, s.name));
      a = nullptr;
      ok = false;
      break;
    }
    ok = ok && a;
    update.lhs.push_back(a);
  }
  // A computed index (a position derived from data, as a bilateral grid's intensity bin) may use
  // a pure variable only when that variable also stands alone at its own position: each point
  // of the pure dimensions then updates its own slice, which keeps the update's pure loops
  // independent. `f(x + 1, y)` or `f(x / 2, y)` without `x` elsewhere would move values between
  // points: that is an error.
  for (size_t i = 0; ok && i < explicitCount; ++i) {
    const ir::ExprPtr& a = update.lhs[i];
    if (a->kind == ir::ExprKind::Var) continue;
    ir::visit(a, [&](const ir::Expr& node) {
      if (!ok || node.kind != ir::ExprKind::Var) return ok;
      bool alone = node.index < static_cast<int>(explicitCount) && update.lhs[node.index]->kind == ir::ExprKind::Var;
      if (!alone) {
        error(s.lhsArgs[i]->loc, fmt::format("the computed index uses variable '{}', which does not stand alone at its own position "
                                             "(position {}) on this left-hand side; write '{}' there, or use a reduction domain for "
                                             "computed positions",
                                             dims[node.index], node.index + 1, dims[node.index]));
        ok = false;
      }
      return ok;
    });
  }
  if (!ok) return;
  for (size_t k = explicitCount; k < dims.size(); ++k) {
    auto v = std::make_shared<ir::Expr>();
    v->kind = ir::ExprKind::Var;
    v->type = ScalarType::I32;
    v->index = static_cast<int>(k);
    v->owner = def.id;
    v->loc = s.lhsArgs.back()->loc;
    update.lhs.push_back(v);
  }
  if (!ok) return;  // the left-hand side's error explains this update
  ir::ExprPtr rhs = evalScalar(*s.value, env);
  if (!rhs) return;
  for (const ir::ExprPtr& a : update.lhs) ok = ok && checkVariableOwners(a, def, s.name);
  if (!ok || !checkVariableOwners(rhs, def, s.name)) return;

  bool readsSelf = false;
  readsSelf = readsSelf || ir::any(rhs, [&](const ir::Expr& node) { return node.kind == ir::ExprKind::Call && node.index == index; });
  if (sameAsPure && !readsSelf) {
    error(s.nameLoc, fmt::format("redefinition of '{}'", s.name))
        .note(scope.defines.at(s.name).front()->nameLoc, fmt::format("'{}' first defined here", s.name));
    return;
  }

  // Every variable the right-hand side uses must be fixed by the left-hand side.
  std::vector<bool> bound(dims.size(), false);
  for (const ir::ExprPtr& a : update.lhs) {
    if (a->kind == ir::ExprKind::Var) bound[a->index] = true;
  }
  bool unbound = false;
  ir::visit(rhs, [&](const ir::Expr& node) {
    if (node.kind == ir::ExprKind::Var && !bound[node.index] && !unbound) {
      error(node.loc, fmt::format("variable '{}' is not an index of this update's left-hand side", dims[node.index]));
      unbound = true;
    }
    return !unbound;
  });
  if (unbound) return;

  // The value must convert to the stage's type without losing meaning (literals, or a narrower type).
  if (!ExprBuilder::isLiteral(rhs) && !implicitlyConvertible(rhs->type, type)) {
    error(s.value->loc, fmt::format("cannot update {} stage '{}' with {}; convert it explicitly, e.g. {}(...)", toString(type), s.name,
                                    describe(Value::scalar(rhs)), toString(type)));
    return;
  }
  rhs = build_.convert(rhs, type);
  if (!rhs) return;
  if (s.op != ast::UpdateOp::Assign) {
    auto self = std::make_shared<ir::Expr>();
    self->kind = ir::ExprKind::Call;
    self->type = type;
    self->index = index;
    self->args = update.lhs;
    self->loc = s.nameLoc;
    self->refLoc = s.nameLoc;
    ir::BinaryOp op = ir::BinaryOp::Add;
    switch (s.op) {
      case ast::UpdateOp::Add: op = ir::BinaryOp::Add; break;
      case ast::UpdateOp::Sub: op = ir::BinaryOp::Sub; break;
      case ast::UpdateOp::Mul: op = ir::BinaryOp::Mul; break;
      case ast::UpdateOp::Div: op = ir::BinaryOp::Div; break;
      case ast::UpdateOp::Min: op = ir::BinaryOp::Min; break;
      case ast::UpdateOp::Max: op = ir::BinaryOp::Max; break;
      case ast::UpdateOp::Assign: break;
    }
    rhs = build_.binary(op, self, rhs, s.loc);
    if (!rhs) return;
  }
  update.value = rhs;
  update.domain = domain;
  pipe_->pipeline->stages[index].updates.push_back(std::move(update));
}

bool Elaborator::collectBlock(Scope& scope, const ast::Block& block, const std::string& owner, SourceLoc ownerLoc) {
  for (const std::string& b : block.brokenNames) scope.broken.insert(b);
  std::map<std::string, SourceLoc> firstLoc;
  for (const ast::Stmt& s : block.stmts) {
    if (s.kind == ast::StmtKind::Return) {
      if (scope.ret) {
        error(s.loc, fmt::format("'{}' already returns", owner)).note(scope.ret->loc, "the first return is here");
        continue;
      }
      scope.ret = &s;
      continue;
    }
    if (auto b = scope.bound.find(s.name); b != scope.bound.end()) {
      error(s.nameLoc, fmt::format("'{}' is already a parameter of '{}'", s.name, owner));
      continue;
    }
    bool isDefine = s.kind == ast::StmtKind::Define;
    auto seen = firstLoc.find(s.name);
    if (seen != firstLoc.end() && (!isDefine || !scope.defines.count(s.name))) {
      error(s.nameLoc, fmt::format("redefinition of '{}'", s.name)).note(seen->second, fmt::format("'{}' first defined here", s.name));
      continue;
    }
    firstLoc.emplace(s.name, s.nameLoc);
    scope.order.push_back(s.name);
    if (isDefine) scope.defines[s.name].push_back(&s);
    else scope.bindings[s.name] = &s;
  }
  if (!scope.ret && !block.hasSyntaxErrors) {
    SourceLoc at = block.closeLoc.valid() ? block.closeLoc : ownerLoc;
    error(at, fmt::format("'{}' has no return; end it with 'return <stage>;'", owner)).note(ownerLoc, fmt::format("'{}' declared here", owner));
    return false;
  }
  return scope.ret != nullptr;
}

void Elaborator::finishScope(Scope& scope, bool warnUnused, bool checkUnreached) {
  // Names nothing reached are still checked, so that their errors are reported; in a function
  // instance they are not elaborated (a branch that choose() did not take may not fit the types
  // this call gives it).
  std::vector<std::string> pending = scope.order;  // source order: the error cap keeps the first ones
  size_t errorsBefore = diags_.errorCount();
  for (const std::string& name : pending) {
    if (!checkUnreached) break;
    if (scope.state.count(name)) continue;
    Env env{&scope, nullptr};
    resolveLocal(scope, name, {}, env);
  }
  if (!warnUnused || diags_.errorCount() != errorsBefore) return;
  for (const std::string& name : pending) {
    if (scope.used.count(name)) continue;
    const ast::Stmt& s = scope.defines.count(name) ? *scope.defines.at(name).front() : *scope.bindings.at(name);
    diags_.warning(s.nameLoc, fmt::format("{} '{}' is never used", stmtWhat(s), name));
  }
}

Value Elaborator::instantiate(const ast::Decl& fn, const ast::Expr& call, Env& env) {
  if (std::find(fnStack_.begin(), fnStack_.end(), &fn) != fnStack_.end()) {
    error(call.loc, fmt::format("recursive call of function '{}': functions are inlined and cannot call themselves", fn.name))
        .note(fn.nameLoc, fmt::format("'{}' defined here", fn.name));
    return Value::error();
  }
  if (!pipe_) {
    error(call.loc, fmt::format("a constant cannot call function '{}': constants are known at compile time", fn.name));
    return Value::error();
  }
  size_t required = 0;
  for (size_t i = 0; i < fn.fnParams.size(); ++i) {
    if (i < fn.fnParamDefaults.size() && !fn.fnParamDefaults[i]) required = i + 1;
  }
  if (call.args.size() < required || call.args.size() > fn.fnParams.size()) {
    size_t n = fn.fnParams.size();
    std::string takes = required == n ? fmt::format("{} argument{}", n, n == 1 ? "" : "s") : fmt::format("{} to {} arguments", required, n);
    error(call.loc, fmt::format("'{}' takes {} but {} {} given", fn.name, takes, call.args.size(), call.args.size() == 1 ? "was" : "were"))
        .note(fn.nameLoc, fmt::format("'{}' defined here", fn.name));
    return Value::error();
  }
  for (size_t i = 0; i < fn.fnParams.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (fn.fnParams[i] == fn.fnParams[j]) {
        error(fn.fnParamLocs[i], fmt::format("parameter '{}' is declared twice", fn.fnParams[i]));
        return Value::error();
      }
    }
  }
  instantiated_.insert(&fn);
  std::vector<Value> args;
  for (size_t i = 0; i < fn.fnParams.size(); ++i) {
    const ast::Expr* given = i < call.args.size() ? call.args[i].get() : nullptr;
    bool option = i < fn.fnParamOptions.size() && !fn.fnParamOptions[i].empty();
    if (option) {
      Value arg = evalOptionArgument(fn, i, given, env);
      if (!arg.ok()) return Value::error();
      args.push_back(arg);
      continue;
    }
    Value arg;
    if (given) {
      arg = eval(*given, env);
    } else {
      // A default is a constant expression: it sees the globals only, never the caller's names.
      std::vector<Scope*> saved;
      saved.swap(scopes_);
      Env constEnv;
      arg = eval(*fn.fnParamDefaults[i], constEnv);
      scopes_.swap(saved);
      if (arg.kind == Value::Kind::Scalar && arg.expr->kind != ir::ExprKind::Const) {
        error(fn.fnParamDefaults[i]->loc, fmt::format("the default of '{}' must be known at compile time", fn.fnParams[i]));
        return Value::error();
      }
    }
    if (!arg.ok()) return Value::error();
    SourceLoc where = given ? given->loc : fn.fnParamDefaults[i]->loc;
    if (arg.kind != Value::Kind::Stage && arg.kind != Value::Kind::Scalar && arg.kind != Value::Kind::Type && arg.kind != Value::Kind::Option) {
      error(where, fmt::format("a function takes stages, scalars, types and options, but this is {}", describe(arg)));
      return Value::error();
    }
    // A literal argument stays a literal: `scale(img, 2)` on a u8 stage computes in u8.
    if (arg.kind == Value::Kind::Stage && !arg.refLoc.valid()) arg.refLoc = where;
    args.push_back(arg);
  }
  // A function is pure: called again with the same stages and constants, it yields the same
  // stages, which are shared rather than built twice (a function calling the previous one twice,
  // n levels deep, makes n instances, not 2^n).
  std::optional<std::string> key = instanceKey(fn, args);
  if (key) {
    if (auto it = pipe_->instances.find(*key); it != pipe_->instances.end()) return it->second;
  }
  if (pipe_->pipeline->stages.size() > kMaxStages) {
    if (!pipe_->stageLimitReported) {
      error(call.loc, fmt::format("pipeline '{}' has more than {} stages with its functions' instances; Fovea compiles pipelines of up to {} "
                                  "stages: compute shared results once as stages and pass them on",
                                  pipe_->pipeline->name, kMaxStages, kMaxStages));
    }
    pipe_->stageLimitReported = true;
    return Value::error();
  }
  if (++pipe_->instanceCount > kMaxInstances) {
    if (pipe_->instanceCount == kMaxInstances + 1) {
      error(call.loc, fmt::format("more than {} function instances in pipeline '{}': functions are inlined at every call; compute shared "
                                  "results once as stages and pass them on",
                                  kMaxInstances, pipe_->pipeline->name));
    }
    return Value::error();
  }
  instanceScopes_.push_back(std::make_unique<Scope>());
  Scope& scope = *instanceScopes_.back();
  scope.fnName = fn.name;
  scope.callSite = call.loc;
  scope.prefix = fn.name + ".";
  for (size_t i = 0; i < fn.fnParams.size(); ++i) {
    scope.bound[fn.fnParams[i]] = args[i];
    if (i < fn.fnParamOptions.size()) {
      for (const std::string& o : fn.fnParamOptions[i]) scope.optionNames.insert(o);
    }
  }
  fnStack_.push_back(&fn);
  scopes_.push_back(&scope);
  Value result = Value::error();
  if (collectBlock(scope, fn.body, fn.name, fn.nameLoc)) {
    const ast::Stmt& ret = *scope.ret;
    if (ret.values.size() != 1) {
      error(ret.loc, "a function returns one stage or value");
    } else {
      Env fnEnv{&scope, nullptr};
      result = eval(*ret.values[0], fnEnv);
      if (result.kind == Value::Kind::Scalar) result.expr = build_.settle(result.expr);
      if (result.ok() && result.kind != Value::Kind::Scalar && result.kind != Value::Kind::Stage) {
        error(ret.values[0]->loc, fmt::format("a function returns one stage or value, but this is {}", describe(result)));
        result = Value::error();
      }
      if (result.kind == Value::Kind::Stage) result.refLoc = SourceLoc{};
    }
  }
  finishScope(scope, false, /*checkUnreached=*/false);
  scopes_.pop_back();
  fnStack_.pop_back();
  if (key && result.ok()) pipe_->instances[*key] = result;
  return result;
}

std::optional<std::string> Elaborator::instanceKey(const ast::Decl& fn, const std::vector<Value>& args) const {
  std::string key = fmt::format("{}", static_cast<const void*>(&fn));
  for (const Value& a : args) {
    if (a.kind == Value::Kind::Stage) {
      key += fmt::format("|s{}", a.stage);
      continue;
    }
    if (a.kind == Value::Kind::Option) {
      key += fmt::format("|o{}", a.option);
      if (a.expr) {
        if (a.expr->kind != ir::ExprKind::Const && a.expr->kind != ir::ExprKind::Param) return std::nullopt;
        key += fmt::format(":{}:{}:{}:{}", static_cast<int>(a.expr->kind), a.expr->index, a.expr->intValue, a.expr->floatValue);
      }
      continue;
    }
    if (a.kind == Value::Kind::Type) {
      key += fmt::format("|t{}", static_cast<int>(a.type));
      continue;
    }
    const ir::Expr& e = *a.expr;
    if (e.kind == ir::ExprKind::Const) {
      key += fmt::format("|c{}:{}:{}:{}", static_cast<int>(e.type), e.literal, e.intValue, e.floatValue);
    } else if (e.kind == ir::ExprKind::Param) {
      key += fmt::format("|p{}:{}", static_cast<int>(e.type), e.index);
    } else {
      return std::nullopt;  // any other expression: instantiated afresh
    }
  }
  return key;
}

}  // namespace fovea::sema_detail
