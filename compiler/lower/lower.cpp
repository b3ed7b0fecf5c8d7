#include "lower/lower.h"

#include <functional>
#include <set>

#include <fmt/format.h>

namespace fovea {
namespace {

using Halide::Expr;

/// What a definition's expressions refer to.
struct DefinitionScope {
  const std::vector<Halide::Var>* vars = nullptr;
  const Halide::RDom* domain = nullptr;
};

/// A Func with exactly this name. (Halide::Func(name) appends "$N" when the process has made a
/// Func of that name before, so a second lowering of a pipeline, e.g. for another variant of a fat
/// library, would name its output buffers differently in the C header; names only need to be
/// unique within one pipeline, which lowering ensures.)
Halide::Func exactlyNamed(const std::string& name) { return Halide::Func(Halide::Internal::Function(name)); }

class Lowerer {
 public:
  Lowerer(const ir::Pipeline& p, DiagnosticEngine& diags, std::string function)
      : p_(p), diags_(diags), function_(function.empty() ? p.name : std::move(function)) {}

  std::optional<LoweredPipeline> run() {
    LoweredPipeline out;
    out.name = p_.name;
    out_ = &out;
    // The C function of a fat library is named after its first output Func: that Func takes the
    // pipeline's name, reserved before anything else can claim it.
    // The pipeline's own name is reserved too: it is the first output's name in schedules, whatever
    // the C function is called (--function), so that a schedule file applies under either name.
    std::set<std::string> names = {halideName(function_), halideName(p_.name)};
    auto unique = [&](const std::string& base) {
      std::string name = halideName(base);
      for (int k = 2; !names.insert(name).second; ++k) name = fmt::format("{}_{}", halideName(base), k);
      return name;
    };
    for (const ir::Input& in : p_.inputs) {
      Halide::ImageParam image(halideType(in.type), static_cast<int>(in.dims.size()), unique(in.name));
      // Interleaved (channel-innermost) buffers, as OpenCV stores them, are accepted as they are.
      image.dim(0).set_stride(Expr());
      out.inputs.push_back(image);
    }
    for (const ir::Param& param : p_.params) {
      Halide::Param<> hp(halideType(param.type), unique(param.name));
      if (param.min && param.max) hp.set_range(constant(*param.min), constant(*param.max));
      if (param.defaultValue) hp.parameter().set_estimate(constant(*param.defaultValue));
      out.params.push_back(hp);
    }
    for (const ir::Argument& a : p_.arguments) {
      out.arguments.push_back(a.isBuffer ? Halide::Argument(out.inputs[a.index]) : Halide::Argument(out.params[a.index]));
    }
    // Output Funcs are named after the outputs: the names of the C signature's output buffers.
    std::vector<std::string> funcNames(p_.stages.size());
    std::vector<int> returnedAs(p_.stages.size(), -1);
    for (size_t o = 0; o < p_.outputs.size(); ++o) {
      int s = p_.outputs[o].stage;
      if (s >= 0 && p_.stages[s].kind == ir::StageKind::Computed && returnedAs[s] < 0) returnedAs[s] = static_cast<int>(o);
    }
    std::vector<std::string> outputNames;
    for (size_t o = 0; o < p_.outputs.size(); ++o) outputNames.push_back(o == 0 ? halideName(function_) : unique(p_.outputs[o].name));
    for (size_t s = 0; s < p_.stages.size(); ++s) {
      if (p_.stages[s].kind == ir::StageKind::Input) continue;
      funcNames[s] = returnedAs[s] >= 0 ? outputNames[returnedAs[s]] : unique(p_.stages[s].name);
    }

    out.stageNames = funcNames;
    out.outputNames = outputNames;
    if (!p_.outputs.empty()) {
      out.outputNames[0] = halideName(p_.name);
      int s0 = p_.outputs[0].stage;
      if (s0 >= 0 && returnedAs[s0] == 0) out.stageNames[s0] = out.outputNames[0];
    }
    out.stages.resize(p_.stages.size());
    for (size_t s = 0; s < p_.stages.size(); ++s) {
      if (p_.stages[s].kind != ir::StageKind::Input) out.stages[s] = exactlyNamed(funcNames[s]);
    }
    // Halide needs a Func defined before a definition calls it: define producers first. (A stage
    // may be created after a consumer whose update reads it, so index order is not enough.)
    for (int s : definitionOrder()) {
      if (!defineStage(s, out)) return std::nullopt;
    }
    for (size_t o = 0; o < p_.outputs.size(); ++o) {
      int s = p_.outputs[o].stage;
      if (s < 0) return std::nullopt;
      if (returnedAs[s] == static_cast<int>(o)) {
        out.outputs.push_back(out.stages[s]);
        continue;
      }
      // An input, a boundary stage or a stage returned twice gets a copy of its own.
      Halide::Func copy = exactlyNamed(outputNames[o]);
      std::vector<Halide::Var> vars = varsFor(p_.stages[s]);
      std::vector<Expr> args(vars.begin(), vars.end());
      if (p_.stages[s].kind == ir::StageKind::Input) copy(vars) = out.inputs[p_.stages[s].input](args);
      else copy(vars) = out.stages[s](args);
      out.outputs.push_back(copy);
    }
    for (Halide::Func& f : out.outputs) {
      f.output_buffer().dim(0).set_stride(Expr());  // interleaved outputs too
    }
    return out;
  }

 private:
  std::vector<int> definitionOrder() const {
    std::vector<int> order;
    std::vector<bool> visited(p_.stages.size(), false);
    std::function<void(int)> visit = [&](int s) {
      if (visited[s]) return;
      visited[s] = true;
      auto calls = [&](const ir::ExprPtr& e) {
        ir::visit(e, [&](const ir::Expr& n) {
          if (n.kind == ir::ExprKind::Call && n.index != s) visit(n.index);
          return true;
        });
      };
      const ir::Stage& st = p_.stages[s];
      calls(st.pure.value);
      for (const ir::Definition& u : st.updates) {
        calls(u.value);
        for (const ir::ExprPtr& a : u.lhs) calls(a);
        if (u.domain) {
          for (const ir::ExprPtr& m : u.domain->mins) calls(m);
          for (const ir::ExprPtr& x : u.domain->extents) calls(x);
        }
      }
      order.push_back(s);
    };
    for (size_t s = 0; s < p_.stages.size(); ++s) visit(static_cast<int>(s));
    return order;
  }

  static std::vector<Halide::Var> varsFor(const ir::Stage& s) {
    std::vector<Halide::Var> vars;
    // Halide reserves `_0`, `_1`, ... for implicit variables.
    for (const std::string& d : s.dims) vars.emplace_back(d[0] == '_' ? "v" + halideName(d) : halideName(d));
    return vars;
  }

  Expr constant(const ir::Expr& e) const {
    if (e.type == ScalarType::Bool) return e.intValue ? Halide::Internal::const_true() : Halide::Internal::const_false();
    if (isFloat(e.type)) return Halide::Internal::make_const(halideType(e.type), e.floatValue);
    return Halide::Internal::make_const(halideType(e.type), e.intValue);
  }

  Expr call(const ir::Expr& e, const DefinitionScope& scope) const {
    std::vector<Expr> args;
    for (const ir::ExprPtr& a : e.args) args.push_back(lower(*a, scope));
    const ir::Stage& s = p_.stages[e.index];
    if (s.kind == ir::StageKind::Input) return out_->inputs[s.input](args);
    return out_->stages[e.index](args);
  }

  Expr lower(const ir::Expr& e, const DefinitionScope& scope) const {
    auto arg = [&](size_t i) { return lower(*e.args[i], scope); };
    switch (e.kind) {
      case ir::ExprKind::Const: return constant(e);
      case ir::ExprKind::Var: return (*scope.vars)[e.index];
      case ir::ExprKind::RVar: return (*scope.domain)[e.index];
      case ir::ExprKind::Param: return out_->params[e.index];
      case ir::ExprKind::Extent: return out_->inputs[e.index].dim(e.dim).extent();
      case ir::ExprKind::Call: return call(e, scope);
      case ir::ExprKind::Cast: return Halide::cast(halideType(e.type), arg(0));
      case ir::ExprKind::SatCast: {
        Expr v = arg(0);
        // OpenCV's saturate_cast: round half to even (Halide's round), then clamp.
        if (v.type().is_float()) v = Halide::round(v);
        return Halide::saturating_cast(halideType(e.type), v);
      }
      case ir::ExprKind::Unary: return e.unaryOp == ir::UnaryOp::Neg ? -arg(0) : !arg(0);
      case ir::ExprKind::Binary: return binary(e.binaryOp, arg(0), arg(1));
      case ir::ExprKind::Select: return Halide::select(arg(0), arg(1), arg(2));
      case ir::ExprKind::Intrinsic: return intrinsic(e, scope);
    }
    FOVEA_ASSERT(false, "unhandled IR expression kind");
  }

  static Expr binary(ir::BinaryOp op, const Expr& a, const Expr& b) {
    switch (op) {
      case ir::BinaryOp::Add: return a + b;
      case ir::BinaryOp::Sub: return a - b;
      case ir::BinaryOp::Mul: return a * b;
      case ir::BinaryOp::Div: return a / b;
      case ir::BinaryOp::Mod: return a % b;
      case ir::BinaryOp::Min: return Halide::min(a, b);
      case ir::BinaryOp::Max: return Halide::max(a, b);
      case ir::BinaryOp::Lt: return a < b;
      case ir::BinaryOp::Le: return a <= b;
      case ir::BinaryOp::Gt: return a > b;
      case ir::BinaryOp::Ge: return a >= b;
      case ir::BinaryOp::Eq: return a == b;
      case ir::BinaryOp::Ne: return a != b;
      case ir::BinaryOp::And: return a && b;
      case ir::BinaryOp::Or: return a || b;
    }
    FOVEA_ASSERT(false, "unhandled binary operator");
  }

  Expr intrinsic(const ir::Expr& e, const DefinitionScope& scope) const {
    auto arg = [&](size_t i) { return lower(*e.args[i], scope); };
    switch (e.intrinsic) {
      case ir::Intrinsic::Abs: return Halide::abs(arg(0));
      case ir::Intrinsic::Sqrt: return Halide::sqrt(arg(0));
      case ir::Intrinsic::Exp: return Halide::exp(arg(0));
      case ir::Intrinsic::Log: return Halide::log(arg(0));
      case ir::Intrinsic::Pow: return Halide::pow(arg(0), arg(1));
      case ir::Intrinsic::Sin: return Halide::sin(arg(0));
      case ir::Intrinsic::Cos: return Halide::cos(arg(0));
      case ir::Intrinsic::Tan: return Halide::tan(arg(0));
      case ir::Intrinsic::Atan2: return Halide::atan2(arg(0), arg(1));
      case ir::Intrinsic::Floor: return Halide::floor(arg(0));
      case ir::Intrinsic::Ceil: return Halide::ceil(arg(0));
      case ir::Intrinsic::Round: return Halide::round(arg(0));
      case ir::Intrinsic::Lerp: return Halide::lerp(arg(0), arg(1), arg(2));
      case ir::Intrinsic::Clamp: return Halide::clamp(arg(0), arg(1), arg(2));
    }
    FOVEA_ASSERT(false, "unhandled intrinsic");
  }

  /// `u` modulo `p` (p >= 1), in 0 .. p-1, without an integer division: vector code has none, and
  /// Halide would divide lane by lane, with the divisor known only at run time. The quotient comes
  /// from a float division (exact enough for any pixel coordinate, |u| < 2^24: off by at most one,
  /// which the two selects correct). With `u % p` in every edge iteration, a 7x7 box with a
  /// reflect101 border ran 1.6 ms and compiled in 14 s, against 0.5 ms and 3 s with a clamped one.
  static Expr positiveMod(const Expr& u, const Expr& p) {
    Expr q = Halide::cast<int32_t>(Halide::floor(Halide::cast<float>(u) / Halide::cast<float>(p)));
    Expr r = u - q * p;
    r = Halide::select(r < 0, r + p, r);
    return Halide::select(r >= p, r - p, r);
  }

  /// The read of the input through a boundary condition, at `vars`: every dimension's index is
  /// mapped into the image (edge: clamped; wrap: repeated; reflect: mirrored with the edge pixel
  /// repeated, abc|cba; reflect101: mirrored about the edge pixel, abc|ba) or, for a constant
  /// border, the value outside. Written out here rather than with Halide::BoundaryConditions, whose
  /// helper Funcs would be stages no schedule can name. Inside the image the index is the clamp of
  /// `likely(x)`, so Halide splits the loops into an interior without the boundary arithmetic and
  /// edges with it.
  Expr boundaryRead(const ir::Stage& s, const std::vector<Halide::Var>& vars) {
    // The source is a pipeline input (an ImageParam, whose min need not be 0) or a computed stage
    // of known extents from 0; a dimension of unknown extent is read as it is.
    const ir::Stage& src = p_.stages[s.pure.value->index];
    const Halide::ImageParam* image = src.kind == ir::StageKind::Input ? &out_->inputs[src.input] : nullptr;
    std::vector<Expr> index;
    Expr outside = Halide::Internal::const_false();
    for (size_t d = 0; d < vars.size(); ++d) {
      Expr v = vars[d], lo, n;
      if (image) {
        lo = image->dim(static_cast<int>(d)).min();
        n = image->dim(static_cast<int>(d)).extent();
      } else if (d < s.extents.size() && s.extents[d]) {
        lo = 0;
        n = lower(*s.extents[d], DefinitionScope{});
      } else {
        index.push_back(v);
        continue;
      }
      Expr hi = lo + n - 1;
      Expr inside = Halide::clamp(Halide::likely(v), lo, hi);
      Expr out = v < lo || v > hi;
      Expr t;  // zero-based index outside the image
      switch (s.boundary) {
        case ir::BoundaryKind::Edge:
        case ir::BoundaryKind::Constant: index.push_back(inside); break;
        case ir::BoundaryKind::Wrap: t = positiveMod(v - lo, n); break;  // 0 .. n-1
        case ir::BoundaryKind::Reflect:
          t = positiveMod(v - lo, 2 * n);          // 0 .. 2n-1
          t = Halide::select(t >= n, 2 * n - 1 - t, t);
          break;
        case ir::BoundaryKind::Reflect101: {
          Expr limit = n - 1;                      // a 1-pixel image: the period is 0, every read is pixel 0
          Expr m = positiveMod(v - lo, Halide::max(2 * limit, 1)) - limit;  // -limit .. limit-1
          t = limit - Halide::select(m < 0, -m, m);
          break;
        }
      }
      if (t.defined()) index.push_back(Halide::select(out, Halide::clamp(t + lo, lo, hi), inside));
      if (s.boundary == ir::BoundaryKind::Constant) outside = outside || out;
    }
    Expr read = image ? Expr((*image)(index)) : Expr(out_->stages[s.pure.value->index](index));
    if (s.boundary == ir::BoundaryKind::Constant) return Halide::select(outside, Halide::cast(read.type(), constant(*s.boundaryValue)), read);
    return read;
  }

  bool defineStage(int index, LoweredPipeline& out) {
    const ir::Stage& s = p_.stages[index];
    Halide::Func& f = out.stages[index];
    SourceLoc where = s.loc;
    try {
      switch (s.kind) {
        case ir::StageKind::Input: return true;
        case ir::StageKind::Boundary: {
          std::vector<Halide::Var> vars = varsFor(s);
          f(vars) = boundaryRead(s, vars);
          return true;
        }
        case ir::StageKind::Computed: break;
        case ir::StageKind::Model: FOVEA_ASSERT(false, "a pipeline with models is split into segments (lower/segments.h) before lowering");
      }
      std::vector<Halide::Var> vars = varsFor(s);
      DefinitionScope pure{&vars, nullptr};
      where = s.pure.loc;
      f(vars) = lower(*s.pure.value, pure);
      for (const ir::Definition& u : s.updates) {
        where = u.loc;
        std::optional<Halide::RDom> domain;
        if (u.domain) {
          Halide::Region region;
          for (size_t d = 0; d < u.domain->mins.size(); ++d) {
            region.emplace_back(lower(*u.domain->mins[d], pure), lower(*u.domain->extents[d], pure));
          }
          domain.emplace(region, halideName(u.domain->name) + "_" + halideName(s.name));
        }
        DefinitionScope scope{&vars, domain ? &*domain : nullptr};
        std::vector<Expr> lhs;
        for (const ir::ExprPtr& a : u.lhs) lhs.push_back(lower(*a, scope));
        Expr value = lower(*u.value, scope);
        if (domain) value = touchUnusedDomainVariables(u, *domain, value);
        f(lhs) = value;
      }
      return true;
    } catch (const Halide::Error& e) {
      diags_.error(where, fmt::format("Halide cannot compile this definition of '{}': {}", s.name, firstLine(e.what())));
      return false;
    }
  }

  /// Halide loops only over the reduction variables a definition mentions, but an update runs
  /// once per point of its domain, whether it reads the variables or not (`s(0) += 1 over r in
  /// [0 .. n]` adds n). A select that is always its value mentions the others.
  static Expr touchUnusedDomainVariables(const ir::Definition& u, const Halide::RDom& domain, Expr value) {
    std::vector<bool> used(domain.dimensions(), false);
    auto mark = [&](const ir::ExprPtr& e) {
      ir::visit(e, [&](const ir::Expr& n) {
        if (n.kind == ir::ExprKind::RVar && n.index >= 0 && n.index < domain.dimensions()) used[n.index] = true;
        return true;
      });
    };
    mark(u.value);
    for (const ir::ExprPtr& a : u.lhs) mark(a);
    for (int d = 0; d < domain.dimensions(); ++d) {
      if (!used[d]) value = Halide::select(domain[d] >= domain[d].min(), value, value);
    }
    return value;
  }

  static std::string firstLine(const std::string& text) {
    std::string t = text;
    if (t.rfind("Error: ", 0) == 0) t = t.substr(7);
    size_t nl = t.find('\n');
    return nl == std::string::npos ? t : t.substr(0, nl);
  }

  const ir::Pipeline& p_;
  DiagnosticEngine& diags_;
  std::string function_;
  LoweredPipeline* out_ = nullptr;
};

}  // namespace

void bindParam(Halide::ParamMap& map, const Halide::Param<>& p, ScalarType t, double v) {
  switch (t) {
    case ScalarType::Bool: map.set(Halide::Param<bool>(p), v != 0); return;
    case ScalarType::U8: map.set(Halide::Param<uint8_t>(p), static_cast<uint8_t>(v)); return;
    case ScalarType::U16: map.set(Halide::Param<uint16_t>(p), static_cast<uint16_t>(v)); return;
    case ScalarType::U32: map.set(Halide::Param<uint32_t>(p), static_cast<uint32_t>(v)); return;
    case ScalarType::I8: map.set(Halide::Param<int8_t>(p), static_cast<int8_t>(v)); return;
    case ScalarType::I16: map.set(Halide::Param<int16_t>(p), static_cast<int16_t>(v)); return;
    case ScalarType::I32: map.set(Halide::Param<int32_t>(p), static_cast<int32_t>(v)); return;
    case ScalarType::F32: map.set(Halide::Param<float>(p), static_cast<float>(v)); return;
    case ScalarType::F64: map.set(Halide::Param<double>(p), v); return;
  }
}

Halide::Type halideType(ScalarType t) {
  switch (t) {
    case ScalarType::Bool: return Halide::Bool();
    case ScalarType::U8: return Halide::UInt(8);
    case ScalarType::U16: return Halide::UInt(16);
    case ScalarType::U32: return Halide::UInt(32);
    case ScalarType::I8: return Halide::Int(8);
    case ScalarType::I16: return Halide::Int(16);
    case ScalarType::I32: return Halide::Int(32);
    case ScalarType::F32: return Halide::Float(32);
    case ScalarType::F64: return Halide::Float(64);
  }
  return Halide::Int(32);
}

std::string halideName(const std::string& name) {
  std::string out;
  for (char c : name) out.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out.insert(out.begin(), '_');
  return out;
}

Halide::Pipeline LoweredPipeline::pipeline() const { return Halide::Pipeline(outputs); }

std::optional<LoweredPipeline> lowerPipeline(const ir::Pipeline& pipeline, DiagnosticEngine& diags, const std::string& function) {
  try {
    return Lowerer(pipeline, diags, function).run();
  } catch (const Halide::Error& e) {
    diags.error(pipeline.loc, fmt::format("Halide cannot build pipeline '{}': {}", pipeline.name, e.what()));
    return std::nullopt;
  }
}

}  // namespace fovea
