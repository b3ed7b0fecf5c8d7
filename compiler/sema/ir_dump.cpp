// A readable text form of the checked IR, for `fovea check --dump-ir` and tests.
#include <fmt/format.h>

#include "sema/ir.h"

namespace fovea::ir {
namespace {

}  // namespace

const char* toString(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: return "+";
    case BinaryOp::Sub: return "-";
    case BinaryOp::Mul: return "*";
    case BinaryOp::Div: return "/";
    case BinaryOp::Mod: return "%";
    case BinaryOp::Min: return "min";
    case BinaryOp::Max: return "max";
    case BinaryOp::Lt: return "<";
    case BinaryOp::Le: return "<=";
    case BinaryOp::Gt: return ">";
    case BinaryOp::Ge: return ">=";
    case BinaryOp::Eq: return "==";
    case BinaryOp::Ne: return "!=";
    case BinaryOp::And: return "&&";
    case BinaryOp::Or: return "||";
  }
  return "?";
}

namespace {

const char* intrinsicName(Intrinsic i) {
  switch (i) {
    case Intrinsic::Abs: return "abs";
    case Intrinsic::Sqrt: return "sqrt";
    case Intrinsic::Exp: return "exp";
    case Intrinsic::Log: return "log";
    case Intrinsic::Pow: return "pow";
    case Intrinsic::Sin: return "sin";
    case Intrinsic::Cos: return "cos";
    case Intrinsic::Tan: return "tan";
    case Intrinsic::Atan2: return "atan2";
    case Intrinsic::Floor: return "floor";
    case Intrinsic::Ceil: return "ceil";
    case Intrinsic::Round: return "round";
    case Intrinsic::Lerp: return "lerp";
    case Intrinsic::Clamp: return "clamp";
  }
  return "?";
}

struct Printer {
  const Pipeline& p;
  const Stage* stage = nullptr;
  const Definition* def = nullptr;

  std::string args(const std::vector<ExprPtr>& as, size_t from = 0) const {
    std::string out;
    for (size_t i = from; i < as.size(); ++i) out += (i > from ? ", " : "") + print(*as[i]);
    return out;
  }

  std::string print(const Expr& e) const {
    switch (e.kind) {
      case ExprKind::Const:
        if (e.type == ScalarType::Bool) return e.intValue ? "true" : "false";
        if (isFloat(e.type)) return fmt::format("{}:{}", e.floatValue, toString(e.type));
        return fmt::format("{}:{}", e.intValue, toString(e.type));
      case ExprKind::Var:
        return stage && e.index < static_cast<int>(stage->dims.size()) ? stage->dims[e.index] : fmt::format("v{}", e.index);
      case ExprKind::RVar:
        return def && def->domain ? fmt::format("{}.{}", def->domain->name, def->domain->dimNames[e.index]) : fmt::format("r{}", e.index);
      case ExprKind::Param: return p.params[e.index].name;
      case ExprKind::Extent: return fmt::format("{}.extent({})", p.inputs[e.index].name, e.dim);
      case ExprKind::Call: return fmt::format("{}({})", p.stages[e.index].name, args(e.args));
      case ExprKind::Cast: return fmt::format("{}({})", toString(e.type), args(e.args));
      case ExprKind::SatCast: return fmt::format("{}_sat({})", toString(e.type), args(e.args));
      case ExprKind::Unary: return fmt::format("{}{}", e.unaryOp == UnaryOp::Neg ? "-" : "!", print(*e.args[0]));
      case ExprKind::Binary:
        if (e.binaryOp == BinaryOp::Min || e.binaryOp == BinaryOp::Max) return fmt::format("{}({})", toString(e.binaryOp), args(e.args));
        return fmt::format("({} {} {})", print(*e.args[0]), toString(e.binaryOp), print(*e.args[1]));
      case ExprKind::Select: return fmt::format("select({})", args(e.args));
      case ExprKind::Intrinsic: return fmt::format("{}({})", intrinsicName(e.intrinsic), args(e.args));
    }
    return "?";
  }
};

}  // namespace

std::string dump(const Expr& e, const Pipeline& p) { return Printer{p}.print(e); }

std::string dump(const Pipeline& p) {
  std::string out = fmt::format("pipeline {}\n", p.name);
  for (const Input& in : p.inputs) out += fmt::format("  input {}: {}[{}]\n", in.name, toString(in.type), fmt::join(in.dims, ", "));
  for (const Param& param : p.params) {
    out += fmt::format("  param {}: {}", param.name, toString(param.type));
    if (param.defaultValue) out += " = " + dump(*param.defaultValue, p);
    if (param.min && param.max) out += fmt::format(" in [{}, {}]", dump(*param.min, p), dump(*param.max, p));
    out += '\n';
  }
  for (const Stage& s : p.stages) {
    Printer printer{p, &s, &s.pure};
    switch (s.kind) {
      case StageKind::Input: continue;
      case StageKind::Boundary:
        out += fmt::format("  stage {}: {}[{}] = boundary({}, {}{})\n", s.name, toString(s.type), fmt::join(s.dims, ", "),
                           s.input >= 0 ? p.inputs[s.input].name : p.stages[s.pure.value->index].name, toString(s.boundary), s.boundaryValue ? "(" + dump(*s.boundaryValue, p) + ")" : "");
        continue;
      case StageKind::Model: {
        std::string args;
        for (int a : s.modelArgs) args += (args.empty() ? "" : ", ") + p.stages[a].name;
        out += fmt::format("  stage {}: {}[{}] = model {}({})\n", s.name, toString(s.type), fmt::join(s.dims, ", "), p.models[s.model].name, args);
        continue;
      }
      case StageKind::Computed:
        out += fmt::format("  stage {}: {}[{}] = {}\n", s.name, toString(s.type), fmt::join(s.dims, ", "), printer.print(*s.pure.value));
        for (const Definition& u : s.updates) {
          Printer up{p, &s, &u};
          out += fmt::format("    update {}({}) = {}", s.name, up.args(u.lhs), up.print(*u.value));
          if (u.domain) {
            out += fmt::format(" over {} in [", u.domain->name);
            for (size_t i = 0; i < u.domain->mins.size(); ++i) {
              out += fmt::format("{}{} extent {}", i ? ", " : "", up.print(*u.domain->mins[i]), up.print(*u.domain->extents[i]));
            }
            out += "]";
          }
          out += '\n';
        }
        continue;
    }
  }
  for (const Output& o : p.outputs) {
    std::string size;
    for (size_t i = 0; i < o.size.size(); ++i) size += (i ? ", " : "") + (o.size[i] ? dump(*o.size[i], p) : std::string("?"));
    out += fmt::format("  output {}: {}[{}] size ({}) = {}\n", o.name, toString(o.type), fmt::join(o.dims, ", "), size,
                       o.stage >= 0 ? p.stages[o.stage].name : "?");
  }
  return out;
}

}  // namespace fovea::ir
