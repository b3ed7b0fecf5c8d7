#include "manifest.h"

#include <cmath>

namespace fovea::rt {
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

int64_t asInt(double v) { return static_cast<int64_t>(v); }

/// Euclidean division and modulo, as the language defines them for integers.
int64_t euclidDiv(int64_t a, int64_t b) {
  if (b == 0) return 0;
  int64_t q = a / b;
  if (a % b < 0) q += b > 0 ? -1 : 1;
  return q;
}

double evaluate(const json::Value& e, const std::vector<double>& params, const std::vector<std::vector<int>>& extents) {
  if (const json::Value* c = e.find("const")) return c->kind() == json::Value::Kind::Bool ? (c->asBool() ? 1 : 0) : c->asNumber();
  if (const json::Value* p = e.find("param")) {
    size_t i = static_cast<size_t>(p->asNumber());
    if (i >= params.size()) throw Error("size rule reads parameter " + std::to_string(i) + ", which the pipeline does not have");
    return params[i];
  }
  if (const json::Value* x = e.find("extent")) {
    if (x->items().size() != 2) throw Error("malformed size rule: extent needs [input, dim]");
    size_t in = static_cast<size_t>(x->items()[0].asNumber()), dim = static_cast<size_t>(x->items()[1].asNumber());
    if (in >= extents.size() || dim >= extents[in].size()) throw Error("size rule reads an input dimension the pipeline does not have");
    return extents[in][dim];
  }
  const json::Value* op = e.find("op");
  const json::Value* args = e.find("args");
  if (!op || !args || op->kind() != json::Value::Kind::String) throw Error("malformed size rule (a node has no const, param, extent or op)");
  std::vector<double> a;
  for (const json::Value& arg : args->items()) a.push_back(evaluate(arg, params, extents));
  const std::string& o = op->asString();
  const json::Value* typeName = e.find("type");
  bool integer = !typeName || (typeName->asString() != "f32" && typeName->asString() != "f64");
  auto need = [&](size_t n) {
    if (a.size() != n) throw Error("malformed size rule: '" + o + "' needs " + std::to_string(n) + " operands");
  };
  if (o == "cast" || o == "sat_cast") {
    need(1);
    return integer ? std::trunc(a[0]) : a[0];
  }
  if (o == "neg") return need(1), -a[0];
  if (o == "!") return need(1), a[0] == 0 ? 1 : 0;
  if (o == "select") return need(3), a[0] != 0 ? a[1] : a[2];
  need(2);
  if (o == "+") return a[0] + a[1];
  if (o == "-") return a[0] - a[1];
  if (o == "*") return a[0] * a[1];
  if (o == "/") return integer ? static_cast<double>(euclidDiv(asInt(a[0]), asInt(a[1]))) : a[0] / a[1];
  if (o == "%") {
    if (!integer) return a[0] - a[1] * std::floor(a[0] / a[1]);
    int64_t b = asInt(a[1]);
    return b == 0 ? 0 : static_cast<double>(asInt(a[0]) - euclidDiv(asInt(a[0]), b) * b);
  }
  if (o == "min") return std::min(a[0], a[1]);
  if (o == "max") return std::max(a[0], a[1]);
  if (o == "<") return a[0] < a[1];
  if (o == "<=") return a[0] <= a[1];
  if (o == ">") return a[0] > a[1];
  if (o == ">=") return a[0] >= a[1];
  if (o == "==") return a[0] == a[1];
  if (o == "!=") return a[0] != a[1];
  if (o == "&&") return a[0] != 0 && a[1] != 0;
  if (o == "||") return a[0] != 0 || a[1] != 0;
  throw Error("malformed size rule: unknown operator '" + o + "'");
}

}  // namespace

int64_t evaluateSizeRule(const json::Value& rule, const std::vector<double>& params, const std::vector<std::vector<int>>& inputExtents) {
  return asInt(evaluate(rule, params, inputExtents));
}

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

}  // namespace fovea::rt
