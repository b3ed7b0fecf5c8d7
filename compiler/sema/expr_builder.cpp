#include "sema/expr_builder.h"

#include <cmath>

#include <fmt/format.h>

namespace fovea {
namespace {

using ir::Expr;
using ir::ExprKind;
using ir::ExprPtr;

ExprPtr make(ExprKind kind, ScalarType type, SourceLoc loc, std::vector<ExprPtr> args = {}) {
  auto e = std::make_shared<Expr>();
  e->kind = kind;
  e->type = type;
  e->loc = loc;
  e->args = std::move(args);
  return e;
}


double constAsDouble(const Expr& e) { return isFloat(e.type) ? e.floatValue : static_cast<double>(e.intValue); }

// Halide's integer division is Euclidean: the remainder is never negative, so for a positive
// divisor the quotient rounds toward negative infinity. Constants fold the same way.
int64_t euclideanMod(int64_t a, int64_t b) {
  int64_t r = a % b;
  if (r < 0) r += b < 0 ? -b : b;
  return r;
}

int64_t euclideanDiv(int64_t a, int64_t b) { return (a - euclideanMod(a, b)) / b; }

double roundHalfEven(double v) { return std::nearbyint(v); }  // default rounding mode: ties to even

}  // namespace

int64_t wrapInteger(int64_t value, ScalarType type) {
  switch (type) {
    case ScalarType::Bool: return value != 0;
    case ScalarType::U8: return static_cast<uint8_t>(value);
    case ScalarType::U16: return static_cast<uint16_t>(value);
    case ScalarType::U32: return static_cast<uint32_t>(value);
    case ScalarType::I8: return static_cast<int8_t>(value);
    case ScalarType::I16: return static_cast<int16_t>(value);
    case ScalarType::I32: return static_cast<int32_t>(value);
    case ScalarType::F32:
    case ScalarType::F64: return value;
  }
  return value;
}

ExprPtr ExprBuilder::intLiteral(int64_t value, SourceLoc loc) const {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::Const;
  e->type = ScalarType::I32;
  e->loc = loc;
  e->intValue = value;
  e->literal = true;
  return e;
}

ExprPtr ExprBuilder::floatLiteral(double value, SourceLoc loc) const {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::Const;
  e->type = ScalarType::F32;
  e->loc = loc;
  e->floatValue = value;
  e->literal = true;
  return e;
}

ExprPtr ExprBuilder::boolConst(bool value, SourceLoc loc) const { return typedConst(ScalarType::Bool, value, 0, loc); }

ExprPtr ExprBuilder::typedConst(ScalarType type, int64_t ivalue, double fvalue, SourceLoc loc) const {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::Const;
  e->type = type;
  e->loc = loc;
  if (isFloat(type)) {
    e->floatValue = type == ScalarType::F32 ? static_cast<double>(static_cast<float>(fvalue)) : fvalue;
  } else {
    e->intValue = wrapInteger(ivalue, type);
  }
  return e;
}

ExprPtr ExprBuilder::settle(const ExprPtr& e) const {
  if (!isLiteral(e)) return e;
  if (isFloat(e->type)) return typedConst(ScalarType::F32, 0, e->floatValue, e->loc);
  if (!fitsIn(e->intValue, ScalarType::I32)) {
    error(e->loc, fmt::format("integer literal {} does not fit in i32; give it a type, e.g. u32({})", e->intValue, e->intValue));
    return nullptr;
  }
  return typedConst(ScalarType::I32, e->intValue, 0, e->loc);
}

ScalarType ExprBuilder::commonType(const ExprPtr& a, const ExprPtr& b) const { return commonTypeOf({a, b}); }

ScalarType ExprBuilder::commonTypeOf(const std::vector<ExprPtr>& operands) const {
  bool typed = false, floatLiteral = false;
  ScalarType t = ScalarType::I32;
  for (const ExprPtr& e : operands) {
    if (isLiteral(e)) {
      floatLiteral = floatLiteral || isFloat(e->type);
      continue;
    }
    t = typed ? promote(t, e->type) : e->type;
    typed = true;
  }
  if (!typed) return floatLiteral ? ScalarType::F32 : ScalarType::I32;
  if (floatLiteral && !isFloat(t)) return ScalarType::F32;
  return t;
}

ExprPtr ExprBuilder::convert(const ExprPtr& e, ScalarType type) const {
  if (!e) return nullptr;
  if (isLiteral(e)) {
    if (type == ScalarType::F32 && std::fabs(constAsDouble(*e)) > 3.4028234663852886e38) {
      error(e->loc, fmt::format("the number {} does not fit in f32 (use f64)", constAsDouble(*e)));
      return nullptr;
    }
    if (isFloat(type)) return typedConst(type, 0, constAsDouble(*e), e->loc);
    if (isFloat(e->type)) {
      error(e->loc, fmt::format("the number {} cannot be used as {} without a cast", e->floatValue, toString(type)));
      return nullptr;
    }
    if (type == ScalarType::Bool) {
      error(e->loc, "an integer cannot be used as bool; compare it instead, e.g. 'v != 0'");
      return nullptr;
    }
    if (!fitsIn(e->intValue, type)) {
      error(e->loc, fmt::format("integer literal {} does not fit in {} (range {} to {})", e->intValue, toString(type),
                                minOf(type), maxOf(type)));
      return nullptr;
    }
    return typedConst(type, e->intValue, 0, e->loc);
  }
  if (e->type == type) return e;
  return cast(type, e, e->loc);
}

ExprPtr ExprBuilder::cast(ScalarType type, const ExprPtr& e, SourceLoc loc) const {
  if (!e) return nullptr;
  if (e->kind == ExprKind::Const) {
    const ExprPtr& in = e;
    if (isFloat(type)) return typedConst(type, 0, constAsDouble(*in), loc);
    if (type == ScalarType::Bool) return typedConst(type, constAsDouble(*in) != 0, 0, loc);
    if (isFloat(in->type)) {
      double v = std::trunc(in->floatValue);
      if (!std::isfinite(v) || std::fabs(v) > 9.0e18) {
        error(loc, fmt::format("the constant {} is out of range for {}", in->floatValue, toString(type)));
        return nullptr;
      }
      return typedConst(type, static_cast<int64_t>(v), 0, loc);
    }
    return typedConst(type, in->intValue, 0, loc);
  }
  if (e->type == type) return e;
  return make(ExprKind::Cast, type, loc, {e});
}

ExprPtr ExprBuilder::saturatingCast(ScalarType type, const ExprPtr& e, SourceLoc loc) const {
  if (!e) return nullptr;
  if (e->kind == ExprKind::Const) {
    double v = isFloat(e->type) ? roundHalfEven(e->floatValue) : static_cast<double>(e->intValue);
    if (std::isnan(v)) v = 0;
    v = std::min(std::max(v, static_cast<double>(minOf(type))), static_cast<double>(maxOf(type)));
    return typedConst(type, static_cast<int64_t>(v), 0, loc);
  }
  return make(ExprKind::SatCast, type, loc, {e});
}

ExprPtr ExprBuilder::unary(ir::UnaryOp op, const ExprPtr& e, SourceLoc loc) const {
  if (!e) return nullptr;
  if (op == ir::UnaryOp::Not) {
    if (e->type != ScalarType::Bool || isLiteral(e)) {
      error(loc, fmt::format("'!' needs a bool operand, found {}", isLiteral(e) ? "a number" : toString(e->type)));
      return nullptr;
    }
    if (isConst(e)) return boolConst(e->intValue == 0, loc);
    auto out = make(ExprKind::Unary, ScalarType::Bool, loc, {e});
    std::const_pointer_cast<Expr>(out)->unaryOp = ir::UnaryOp::Not;
    return out;
  }
  if (e->type == ScalarType::Bool && !isLiteral(e)) {
    error(loc, "'-' needs a number, found bool");
    return nullptr;
  }
  if (isConst(e)) {
    if (isLiteral(e) && !isFloat(e->type) && e->intValue == INT64_MIN) {
      error(loc, "integer overflow in a constant expression (the limit is 64 bits)");
      return nullptr;
    }
    auto out = std::make_shared<Expr>(*e);
    out->loc = loc;
    if (isFloat(e->type)) out->floatValue = -e->floatValue;
    else out->intValue = isLiteral(e) ? -e->intValue : wrapInteger(-e->intValue, e->type);
    return out;
  }
  auto out = make(ExprKind::Unary, e->type, loc, {e});
  std::const_pointer_cast<Expr>(out)->unaryOp = op;
  return out;
}

namespace {

bool isComparison(ir::BinaryOp op) {
  switch (op) {
    case ir::BinaryOp::Lt:
    case ir::BinaryOp::Le:
    case ir::BinaryOp::Gt:
    case ir::BinaryOp::Ge:
    case ir::BinaryOp::Eq:
    case ir::BinaryOp::Ne: return true;
    default: return false;
  }
}

}  // namespace

ExprPtr ExprBuilder::binary(ir::BinaryOp op, const ExprPtr& a, const ExprPtr& b, SourceLoc loc) const {
  if (!a || !b) return nullptr;
  bool logical = op == ir::BinaryOp::And || op == ir::BinaryOp::Or;
  bool boolA = a->type == ScalarType::Bool && !isLiteral(a);
  bool boolB = b->type == ScalarType::Bool && !isLiteral(b);
  if (logical) {
    if (!boolA || !boolB) {
      error(loc, fmt::format("'{}' needs bool operands, found {} and {}", ir::toString(op), boolA ? "bool" : isLiteral(a) ? "a number" : toString(a->type),
                             boolB ? "bool" : isLiteral(b) ? "a number" : toString(b->type)));
      return nullptr;
    }
    if (isConst(a) && isConst(b)) {
      return boolConst(op == ir::BinaryOp::And ? (a->intValue && b->intValue) : (a->intValue || b->intValue), loc);
    }
    return [&] {
      auto e = make(ExprKind::Binary, ScalarType::Bool, loc, {a, b});
      std::const_pointer_cast<Expr>(e)->binaryOp = op;
      return e;
    }();
  }
  bool equality = op == ir::BinaryOp::Eq || op == ir::BinaryOp::Ne;
  if ((boolA || boolB) && !(equality && boolA && boolB)) {
    error(loc, fmt::format("'{}' cannot be applied to bool; convert it first, e.g. u8(flag)", ir::toString(op)));
    return nullptr;
  }
  ScalarType t = commonType(a, b);
  bool bothLiterals = isLiteral(a) && isLiteral(b);
  ExprPtr ca = bothLiterals ? a : convert(a, t);
  ExprPtr cb = bothLiterals ? b : convert(b, t);
  if (!ca || !cb) return nullptr;
  ScalarType result = isComparison(op) ? ScalarType::Bool : t;

  if (isConst(ca) && isConst(cb)) {
    bool literal = bothLiterals && !isComparison(op);
    if (isFloat(t)) {
      double x = constAsDouble(*ca), y = constAsDouble(*cb), r = 0;
      switch (op) {
        case ir::BinaryOp::Add: r = x + y; break;
        case ir::BinaryOp::Sub: r = x - y; break;
        case ir::BinaryOp::Mul: r = x * y; break;
        case ir::BinaryOp::Div: r = x / y; break;
        case ir::BinaryOp::Mod: r = x - y * std::floor(x / y); break;
        case ir::BinaryOp::Min: r = std::min(x, y); break;
        case ir::BinaryOp::Max: r = std::max(x, y); break;
        case ir::BinaryOp::Lt: return boolConst(x < y, loc);
        case ir::BinaryOp::Le: return boolConst(x <= y, loc);
        case ir::BinaryOp::Gt: return boolConst(x > y, loc);
        case ir::BinaryOp::Ge: return boolConst(x >= y, loc);
        case ir::BinaryOp::Eq: return boolConst(x == y, loc);
        case ir::BinaryOp::Ne: return boolConst(x != y, loc);
        case ir::BinaryOp::And:
        case ir::BinaryOp::Or: break;
      }
      return literal ? floatLiteral(r, loc) : typedConst(t, 0, r, loc);
    }
    int64_t x = ca->intValue, y = cb->intValue, r = 0;
    // Literal arithmetic happens in 64 bits; typed arithmetic wraps in the type. Overflow of
    // 64-bit literal arithmetic is done in unsigned arithmetic to stay defined.
    auto u = [](int64_t v) { return static_cast<uint64_t>(v); };
    bool overflow = false;
    switch (op) {
      case ir::BinaryOp::Add:
        overflow = __builtin_add_overflow(x, y, &r);
        if (!literal) r = static_cast<int64_t>(u(x) + u(y));
        break;
      case ir::BinaryOp::Sub:
        overflow = __builtin_sub_overflow(x, y, &r);
        if (!literal) r = static_cast<int64_t>(u(x) - u(y));
        break;
      case ir::BinaryOp::Mul:
        overflow = __builtin_mul_overflow(x, y, &r);
        if (!literal) r = static_cast<int64_t>(u(x) * u(y));
        break;
      case ir::BinaryOp::Div:
      case ir::BinaryOp::Mod:
        if (y == 0) {
          error(loc, "division by zero in a constant expression");
          return nullptr;
        }
        if (x == INT64_MIN && y == -1) {
          overflow = op == ir::BinaryOp::Div;
          r = op == ir::BinaryOp::Div ? INT64_MIN : 0;
        } else {
          r = op == ir::BinaryOp::Div ? euclideanDiv(x, y) : euclideanMod(x, y);
        }
        break;
      case ir::BinaryOp::Min: r = std::min(x, y); break;
      case ir::BinaryOp::Max: r = std::max(x, y); break;
      case ir::BinaryOp::Lt: return boolConst(x < y, loc);
      case ir::BinaryOp::Le: return boolConst(x <= y, loc);
      case ir::BinaryOp::Gt: return boolConst(x > y, loc);
      case ir::BinaryOp::Ge: return boolConst(x >= y, loc);
      case ir::BinaryOp::Eq: return boolConst(x == y, loc);
      case ir::BinaryOp::Ne: return boolConst(x != y, loc);
      case ir::BinaryOp::And:
      case ir::BinaryOp::Or: break;
    }
    // Typed arithmetic wraps like the machine does; literal arithmetic has no type to wrap in.
    if (literal && overflow) {
      error(loc, "integer overflow in a constant expression (the limit is 64 bits)");
      return nullptr;
    }
    return literal ? intLiteral(r, loc) : typedConst(t, r, 0, loc);
  }
  auto e = make(ExprKind::Binary, result, loc, {settle(ca), settle(cb)});
  if (!e->args[0] || !e->args[1]) return nullptr;
  std::const_pointer_cast<Expr>(e)->binaryOp = op;
  return e;
}

ExprPtr ExprBuilder::select(const ExprPtr& c, const ExprPtr& a, const ExprPtr& b, SourceLoc loc) const {
  if (!c || !a || !b) return nullptr;
  if (c->type != ScalarType::Bool || isLiteral(c)) {
    error(c->loc, fmt::format("the condition of select() must be bool, found {}", isLiteral(c) ? "a number" : toString(c->type)));
    return nullptr;
  }
  ScalarType t = commonType(a, b);
  ExprPtr ca = convert(a, t), cb = convert(b, t);
  if (!ca || !cb) return nullptr;
  if (isConst(c)) return c->intValue ? (isLiteral(a) && isLiteral(b) ? a : ca) : (isLiteral(a) && isLiteral(b) ? b : cb);
  return make(ExprKind::Select, t, loc, {c, ca, cb});
}

ExprPtr ExprBuilder::toFloat(const ExprPtr& e) const {
  if (!e) return nullptr;
  if (isFloat(e->type) && !isLiteral(e)) return e;
  return convert(e, ScalarType::F32);
}

ExprPtr ExprBuilder::intrinsic(ir::Intrinsic op, std::vector<ExprPtr> args, SourceLoc loc, const std::string& name) const {
  for (const ExprPtr& a : args) {
    if (!a) return nullptr;
    if (a->type == ScalarType::Bool && !isLiteral(a)) {
      error(a->loc, fmt::format("{}() needs numbers, found bool", name));
      return nullptr;
    }
  }
  auto build = [&](ScalarType type, std::vector<ExprPtr> operands) -> ExprPtr {
    for (const ExprPtr& o : operands) {
      if (!o) return nullptr;
    }
    auto e = make(ExprKind::Intrinsic, type, loc, std::move(operands));
    std::const_pointer_cast<Expr>(e)->intrinsic = op;
    return e;
  };
  switch (op) {
    case ir::Intrinsic::Abs: {
      ExprPtr a = settle(args[0]);
      if (!a) return nullptr;
      return build(isInteger(a->type) ? unsignedOf(a->type) : a->type, {a});
    }
    case ir::Intrinsic::Sqrt:
    case ir::Intrinsic::Exp:
    case ir::Intrinsic::Log:
    case ir::Intrinsic::Sin:
    case ir::Intrinsic::Cos:
    case ir::Intrinsic::Tan:
    case ir::Intrinsic::Floor:
    case ir::Intrinsic::Ceil:
    case ir::Intrinsic::Round: {
      ExprPtr a = toFloat(args[0]);
      if (!a) return nullptr;
      return build(a->type, {a});
    }
    case ir::Intrinsic::Pow:
    case ir::Intrinsic::Atan2: {
      ScalarType t = commonType(args[0], args[1]);
      if (!isFloat(t)) t = ScalarType::F32;
      ExprPtr a = convert(args[0], t), b = convert(args[1], t);
      return build(t, {a, b});
    }
    case ir::Intrinsic::Clamp: {
      ScalarType t = commonTypeOf(args);
      return build(t, {convert(args[0], t), convert(args[1], t), convert(args[2], t)});
    }
    case ir::Intrinsic::Lerp: {
      ScalarType t = commonType(args[0], args[1]);
      if (isLiteral(args[0]) && isLiteral(args[1])) t = ScalarType::F32;
      if (t == ScalarType::Bool) {
        error(loc, "lerp() needs numbers, found bool");
        return nullptr;
      }
      ExprPtr w = args[2];
      if (!isFloat(w->type)) {
        error(w->loc, fmt::format("the weight of lerp() must be a float, found {}", isLiteral(w) ? "an integer" : toString(w->type)));
        return nullptr;
      }
      ScalarType wt = isFloat(t) ? t : (isLiteral(w) ? ScalarType::F32 : w->type);
      return build(t, {convert(args[0], t), convert(args[1], t), convert(w, wt)});
    }
  }
  return nullptr;
}

}  // namespace fovea
