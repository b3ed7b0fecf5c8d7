// Expressions: names, calls, members, operators. Produces typed IR or reports why it cannot.
#include <algorithm>

#include <fmt/format.h>

#include "sema/builtins.h"
#include "sema/elaborator.h"
#include "support/suggest.h"

namespace fovea::sema_detail {
namespace {

ir::BinaryOp toIr(ast::BinaryOp op) {
  switch (op) {
    case ast::BinaryOp::Add: return ir::BinaryOp::Add;
    case ast::BinaryOp::Sub: return ir::BinaryOp::Sub;
    case ast::BinaryOp::Mul: return ir::BinaryOp::Mul;
    case ast::BinaryOp::Div: return ir::BinaryOp::Div;
    case ast::BinaryOp::Mod: return ir::BinaryOp::Mod;
    case ast::BinaryOp::Lt: return ir::BinaryOp::Lt;
    case ast::BinaryOp::Le: return ir::BinaryOp::Le;
    case ast::BinaryOp::Gt: return ir::BinaryOp::Gt;
    case ast::BinaryOp::Ge: return ir::BinaryOp::Ge;
    case ast::BinaryOp::Eq: return ir::BinaryOp::Eq;
    case ast::BinaryOp::Ne: return ir::BinaryOp::Ne;
    case ast::BinaryOp::And: return ir::BinaryOp::And;
    case ast::BinaryOp::Or: return ir::BinaryOp::Or;
  }
  return ir::BinaryOp::Add;
}

ir::ExprPtr makeVar(int index, SourceLoc loc, int owner) {
  auto e = std::make_shared<ir::Expr>();
  e->kind = ir::ExprKind::Var;
  e->owner = owner;
  e->type = ScalarType::I32;
  e->index = index;
  e->loc = loc;
  return e;
}

/// A read of stage `stage` (of element type `type`) at `args`.
ir::ExprPtr makeCall(int stage, ScalarType type, std::vector<ir::ExprPtr> args, SourceLoc loc, SourceLoc refLoc) {
  auto e = std::make_shared<ir::Expr>();
  e->kind = ir::ExprKind::Call;
  e->type = type;
  e->index = stage;
  e->args = std::move(args);
  e->loc = loc;
  e->refLoc = refLoc;
  return e;
}

}  // namespace

Elaborator::Elaborator(DiagnosticEngine& diags)
    : diags_(diags), build_([this](SourceLoc loc, const std::string& message) { error(loc, message); }) {}

Diagnostic& Elaborator::error(SourceLoc loc, std::string message) {
  Diagnostic& d = diags_.error(loc, std::move(message));
  for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
    if (!(*it)->fnName.empty()) d.note((*it)->callSite, fmt::format("in function '{}' called here", (*it)->fnName));
  }
  return d;
}

std::string Elaborator::describe(const Value& v) const {
  switch (v.kind) {
    case Value::Kind::Error: return "an invalid value";
    case Value::Kind::Scalar: {
      if (!v.expr) return "a value";
      const char* t = toString(v.expr->type);
      return fmt::format("{} {} value", t[0] == 'i' || t[0] == 'f' ? "an" : "a", t);  // an i32, an f32, a u8
    }
    case Value::Kind::Stage: return "a stage";
    case Value::Kind::Domain: return "a reduction domain";
    case Value::Kind::Function: return "a function";
    case Value::Kind::Builtin: return "a builtin function";
    case Value::Kind::Model: return "a model";
    case Value::Kind::Option: return v.border ? fmt::format("the boundary condition '{}'", v.option) : fmt::format("the option '{}'", v.option);
    case Value::Kind::Type: return fmt::format("the type {}", toString(v.type));
  }
  return "a value";
}

ir::ExprPtr Elaborator::evalScalar(const ast::Expr& e, Env& env) { return asScalar(eval(e, env), e); }

ir::ExprPtr Elaborator::asScalar(const Value& v, const ast::Expr& e) {
  switch (v.kind) {
    case Value::Kind::Error: return nullptr;
    case Value::Kind::Scalar: return v.expr;
    case Value::Kind::Stage: {
      const ir::Stage& s = pipe_->pipeline->stages[v.stage];
      std::string dims;
      for (size_t i = 0; i < s.dims.size(); ++i) dims += (i ? ", " : "") + s.dims[i];
      error(e.loc, fmt::format("'{}' is a stage, not a value; index it, e.g. {}({})",
                               e.kind == ast::ExprKind::Name ? e.name : s.name, e.kind == ast::ExprKind::Name ? e.name : s.name, dims));
      return nullptr;
    }
    case Value::Kind::Domain:
      error(e.loc, fmt::format("'{}' is a reduction domain; use one of its variables, e.g. {}.x", v.domain->name, v.domain->name));
      return nullptr;
    case Value::Kind::Function:
    case Value::Kind::Builtin:
      error(e.loc, fmt::format("'{}' is a function; call it with arguments", e.name));
      return nullptr;
    case Value::Kind::Model:
      error(e.loc, fmt::format("'{}' is a model; call it on stages, e.g. out = {}(tensor)", e.name, e.name));
      return nullptr;
    case Value::Kind::Option:
      error(e.loc, fmt::format("{} is known at compile time, not a number; compare it, e.g. choose({} == {}, a, b)", describe(v),
                               e.kind == ast::ExprKind::Name ? e.name : "mode", v.option));
      return nullptr;
    case Value::Kind::Type:
      error(e.loc, fmt::format("{} is not a number; convert with it, e.g. {}(v), or test it, e.g. is_float(...)", describe(v), toString(v.type)));
      return nullptr;
  }
  return nullptr;
}

ir::ExprPtr Elaborator::toIndex(const ir::ExprPtr& e, SourceLoc loc) {
  if (!e) return nullptr;
  if (ExprBuilder::isLiteral(e) && !isFloat(e->type)) return build_.convert(e, ScalarType::I32);
  if (!isInteger(e->type) || ExprBuilder::isLiteral(e)) {
    error(loc, fmt::format("an index must be an integer, found {}", ExprBuilder::isLiteral(e) ? "a float literal" : toString(e->type)))
        .fixit(loc, "i32(...)");
    return nullptr;
  }
  if (e->kind == ir::ExprKind::Const && !fitsIn(e->intValue, ScalarType::I32)) {
    error(loc, fmt::format("{} is out of range for an index (i32)", e->intValue));
    return nullptr;
  }
  return build_.convert(e, ScalarType::I32);
}

ir::ExprPtr Elaborator::evalIndex(const ast::Expr& e, Env& env) { return toIndex(evalScalar(e, env), e.loc); }

Value Elaborator::eval(const ast::Expr& e, Env& env) {
  switch (e.kind) {
    case ast::ExprKind::IntLit:
      if (e.intOverflow || e.intValue > static_cast<uint64_t>(INT64_MAX)) {
        error(e.loc, "integer literal is too large (the limit is 2^63 - 1)");
        return Value::error();
      }
      return Value::scalar(build_.intLiteral(static_cast<int64_t>(e.intValue), e.loc));
    case ast::ExprKind::FloatLit:
      if (!std::isfinite(e.floatValue)) {
        error(e.loc, "floating-point literal is too large");
        return Value::error();
      }
      return Value::scalar(build_.floatLiteral(e.floatValue, e.loc));
    case ast::ExprKind::BoolLit: return Value::scalar(build_.boolConst(e.boolValue, e.loc));
    case ast::ExprKind::Name: return evalName(e, env);
    case ast::ExprKind::Ellipsis:
      error(e.loc, "'...' can only stand for the remaining indices of a stage, as the last index");
      return Value::error();
    case ast::ExprKind::Call: return evalCall(e, env);
    case ast::ExprKind::Member: return evalMember(e, env);
    case ast::ExprKind::Unary: {
      ir::ExprPtr operand = evalScalar(*e.lhs, env);
      if (!operand) return Value::error();
      if (e.unaryOp == ast::UnaryOp::Plus) {
        if (operand->type == ScalarType::Bool && !ExprBuilder::isLiteral(operand)) {
          error(e.loc, "'+' needs a number, found bool");
          return Value::error();
        }
        return Value::scalar(operand);
      }
      return Value::scalar(build_.unary(e.unaryOp == ast::UnaryOp::Neg ? ir::UnaryOp::Neg : ir::UnaryOp::Not, operand, e.loc));
    }
    case ast::ExprKind::Binary: {
      if (e.binaryOp == ast::BinaryOp::Eq || e.binaryOp == ast::BinaryOp::Ne) {
        if (std::optional<Value> v = evalCompileTimeComparison(e, env)) return *v;
      }
      ir::ExprPtr a = evalScalar(*e.lhs, env);
      ir::ExprPtr b = evalScalar(*e.rhs, env);
      if (!a || !b) return Value::error();
      return Value::scalar(build_.binary(toIr(e.binaryOp), a, b, e.loc));
    }
  }
  return Value::error();
}

bool Elaborator::isLocallyDefined(const std::string& name, const Env& env) const {
  if (env.def && (env.def->pureVars.count(name) || (env.def->domain && env.def->domain->name == name))) return true;
  if (!env.scope) return false;
  const Scope& s = *env.scope;
  return s.bound.count(name) || s.defines.count(name) || s.bindings.count(name) || s.broken.count(name);
}

std::vector<std::string> Elaborator::visibleNames(const Env& env) const {
  std::vector<std::string> names;
  if (env.def) {
    for (const auto& [n, _] : env.def->pureVars) names.push_back(n);
    if (env.def->domain) names.push_back(env.def->domain->name);
  }
  if (env.scope) {
    for (const auto& [n, _] : env.scope->bound) names.push_back(n);
    for (const auto& [n, _] : env.scope->defines) names.push_back(n);
    for (const auto& [n, _] : env.scope->bindings) names.push_back(n);
  }
  for (const auto& [n, _] : globals_) names.push_back(n);
  for (const std::string& n : builtinNames()) names.push_back(n);
  for (const char* n : {"edge", "reflect", "reflect101", "wrap", "constant"}) names.emplace_back(n);
  return names;
}

Diagnostic& Elaborator::undefinedName(const std::string& name, SourceLoc loc, const Env& env) {
  if (allowUnknownNames_) {
    unreported_ = Diagnostic{};
    return unreported_;
  }
  std::optional<std::string> best = closestMatch(name, visibleNames(env));
  if (!best) return error(loc, fmt::format("undefined name '{}'", name));
  Diagnostic& d = error(loc, fmt::format("undefined name '{}'; did you mean '{}'?", name, *best));
  d.fixit(loc, *best);
  return d;
}

Value Elaborator::evalConst(const std::string& name, SourceLoc useLoc) {
  if (auto it = constValues_.find(name); it != constValues_.end()) {
    return it->second ? Value::scalar(it->second) : Value::error();
  }
  const ast::Decl& decl = *globals_.at(name).decl;
  if (!constsInProgress_.insert(name).second) {
    error(useLoc, fmt::format("constant '{}' is defined in terms of itself", name)).note(decl.nameLoc, fmt::format("'{}' defined here", name));
    constValues_[name] = nullptr;
    return Value::error();
  }
  // Constants see only other globals, never a pipeline's names.
  std::vector<Scope*> savedScopes;
  savedScopes.swap(scopes_);
  Env constEnv;
  ir::ExprPtr value = evalScalar(*decl.value, constEnv);
  if (value && !decl.constType.empty()) {
    auto type = parseScalarType(decl.constType);
    if (!type) {
      Diagnostic& d = error(decl.constTypeLoc, fmt::format("unknown type '{}'", decl.constType));
      if (auto best = closestMatch(decl.constType, {"bool", "u8", "u16", "u32", "i8", "i16", "i32", "f32", "f64"})) d.fixit(decl.constTypeLoc, *best);
      value = nullptr;
    } else if (!ExprBuilder::isLiteral(value) && value->type != *type) {
      error(decl.value->loc, fmt::format("constant '{}' is declared {} but its value is {}", name, decl.constType, toString(value->type)));
      value = nullptr;
    } else {
      value = build_.convert(value, *type);
    }
  }
  if (value && value->kind != ir::ExprKind::Const) {
    error(decl.value->loc, fmt::format("the value of constant '{}' must be known at compile time (literals, other constants and arithmetic)", name));
    value = nullptr;
  }
  scopes_.swap(savedScopes);
  constsInProgress_.erase(name);
  constValues_[name] = value;
  return value ? Value::scalar(value) : Value::error();
}

void Elaborator::checkConstants() {
  for (const auto& [name, symbol] : globals_) {
    if (symbol.decl->kind == ast::DeclKind::Const && !brokenGlobals_.count(name)) evalConst(name, symbol.decl->nameLoc);
  }
}

Value Elaborator::evalName(const ast::Expr& e, Env& env) {
  const std::string& name = e.name;
  if (env.def) {
    if (auto it = env.def->pureVars.find(name); it != env.def->pureVars.end()) return Value::scalar(makeVar(it->second, e.loc, env.def->id));
    if (env.def->domain && env.def->domain->name == name) {
      Value v;
      v.kind = Value::Kind::Domain;
      v.domain = env.def->domain;
      return v;
    }
  }
  if (env.scope) {
    Scope& s = *env.scope;
    if (auto it = s.bound.find(name); it != s.bound.end()) {
      s.used.insert(name);
      Value v = it->second;
      // A stage named at the pipeline level is where a fix-it would wrap it.
      if (v.kind == Value::Kind::Stage && s.fnName.empty()) v.refLoc = e.loc;
      if (v.kind == Value::Kind::Scalar) {
        auto copy = std::make_shared<ir::Expr>(*v.expr);
        copy->loc = e.loc;
        v.expr = copy;
      }
      return v;
    }
    if (s.defines.count(name) || s.bindings.count(name)) {
      s.used.insert(name);
      Value v = resolveLocal(s, name, e.loc, env);
      if (v.kind == Value::Kind::Stage && s.fnName.empty()) v.refLoc = e.loc;
      if (v.kind == Value::Kind::Scalar && v.expr) {
        auto copy = std::make_shared<ir::Expr>(*v.expr);
        copy->loc = e.loc;
        v.expr = copy;
      }
      return v;
    }
    if (s.broken.count(name)) return Value::error();
  }
  if (brokenGlobals_.count(name)) return Value::error();
  if (auto it = globals_.find(name); it != globals_.end()) {
    const ast::Decl& d = *it->second.decl;
    switch (d.kind) {
      case ast::DeclKind::Const: {
        Value v = evalConst(name, e.loc);
        if (v.kind == Value::Kind::Scalar) {  // errors about the value point where it is used
          auto copy = std::make_shared<ir::Expr>(*v.expr);
          copy->loc = e.loc;
          v.expr = copy;
        }
        return v;
      }
      case ast::DeclKind::Fn: {
        Value v;
        v.kind = Value::Kind::Function;
        v.fn = &d;
        return v;
      }
      case ast::DeclKind::Model: {
        Value v;
        v.kind = Value::Kind::Model;
        v.fn = &d;
        return v;
      }
      case ast::DeclKind::Pipeline:
        error(e.loc, fmt::format("'{}' is a pipeline; pipelines cannot be used inside other pipelines (make it a 'fn')", name))
            .note(d.nameLoc, fmt::format("'{}' defined here", name));
        return Value::error();
      case ast::DeclKind::Import: break;
    }
  }
  if (auto type = parseScalarType(name)) {
    Value v;
    v.kind = Value::Kind::Type;
    v.type = *type;
    return v;
  }
  if (isBuiltinFunction(name)) {
    Value v;
    v.kind = Value::Kind::Builtin;
    return v;
  }
  if (parseBoundaryKind(name)) {
    error(e.loc, fmt::format("'{}' is a boundary condition; use it as boundary(input, {})", name, name));
    return Value::error();
  }
  undefinedName(name, e.loc, env);
  return Value::error();
}

ir::ExprPtr Elaborator::extentOf(const Value& stage, int dim, const std::string& what, SourceLoc loc) {
  const ir::Stage& s = pipe_->pipeline->stages[stage.stage];
  if (dim < 0 || dim >= static_cast<int>(s.dims.size())) {
    const char* kind = s.kind == ir::StageKind::Input ? "input" : "stage";
    std::string name = s.kind == ir::StageKind::Input ? pipe_->pipeline->inputs[s.input].name : s.name;
    error(loc, fmt::format("{} '{}' has {} dimension{} ({}), so it has no {}", kind, name, s.dims.size(), s.dims.size() == 1 ? "" : "s",
                           fmt::join(s.dims, ", "), what));
    return nullptr;
  }
  if (static_cast<size_t>(dim) >= s.extents.size() || !s.extents[dim]) {
    error(loc, fmt::format("the {} of '{}' is not known: it reads no stage of known size at a plain '{}'; give its definition a size, "
                           "e.g. {}({}) = ... size (...)",
                           what, s.name, s.dims[dim], s.name, fmt::join(s.dims, ", ")));
    return nullptr;
  }
  auto e = std::make_shared<ir::Expr>(*s.extents[dim]);
  e->loc = loc;
  return e;
}

Value Elaborator::evalMember(const ast::Expr& e, Env& env) {
  Value base = eval(*e.lhs, env);
  if (!base.ok()) return base;
  if (base.kind == Value::Kind::Domain) {
    const ir::Domain& d = *base.domain;
    static const char* positional[] = {"x", "y", "z", "w"};
    // A dimension's own name wins; x, y, z, w name positions only when no dimension is so named.
    bool named = std::find(d.dimNames.begin(), d.dimNames.end(), e.name) != d.dimNames.end();
    for (size_t i = 0; i < d.dimNames.size(); ++i) {
      if (d.dimNames[i] == e.name || (!named && i < 4 && e.name == positional[i])) {
        auto v = std::make_shared<ir::Expr>();
        v->kind = ir::ExprKind::RVar;
        v->type = ScalarType::I32;
        v->owner = env.def ? env.def->id : -1;
        v->index = static_cast<int>(i);
        v->loc = e.loc;
        return Value::scalar(v);
      }
    }
    error(e.nameLoc, fmt::format("reduction domain '{}' has no variable '{}'; it has {}", d.name, e.name, fmt::join(d.dimNames, ", ")));
    return Value::error();
  }
  if (base.kind == Value::Kind::Stage) {
    if (e.name == "width") return Value::scalar(extentOf(base, 0, "width", e.loc));
    if (e.name == "height") return Value::scalar(extentOf(base, 1, "height", e.loc));
    if (e.name == "channels") return Value::scalar(extentOf(base, 2, "channels", e.loc));
    if (e.name == "extent") {
      error(e.loc, "extent needs a dimension, e.g. input.extent(0)");
      return Value::error();
    }
    error(e.nameLoc, fmt::format("a stage has no member '{}'; stages have width, height, channels and extent(d)", e.name));
    return Value::error();
  }
  error(e.loc, fmt::format("{} has no members", describe(base)));
  return Value::error();
}

Value Elaborator::evalCall(const ast::Expr& e, Env& env) {
  const ast::Expr& callee = *e.lhs;
  if (callee.kind == ast::ExprKind::Name && !isLocallyDefined(callee.name, env) && !globals_.count(callee.name)) {
    const std::string& name = callee.name;
    if (isBuiltinFunction(name, /*callsOnly=*/true)) return evalBuiltinCall(name, e, env);
    if (name == "boundary") return evalBoundary(e, env);
    if (isCompileTimeBuiltin(name)) {
      if (std::optional<Value> v = evalCompileTimeCall(name, e, env)) return *v;
      return Value::error();
    }
  }
  if (callee.kind == ast::ExprKind::Member && callee.name == "extent") {
    Value base = eval(*callee.lhs, env);
    if (!base.ok()) return base;
    if (base.kind != Value::Kind::Stage) {
      error(callee.loc, fmt::format("{} has no extent", describe(base)));
      return Value::error();
    }
    if (e.args.size() != 1 || e.args[0]->kind == ast::ExprKind::Ellipsis) {
      error(e.loc, "extent() takes one dimension number, e.g. input.extent(0)");
      return Value::error();
    }
    ir::ExprPtr d = evalScalar(*e.args[0], env);
    if (!d) return Value::error();
    if (d->kind != ir::ExprKind::Const || !isInteger(d->type)) {
      error(e.args[0]->loc, "the dimension of extent() must be a constant integer");
      return Value::error();
    }
    int dim = d->intValue < 0 || d->intValue > 16 ? 16 : static_cast<int>(d->intValue);
    return Value::scalar(extentOf(base, dim, fmt::format("dimension {}", d->intValue), e.loc));
  }
  Value target = eval(callee, env);
  switch (target.kind) {
    case Value::Kind::Error: return target;
    case Value::Kind::Stage: return stageAccess(target, e, env);
    case Value::Kind::Function:
      if (!env.scope) {
        error(e.loc, fmt::format("a constant cannot call function '{}': constants are known at compile time", target.fn->name));
        return Value::error();
      }
      return instantiate(*target.fn, e, env);
    case Value::Kind::Builtin:
      if (callee.kind != ast::ExprKind::Name || !isBuiltinFunction(callee.name, /*callsOnly=*/true)) {
        error(callee.loc, "a builtin function cannot be passed around or returned; call it by its name");
        return Value::error();
      }
      return evalBuiltinCall(callee.name, e, env);
    case Value::Kind::Model:
      if (!env.scope) {
        error(e.loc, fmt::format("a constant cannot call model '{}'", target.fn->name));
        return Value::error();
      }
      return evalModelCall(*target.fn, e, env);
    case Value::Kind::Type: {
      if (e.args.size() != 1) {
        error(e.loc, fmt::format("a conversion to {} takes one value", toString(target.type)));
        return Value::error();
      }
      ir::ExprPtr v = evalScalar(*e.args[0], env);
      if (!v) return Value::error();
      return Value::scalar(build_.cast(target.type, v, e.loc));
    }
    case Value::Kind::Scalar:
    case Value::Kind::Domain:
    case Value::Kind::Option:
      error(callee.loc, fmt::format("{} cannot be called; only stages and functions take arguments", describe(target)));
      return Value::error();
  }
  return Value::error();
}

Value Elaborator::evalBuiltinCall(const std::string& name, const ast::Expr& e, Env& env) {
  std::vector<ir::ExprPtr> args;
  bool ok = true;
  for (const ast::ExprPtr& a : e.args) {
    args.push_back(evalScalar(*a, env));
    ok = ok && args.back();
  }
  auto arity = [&](size_t n) {
    if (args.size() == n) return true;
    error(e.loc, fmt::format("{}() takes {} argument{} but {} {} given", name, n, n == 1 ? "" : "s", args.size(), args.size() == 1 ? "was" : "were"));
    return false;
  };
  if (auto type = parseScalarType(name)) {
    if (!arity(1) || !ok) return Value::error();
    return Value::scalar(build_.cast(*type, args[0], e.loc));
  }
  if (auto type = parseSaturatingCast(name)) {
    if (!arity(1) || !ok) return Value::error();
    if (args[0]->type == ScalarType::Bool && !ExprBuilder::isLiteral(args[0])) {
      error(e.args[0]->loc, fmt::format("{}() needs a number, found bool", name));
      return Value::error();
    }
    return Value::scalar(build_.saturatingCast(*type, args[0], e.loc));
  }
  const BuiltinFunction* b = findBuiltin(name);
  FOVEA_ASSERT(b, "evalBuiltinCall on a name that is not a builtin");
  if (!arity(b->arity) || !ok) return Value::error();
  switch (b->kind) {
    case BuiltinFunction::Kind::Min: return Value::scalar(build_.binary(ir::BinaryOp::Min, args[0], args[1], e.loc));
    case BuiltinFunction::Kind::Max: return Value::scalar(build_.binary(ir::BinaryOp::Max, args[0], args[1], e.loc));
    case BuiltinFunction::Kind::Select: return Value::scalar(build_.select(args[0], args[1], args[2], e.loc));
    case BuiltinFunction::Kind::Intrinsic: return Value::scalar(build_.intrinsic(b->intrinsic, args, e.loc, name));
  }
  return Value::error();
}

std::optional<Value> Elaborator::evalBorder(const ast::Expr& cond, Env& env, ScalarType valueType, bool report) {
  static const std::vector<std::string> kNames = {"edge", "reflect", "reflect101", "wrap", "constant"};
  // A border parameter of the enclosing function (or any name bound to one) passes its value on.
  if (cond.kind == ast::ExprKind::Name && isLocallyDefined(cond.name, env)) {
    Value v = eval(cond, env);
    if (!v.ok()) return std::nullopt;
    if (v.kind == Value::Kind::Option && v.border) return v;
    if (report) error(cond.loc, fmt::format("a boundary condition is one of edge, reflect, reflect101, wrap or constant(value), but this is {}", describe(v)));
    return std::nullopt;
  }
  std::string kindName;
  const ast::Expr* constantArg = nullptr;
  if (cond.kind == ast::ExprKind::Name) {
    kindName = cond.name;
  } else if (cond.kind == ast::ExprKind::Call && cond.lhs->kind == ast::ExprKind::Name) {
    kindName = cond.lhs->name;
    if (cond.args.size() == 1) constantArg = cond.args[0].get();
  }
  auto kind = parseBoundaryKind(kindName);
  if (!kind || (*kind == ir::BoundaryKind::Constant) != (constantArg != nullptr)) {
    if (!report) return std::nullopt;
    Diagnostic& d = error(cond.loc, kindName.empty() || kind ? "unknown boundary condition; use edge, reflect, reflect101, wrap or constant(value)"
                                                             : fmt::format("unknown boundary condition '{}'; use edge, reflect, reflect101, wrap or constant(value){}",
                                                                           kindName, closestMatch(kindName, kNames) ? fmt::format("; did you mean '{}'?", *closestMatch(kindName, kNames)) : ""));
    if (!kindName.empty() && !kind) {
      if (auto best = closestMatch(kindName, kNames)) d.fixit(cond.kind == ast::ExprKind::Name ? cond.loc : cond.lhs->loc, *best);
    }
    return std::nullopt;
  }
  Value out;
  out.kind = Value::Kind::Option;
  out.border = true;
  out.option = kindName;
  out.options = kNames;
  if (constantArg) {
    ir::ExprPtr v = evalScalar(*constantArg, env);
    if (!v) return std::nullopt;
    bool usesVariables = ir::any(v, [](const ir::Expr& node) {
      return node.kind == ir::ExprKind::Var || node.kind == ir::ExprKind::RVar || node.kind == ir::ExprKind::Call;
    });
    if (usesVariables) {
      error(constantArg->loc, "the value of constant(...) must be the same everywhere: it cannot depend on pixel variables or stages");
      return std::nullopt;
    }
    if (valueType != ScalarType::Bool && !ExprBuilder::isLiteral(v) && v->type != valueType) {
      error(constantArg->loc, fmt::format("the constant must have the stage's type {}, found {}", toString(valueType), toString(v->type)));
      return std::nullopt;
    }
    out.expr = v;
  }
  return out;
}

Value Elaborator::evalBoundary(const ast::Expr& e, Env& env) {
  if (e.args.size() != 2) {
    error(e.loc, "boundary() takes a stage and a condition, e.g. boundary(input, reflect101)");
    return Value::error();
  }
  Value source = eval(*e.args[0], env);
  if (!source.ok()) return source;
  if (source.kind != Value::Kind::Stage) {
    error(e.args[0]->loc, fmt::format("boundary() extends a stage of known size, but this is {}", describe(source)));
    return Value::error();
  }
  // A boundary stage given another condition: the new one replaces it (the two agree inside).
  if (pipe_->pipeline->stages[source.stage].kind == ir::StageKind::Boundary) source.stage = pipe_->pipeline->stages[source.stage].pure.value->index;
  // A copy: evaluating the condition may elaborate stages, which grows the stage list.
  const ir::Stage in = pipe_->pipeline->stages[source.stage];
  bool anyKnown = std::any_of(in.extents.begin(), in.extents.end(), [](const ir::ExprPtr& x) { return x != nullptr; });
  if (!anyKnown) {
    error(e.args[0]->loc, fmt::format("boundary() needs to know where '{}' ends, but its size is not known: it reads no stage of known size at "
                                      "plain variables; give its definition a size, e.g. {}({}) = ... size (...)",
                                      in.name, in.name, fmt::join(in.dims, ", ")));
    return Value::error();
  }
  std::optional<Value> cond = evalBorder(*e.args[1], env, in.type, true);
  if (!cond) return Value::error();
  auto kind = parseBoundaryKind(cond->option);
  ir::Stage b;
  b.kind = ir::StageKind::Boundary;
  b.type = in.type;
  b.dims = in.dims;
  b.extents = in.extents;
  b.input = in.kind == ir::StageKind::Input ? in.input : -1;
  b.boundary = *kind;
  b.loc = e.loc;
  if (cond->expr) {
    b.boundaryValue = build_.convert(cond->expr, in.type);
    if (!b.boundaryValue) return Value::error();
  }
  // The boundary stage reads its source at its own variables: every pass sees the dependency.
  std::vector<ir::ExprPtr> vars;
  for (size_t d = 0; d < in.dims.size(); ++d) vars.push_back(makeVar(static_cast<int>(d), e.loc, -1));
  ir::ExprPtr read = makeCall(source.stage, in.type, std::move(vars), e.loc, source.refLoc.valid() ? source.refLoc : e.args[0]->loc);
  b.pure.value = read;
  b.pure.lhs = read->args;
  b.pure.loc = e.loc;
  std::string base = in.kind == ir::StageKind::Input ? pipe_->pipeline->inputs[in.input].name : in.name;
  b.name = uniqueStageName(fmt::format("{}_{}", base, ir::toString(*kind)));
  pipe_->pipeline->stages.push_back(std::move(b));
  return Value::stageRef(static_cast<int>(pipe_->pipeline->stages.size() - 1), source.refLoc);
}

Value Elaborator::stageAccess(const Value& target, const ast::Expr& call, Env& env) {
  const ir::Stage& stage = pipe_->pipeline->stages[target.stage];
  bool beingUpdated = std::find(pipe_->updatingStages.begin(), pipe_->updatingStages.end(), target.stage) != pipe_->updatingStages.end();
  if (beingUpdated && (!env.def || env.def->selfStage != target.stage)) {
    error(call.loc, fmt::format("recursive definition: '{}' is read by another stage while its own update is being defined", stage.name));
    return Value::error();
  }
  size_t n = call.args.size();
  for (size_t i = 0; i + 1 < n; ++i) {
    if (call.args[i]->kind == ast::ExprKind::Ellipsis) {
      error(call.args[i]->loc, "'...' must be the last index");
      return Value::error();
    }
  }
  bool ellipsis = n && call.args.back()->kind == ast::ExprKind::Ellipsis;
  size_t explicitCount = ellipsis ? n - 1 : n;
  size_t dims = stage.dims.size();
  std::string calleeName = call.lhs->kind == ast::ExprKind::Name ? call.lhs->name : stage.name;
  auto wrongCount = [&]() {
    Diagnostic& d = error(call.loc, fmt::format("wrong number of indices: '{}' has {} dimension{} ({}) but {} {} given", calleeName, dims,
                                                dims == 1 ? "" : "s", fmt::join(stage.dims, ", "), explicitCount,
                                                explicitCount == 1 ? "is" : "are"));
    if (auto it = pipe_->stageDefLocs.find(stage.name); it != pipe_->stageDefLocs.end()) d.note(it->second, fmt::format("'{}' defined here", calleeName));
    else d.note(stage.loc, fmt::format("'{}' defined here", calleeName));
  };
  if (ellipsis ? explicitCount > dims : explicitCount != dims) {
    wrongCount();
    return Value::error();
  }
  std::vector<ir::ExprPtr> args;
  bool ok = true;
  // An index may elaborate stages it reads for the first time, which grows the stage list: what
  // is needed of this stage is copied first.
  const std::vector<std::string> stageDims = stage.dims;
  const ScalarType stageType = stage.type;
  for (size_t i = 0; i < explicitCount; ++i) {
    args.push_back(evalIndex(*call.args[i], env));
    ok = ok && args.back();
  }
  if (ellipsis) {
    DefContext* def = env.def;
    if (!def || !def->lhsEllipsis) {
      error(call.args.back()->loc, "'...' here needs a definition whose left-hand side ends with '...', e.g. f(x, y, ...) = ...");
      return Value::error();
    }
    size_t extra = dims - explicitCount;
    if (def->ellipsisExtra && *def->ellipsisExtra != extra) {
      error(call.args.back()->loc, fmt::format("'...' stands for {} dimension{} here but for {} elsewhere in this definition", extra,
                                               extra == 1 ? "" : "s", *def->ellipsisExtra));
      return Value::error();
    }
    if (!def->ellipsisExtra) {
      def->ellipsisExtra = extra;
      for (size_t k = 0; k < extra; ++k) def->implicitNames.push_back(stageDims[explicitCount + k]);
    }
    for (size_t k = 0; k < extra; ++k) args.push_back(makeVar(static_cast<int>(def->explicitDims + k), call.args.back()->loc, def->id));
  }
  if (!ok) return Value::error();
  return Value::scalar(makeCall(target.stage, stageType, std::move(args), call.loc, target.refLoc.valid() ? target.refLoc : call.lhs->loc));
}

}  // namespace fovea::sema_detail
