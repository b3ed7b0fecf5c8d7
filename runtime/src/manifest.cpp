#include "manifest.h"

#include <cmath>
#include <cstdint>
#include <string>

#include "fovea/size_rule.hpp"

namespace fovea {
namespace {

std::optional<ElementType> elementType(const std::string& s) {
  static const std::pair<const char*, ElementType> kTypes[] = {
      {"bool", ElementType::Bool}, {"u8", ElementType::U8},   {"u16", ElementType::U16}, {"u32", ElementType::U32}, {"i8", ElementType::I8},
      {"i16", ElementType::I16},   {"i32", ElementType::I32}, {"f32", ElementType::F32}, {"f64", ElementType::F64}};
  for (const auto& [name, t] : kTypes) {
    if (s == name) return t;
  }
  return std::nullopt;
}

struct Reader {
  std::string origin;

  [[noreturn]] void fail(const std::string& what) const { throw Error(origin + ": not a Fovea manifest this runtime can read: " + what); }

  const json::Value& member(const json::Value& v, const char* key, json::Value::Kind kind) const {
    const json::Value* m = v.find(key);
    if (!m || m->kind() != kind) fail(std::string("'") + key + "' is missing or has the wrong type");
    return *m;
  }
  std::string string(const json::Value& v, const char* key) const { return member(v, key, json::Value::Kind::String).asString(); }
  ElementType type(const json::Value& v) const {
    std::string s = string(v, "type");
    std::optional<ElementType> t = elementType(s);
    if (!t) fail("unknown element type '" + s + "'");
    return *t;
  }
  std::vector<std::string> dims(const json::Value& v) const {
    std::vector<std::string> out;
    for (const json::Value& d : member(v, "dims", json::Value::Kind::Array).items()) {
      if (d.kind() != json::Value::Kind::String) fail("a dimension name is not a string");
      out.push_back(d.asString());
    }
    return out;
  }
  std::optional<double> number(const json::Value& v, const char* key) const {
    const json::Value* m = v.find(key);
    if (!m || m->isNull()) return std::nullopt;
    if (m->kind() == json::Value::Kind::Bool) return m->asBool() ? 1.0 : 0.0;
    if (m->kind() != json::Value::Kind::Number) fail(std::string("'") + key + "' is not a number");
    return m->asNumber();
  }
};

/// The arithmetic of one element type.
struct Arith {
  ElementType type;
  bool isFloat() const { return type == ElementType::F32 || type == ElementType::F64; }
  int bits() const {
    switch (type) {
      case ElementType::Bool: return 1;
      case ElementType::U8:
      case ElementType::I8: return 8;
      case ElementType::U16:
      case ElementType::I16: return 16;
      case ElementType::U32:
      case ElementType::I32: return 32;
      case ElementType::F32: return 32;
      case ElementType::F64: return 64;
    }
    return 32;
  }
  bool isSigned() const { return type == ElementType::I8 || type == ElementType::I16 || type == ElementType::I32; }

  /// An integer result wrapped to the type (two's complement), a float rounded to it.
  double fit(double v) const {
    if (type == ElementType::Bool) return v != 0 ? 1 : 0;
    if (type == ElementType::F32) return static_cast<double>(static_cast<float>(v));
    if (type == ElementType::F64) return v;
    return static_cast<double>(wrap(static_cast<uint64_t>(toInt(v))));
  }
  int64_t wrap(uint64_t v) const {
    uint64_t mask = (uint64_t{1} << bits()) - 1;
    v &= mask;
    if (isSigned() && (v >> (bits() - 1)) != 0) return static_cast<int64_t>(v | ~mask);
    return static_cast<int64_t>(v);
  }
  static int64_t toInt(double v) {
    if (!std::isfinite(v) || v >= 9.2233720368547758e18 || v < -9.2233720368547758e18) {
      throw Error("size rule: " + std::to_string(v) + " is not a value an integer holds");
    }
    return static_cast<int64_t>(std::trunc(v));
  }
};

std::optional<ElementType> typeOf(const json::Value& e) {
  const json::Value* t = e.find("type");
  return t && t->kind() == json::Value::Kind::String ? elementType(t->asString()) : std::nullopt;
}

/// Euclidean division and remainder, as the language defines them for integers (x / 0 is 0).
int64_t euclidDiv(int64_t a, int64_t b) {
  if (b == 0) return 0;
  int64_t q = a / b;
  if (a % b < 0) q += b > 0 ? -1 : 1;
  return q;
}

double evaluate(const json::Value& e, const std::vector<double>& params, const std::vector<std::vector<int64_t>>& extents) {
  if (e.kind() != json::Value::Kind::Object) throw Error("malformed size rule (a node is not an object)");
  if (const json::Value* c = e.find("const")) {
    if (c->kind() == json::Value::Kind::Bool) return c->asBool() ? 1 : 0;
    if (c->kind() != json::Value::Kind::Number) throw Error("malformed size rule (a constant is not a number)");
    return c->asNumber();
  }
  if (const json::Value* p = e.find("param")) {
    size_t i = p->kind() == json::Value::Kind::Number && p->asNumber() >= 0 ? static_cast<size_t>(p->asNumber()) : SIZE_MAX;
    if (i >= params.size()) throw Error("size rule reads a parameter the pipeline does not have");
    return params[i];
  }
  if (const json::Value* x = e.find("extent")) {
    if (x->items().size() != 2) throw Error("malformed size rule: extent needs [input, dim]");
    double in = x->items()[0].asNumber(), dim = x->items()[1].asNumber();
    if (in < 0 || dim < 0 || in >= static_cast<double>(extents.size()) || dim >= static_cast<double>(extents[static_cast<size_t>(in)].size())) {
      throw Error("size rule reads an input dimension the pipeline does not have");
    }
    return static_cast<double>(extents[static_cast<size_t>(in)][static_cast<size_t>(dim)]);
  }
  const json::Value* op = e.find("op");
  const json::Value* args = e.find("args");
  std::optional<ElementType> type = typeOf(e);
  if (!op || !args || op->kind() != json::Value::Kind::String || !type) {
    throw Error("malformed size rule (a node has no const, param or extent, or no op, type and args)");
  }
  const std::string& o = op->asString();
  auto need = [&](size_t n) {
    if (args->items().size() != n) throw Error("malformed size rule: '" + o + "' needs " + std::to_string(n) + " operands");
  };
  if (o == "select") {
    need(3);
    return evaluate(args->items()[0], params, extents) != 0 ? evaluate(args->items()[1], params, extents) : evaluate(args->items()[2], params, extents);
  }
  std::vector<double> a;
  for (const json::Value& arg : args->items()) a.push_back(evaluate(arg, params, extents));
  Arith result{*type};
  // Operations happen in the operands' type (the result of a comparison is bool).
  Arith operand{!args->items().empty() ? typeOf(args->items()[0]).value_or(*type) : *type};
  if (o == "cast") {
    need(1);
    if (result.isFloat() || result.type == ElementType::Bool) return result.fit(a[0]);
    return result.fit(static_cast<double>(Arith::toInt(a[0])));
  }
  if (o == "sat_cast") {
    need(1);
    auto [lo, hi] = valueRange(*type);
    if (std::isnan(a[0])) throw Error("size rule: a saturating cast of NaN");
    double v = operand.isFloat() ? std::nearbyint(a[0]) : a[0];  // the default rounding: half to even
    return std::min(std::max(v, lo), hi);
  }
  if (o == "neg") {
    need(1);
    return result.isFloat() ? result.fit(-a[0]) : static_cast<double>(result.wrap(0 - static_cast<uint64_t>(Arith::toInt(a[0]))));
  }
  if (o == "!") return need(1), a[0] == 0 ? 1 : 0;
  need(2);
  if (o == "<") return a[0] < a[1];
  if (o == "<=") return a[0] <= a[1];
  if (o == ">") return a[0] > a[1];
  if (o == ">=") return a[0] >= a[1];
  if (o == "==") return a[0] == a[1];
  if (o == "!=") return a[0] != a[1];
  if (o == "&&") return a[0] != 0 && a[1] != 0;
  if (o == "||") return a[0] != 0 || a[1] != 0;
  if (o == "min") return std::min(a[0], a[1]);
  if (o == "max") return std::max(a[0], a[1]);
  if (operand.isFloat()) {
    if (o == "+") return result.fit(a[0] + a[1]);
    if (o == "-") return result.fit(a[0] - a[1]);
    if (o == "*") return result.fit(a[0] * a[1]);
    if (o == "/") return result.fit(a[0] / a[1]);
    // a - b * floor(a / b), with the multiply-subtract fused, as the compiled code computes it.
    if (o == "%" && result.type == ElementType::F32) {
      float x = static_cast<float>(a[0]), y = static_cast<float>(a[1]);
      return std::fmaf(-y, std::floor(x / y), x);
    }
    if (o == "%") return std::fma(-a[1], std::floor(a[0] / a[1]), a[0]);
  } else {
    // Integers: exact in 64 bits (unsigned, so that overflow wraps), then wrapped to the type.
    int64_t x = Arith::toInt(a[0]), y = Arith::toInt(a[1]);
    uint64_t ux = static_cast<uint64_t>(x), uy = static_cast<uint64_t>(y);
    if (o == "+") return static_cast<double>(result.wrap(ux + uy));
    if (o == "-") return static_cast<double>(result.wrap(ux - uy));
    if (o == "*") return static_cast<double>(result.wrap(ux * uy));
    if (o == "/") return static_cast<double>(result.wrap(static_cast<uint64_t>(euclidDiv(x, y))));
    if (o == "%") return y == 0 ? 0 : static_cast<double>(result.wrap(static_cast<uint64_t>(x - euclidDiv(x, y) * y)));
  }
  throw Error("malformed size rule: unknown operator '" + o + "'");
}

}  // namespace

double evaluateSizeRule(const json::Value& rule, const std::vector<double>& params, const std::vector<std::vector<int64_t>>& inputExtents) {
  return evaluate(rule, params, inputExtents);
}

namespace rt {

Manifest parseManifest(const std::string& text, const std::string& origin) {
  Reader r{origin};
  std::string error;
  std::optional<json::Value> doc = json::parse(text, &error);
  if (!doc) r.fail(error);
  if (r.string(*doc, "format") != "fovea-pipeline-manifest") r.fail("its format is not fovea-pipeline-manifest");
  std::optional<double> version = r.number(*doc, "version");
  if (!version || *version != 1) r.fail("format version " + (version ? std::to_string(static_cast<int>(*version)) : "?") + " (this runtime reads 1)");
  Manifest m;
  m.pipeline = r.string(*doc, "pipeline");
  m.function = r.string(*doc, "function");
  for (const json::Value& a : r.member(*doc, "arguments", json::Value::Kind::Array).items()) {
    ArgumentInfo info;
    std::string kind = r.string(a, "kind");
    if (kind != "input" && kind != "param") r.fail("argument kind '" + kind + "'");
    info.kind = kind == "input" ? ArgumentInfo::Kind::Input : ArgumentInfo::Kind::Param;
    info.name = r.string(a, "name");
    info.type = r.type(a);
    if (info.kind == ArgumentInfo::Kind::Input) {
      info.dims = r.dims(a);
    } else {
      info.defaultValue = r.number(a, "default");
      info.min = r.number(a, "min");
      info.max = r.number(a, "max");
    }
    m.arguments.push_back(std::move(info));
  }
  for (const json::Value& o : r.member(*doc, "outputs", json::Value::Kind::Array).items()) {
    OutputInfo info;
    info.name = r.string(o, "name");
    info.type = r.type(o);
    info.dims = r.dims(o);
    std::vector<json::Value> rules = r.member(o, "size", json::Value::Kind::Array).items();
    if (rules.size() != info.dims.size()) r.fail("output '" + info.name + "' has a size rule per dimension missing");
    if (const json::Value* t = o.find("size_text")) {
      for (const json::Value& s : t->items()) info.sizeText.push_back(s.asString());
    }
    m.sizeRules.push_back(std::move(rules));
    m.outputs.push_back(std::move(info));
  }
  if (const json::Value* t = doc->find("targets")) {
    for (const json::Value& s : t->items()) m.targets.push_back(s.asString());
  }
  if (const json::Value* f = doc->find("files")) m.files = *f;
  if (const json::Value* g = doc->find("graph")) m.graph = *g;
  return m;
}

}  // namespace rt
}  // namespace fovea
