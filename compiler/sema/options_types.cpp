// Values known at compile time that are not numbers: a function's options (`interp: nearest |
// bilinear`, `b: border`), types (`u8`, `type_of(in)`), and the builtins that use them to let one
// generic function choose its code per call: choose(c, a, b), type_of(v), sat(T, v), is_float(v), is_stage(v), dims_of(s).
#include <algorithm>

#include <fmt/format.h>

#include "sema/builtins.h"
#include "sema/elaborator.h"
#include "support/suggest.h"

namespace fovea::sema_detail {
namespace {

Value typeValue(ScalarType t) {
  Value v;
  v.kind = Value::Kind::Type;
  v.type = t;
  return v;
}

/// A bare name compared with an option: its `options` are empty until it meets one.
Value bareName(const std::string& name) {
  Value v;
  v.kind = Value::Kind::Option;
  v.option = name;
  return v;
}

bool isBorderOptions(const std::vector<std::string>& options) { return options.size() == 1 && options[0] == "border"; }

/// The type a scalar has on its own: a literal that met no typed operand is i32 or f32.
ScalarType ownType(const ir::ExprPtr& e) {
  if (ExprBuilder::isLiteral(e)) return isFloat(e->type) ? ScalarType::F32 : (e->type == ScalarType::Bool ? ScalarType::Bool : ScalarType::I32);
  return e->type;
}

}  // namespace

Value Elaborator::evalSymbolic(const ast::Expr& e, Env& env) {
  if (e.kind == ast::ExprKind::Name && !isLocallyDefined(e.name, env) && !globals_.count(e.name)) {
    if (auto t = parseScalarType(e.name)) return typeValue(*t);
    if (!isBuiltinFunction(e.name)) return bareName(e.name);
  }
  return eval(e, env);
}

std::optional<Value> Elaborator::evalCompileTimeComparison(const ast::Expr& e, Env& env) {
  // Only comparisons with an option or a type on one side are handled here.
  auto symbolic = [&](const ast::Expr& x) {
    if (x.kind == ast::ExprKind::Name) return !isLocallyDefined(x.name, env) && !globals_.count(x.name) && parseScalarType(x.name);
    return x.kind == ast::ExprKind::Call && x.lhs->kind == ast::ExprKind::Name && x.lhs->name == "type_of" && !isLocallyDefined("type_of", env);
  };
  auto isOptionName = [&](const ast::Expr& x) {
    if (x.kind != ast::ExprKind::Name || !env.scope) return false;
    auto it = env.scope->bound.find(x.name);
    return it != env.scope->bound.end() && it->second.kind == Value::Kind::Option;
  };
  if (!symbolic(*e.lhs) && !symbolic(*e.rhs) && !isOptionName(*e.lhs) && !isOptionName(*e.rhs)) return std::nullopt;
  Value a = evalSymbolic(*e.lhs, env);
  Value b = evalSymbolic(*e.rhs, env);
  if (!a.ok() || !b.ok()) return Value::error();
  bool equal = false;
  if (a.kind == Value::Kind::Type || b.kind == Value::Kind::Type) {
    if (a.kind != Value::Kind::Type || b.kind != Value::Kind::Type) {
      error(e.loc, fmt::format("a type can only be compared with a type, e.g. type_of(in) == u8; this compares {} with {}", describe(a), describe(b)));
      return Value::error();
    }
    equal = a.type == b.type;
  } else {
    if (a.kind != Value::Kind::Option || b.kind != Value::Kind::Option) {
      error(e.loc, fmt::format("an option can only be compared with an option name, e.g. mode == bilinear; this compares {} with {}", describe(a),
                               describe(b)));
      return Value::error();
    }
    bool swapped = a.options.empty();
    if (swapped) std::swap(a, b);
    const ast::Expr& other = swapped ? *e.lhs : *e.rhs;  // the side that may be a misspelt name
    if (!a.options.empty() && std::find(a.options.begin(), a.options.end(), b.option) == a.options.end()) {
      Diagnostic& d = error(other.loc, fmt::format("'{}' is not one of the options compared with: {}{}", b.option, fmt::join(a.options, ", "),
                                                   closestMatch(b.option, a.options) ? fmt::format("; did you mean '{}'?", *closestMatch(b.option, a.options)) : ""));
      if (auto best = closestMatch(b.option, a.options)) d.fixit(other.loc, *best);
      return Value::error();
    }
    equal = a.option == b.option;
  }
  if (e.binaryOp == ast::BinaryOp::Ne) equal = !equal;
  return Value::scalar(build_.boolConst(equal, e.loc));
}

std::optional<Value> Elaborator::evalCompileTimeCall(const std::string& name, const ast::Expr& e, Env& env) {
  auto arity = [&](size_t n) {
    if (e.args.size() == n) return true;
    error(e.loc, fmt::format("{}() takes {} argument{} but {} {} given", name, n, n == 1 ? "" : "s", e.args.size(), e.args.size() == 1 ? "was" : "were"));
    return false;
  };
  if (name == "choose") {
    // choose(c, a, b): c is known at compile time; only the chosen side is elaborated, and it
    // keeps its own kind and type (a stage, a value of any type, an option).
    if (!arity(3)) return std::nullopt;
    ir::ExprPtr c = evalScalar(*e.args[0], env);
    if (!c) return std::nullopt;
    if (c->kind != ir::ExprKind::Const || c->type != ScalarType::Bool) {
      error(e.args[0]->loc, "choose() needs a condition known at compile time (constants, option and type comparisons, is_float); "
                            "select() chooses per pixel");
      return std::nullopt;
    }
    Value v = eval(*e.args[c->intValue ? 1 : 2], env);
    if (!v.ok()) return std::nullopt;
    return v;
  }
  if (name == "type_of") {
    if (!arity(1)) return std::nullopt;
    Value v = evalSymbolic(*e.args[0], env);
    if (!v.ok()) return std::nullopt;
    if (v.kind == Value::Kind::Type) return v;
    if (v.kind == Value::Kind::Stage) return typeValue(pipe_->pipeline->stages[v.stage].type);
    if (v.kind == Value::Kind::Scalar) return typeValue(ownType(v.expr));
    error(e.args[0]->loc, fmt::format("type_of() takes a stage or a value, but this is {}", describe(v)));
    return std::nullopt;
  }
  if (name == "is_float") {
    if (!arity(1)) return std::nullopt;
    Value v = evalSymbolic(*e.args[0], env);
    if (!v.ok()) return std::nullopt;
    ScalarType t;
    if (v.kind == Value::Kind::Type) t = v.type;
    else if (v.kind == Value::Kind::Stage) t = pipe_->pipeline->stages[v.stage].type;
    else if (v.kind == Value::Kind::Scalar) t = ownType(v.expr);
    else {
      error(e.args[0]->loc, fmt::format("is_float() takes a type, a stage or a value, but this is {}", describe(v)));
      return std::nullopt;
    }
    return Value::scalar(build_.boolConst(isFloat(t), e.loc));
  }
  if (name == "is_stage") {
    // is_stage(v): whether an argument is a stage (so that a function can take a per-channel
    // table or one number for all channels).
    if (!arity(1)) return std::nullopt;
    Value v = evalSymbolic(*e.args[0], env);
    if (!v.ok()) return std::nullopt;
    return Value::scalar(build_.boolConst(v.kind == Value::Kind::Stage, e.loc));
  }
  if (name == "dims_of") {
    // dims_of(s): how many dimensions a stage has (a constant i32), so that a function can treat
    // gray (2) and color (3) images apart.
    if (!arity(1)) return std::nullopt;
    Value v = evalSymbolic(*e.args[0], env);
    if (!v.ok()) return std::nullopt;
    if (v.kind != Value::Kind::Stage) {
      error(e.args[0]->loc, fmt::format("dims_of() takes a stage, but this is {}", describe(v)));
      return std::nullopt;
    }
    return Value::scalar(build_.intLiteral(static_cast<int64_t>(pipe_->pipeline->stages[v.stage].dims.size()), e.loc));
  }
  if (name == "sat") {
    // sat(T, v): v converted to T, saturating (rounding half to even from a float), as OpenCV's
    // saturate_cast; to a float type, a plain conversion.
    if (!arity(2)) return std::nullopt;
    Value t = evalSymbolic(*e.args[0], env);
    if (!t.ok()) return std::nullopt;
    if (t.kind != Value::Kind::Type) {
      error(e.args[0]->loc, fmt::format("sat() takes a type first, e.g. sat(u8, v) or sat(type_of(in), v), but this is {}", describe(t)));
      return std::nullopt;
    }
    ir::ExprPtr v = evalScalar(*e.args[1], env);
    if (!v) return std::nullopt;
    if (v->type == ScalarType::Bool || t.type == ScalarType::Bool) {
      error(e.loc, "sat() converts between numbers, not bool");
      return std::nullopt;
    }
    if (isFloat(t.type)) return Value::scalar(build_.cast(t.type, v, e.loc));
    return Value::scalar(build_.saturatingCast(t.type, v, e.loc));
  }
  return std::nullopt;
}

Value Elaborator::evalOptionArgument(const ast::Decl& fn, size_t param, const ast::Expr* arg, Env& env) {
  const std::vector<std::string>& options = fn.fnParamOptions[param];
  const std::string& pname = fn.fnParams[param];
  bool border = isBorderOptions(options);
  const ast::Expr* e = arg ? arg : fn.fnParamDefaults[param].get();
  Env constEnv;
  Env& where = arg ? env : constEnv;
  std::vector<Scope*> saved;
  if (!arg) saved.swap(scopes_);  // a default sees no caller's names
  auto restore = [&]() {
    if (!arg) scopes_.swap(saved);
  };
  auto listed = [&]() { return border ? std::string("edge, reflect, reflect101, wrap, constant(v)") : fmt::format("{}", fmt::join(options, ", ")); };
  Value out = Value::error();
  if (border) {
    std::optional<Value> b = evalBorder(*e, where, ScalarType::Bool, false);
    if (b) {
      out = *b;
    } else if (!(e->kind == ast::ExprKind::Name && isLocallyDefined(e->name, where))) {
      std::string written = e->kind == ast::ExprKind::Name ? e->name : (e->kind == ast::ExprKind::Call && e->lhs->kind == ast::ExprKind::Name ? e->lhs->name : "");
      std::vector<std::string> names = {"edge", "reflect", "reflect101", "wrap", "constant"};
      auto best = written.empty() ? std::nullopt : closestMatch(written, names);
      Diagnostic& d = error(e->loc, fmt::format("'{}' of '{}' is a boundary condition: one of {}{}", pname, fn.name, listed(),
                                                best ? fmt::format("; did you mean '{}'?", *best) : ""));
      if (best) d.fixit(e->kind == ast::ExprKind::Name ? e->loc : e->lhs->loc, *best);
      d.note(fn.fnParamLocs[param], fmt::format("'{}' declared here", pname));
    } else {
      evalBorder(*e, where, ScalarType::Bool, true);
    }
    restore();
    return out;
  }
  if (e->kind == ast::ExprKind::Name && isLocallyDefined(e->name, where)) {
    // The caller's own option passed on: it must be one this parameter accepts too.
    Value v = eval(*e, where);
    restore();
    if (!v.ok()) return v;
    if (v.kind != Value::Kind::Option || v.border || std::find(options.begin(), options.end(), v.option) == options.end()) {
      error(e->loc, fmt::format("'{}' of '{}' is one of {}, but this is {}", pname, fn.name, listed(), describe(v)))
          .note(fn.fnParamLocs[param], fmt::format("'{}' declared here", pname));
      return Value::error();
    }
    v.options = options;
    return v;
  }
  restore();
  if (e->kind != ast::ExprKind::Name) {
    error(e->loc, fmt::format("'{}' of '{}' is one of {}, written as a bare name", pname, fn.name, listed()))
        .note(fn.fnParamLocs[param], fmt::format("'{}' declared here", pname));
    return Value::error();
  }
  if (std::find(options.begin(), options.end(), e->name) == options.end()) {
    auto best = closestMatch(e->name, options);
    Diagnostic& d = error(e->loc, fmt::format("'{}' is not an option of '{}' for '{}': use one of {}{}", e->name, fn.name, pname, listed(),
                                              best ? fmt::format("; did you mean '{}'?", *best) : ""));
    if (best) d.fixit(e->loc, *best);
    d.note(fn.fnParamLocs[param], fmt::format("'{}' declared here", pname));
    return Value::error();
  }
  Value v = bareName(e->name);
  v.options = options;
  return v;
}

}  // namespace fovea::sema_detail
