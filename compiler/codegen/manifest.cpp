#include "codegen/manifest.h"

#include "sema/evaluate.h"

#include <fmt/format.h>

namespace fovea {
namespace {

json::Value constantJson(const ir::ExprPtr& e) {
  if (!e) return json::Value();
  if (isFloat(e->type)) return json::Value(e->floatValue);
  if (e->type == ScalarType::Bool) return json::Value(e->intValue != 0);
  return json::Value(static_cast<int64_t>(e->intValue));
}

json::Value dimsJson(const std::vector<std::string>& dims) {
  json::Value out = json::Value::array();
  for (const std::string& d : dims) out.push(d);
  return out;
}

}  // namespace

std::string hashText(const std::string& text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", h);
}

json::Value buildManifest(const ir::Pipeline& p, const Schedule& schedule, const ManifestInfo& info) {
  json::Value m = json::Value::object();
  m.set("format", "fovea-pipeline-manifest");
  m.set("version", kManifestVersion);
  m.set("fovea_version", info.foveaVersion);
  m.set("pipeline", p.name);
  m.set("function", info.function.empty() ? p.name : info.function);
  if (!p.doc.empty()) m.set("doc", p.doc);

  json::Value arguments = json::Value::array();
  for (const ir::Argument& a : p.arguments) {
    json::Value v = json::Value::object();
    if (a.isBuffer) {
      const ir::Input& in = p.inputs[a.index];
      v.set("kind", "input");
      v.set("name", in.name);
      v.set("type", toString(in.type));
      v.set("dims", dimsJson(in.dims));
    } else {
      const ir::Param& param = p.params[a.index];
      v.set("kind", "param");
      v.set("name", param.name);
      v.set("type", toString(param.type));
      v.set("default", constantJson(param.defaultValue));
      v.set("min", constantJson(param.min));
      v.set("max", constantJson(param.max));
    }
    arguments.push(std::move(v));
  }
  m.set("arguments", std::move(arguments));

  json::Value outputs = json::Value::array();
  for (const ir::Output& o : p.outputs) {
    json::Value v = json::Value::object();
    v.set("name", o.name);
    v.set("type", toString(o.type));
    v.set("dims", dimsJson(o.dims));
    json::Value size = json::Value::array();
    json::Value text = json::Value::array();
    for (const ir::ExprPtr& e : o.size) {
      size.push(sizeRuleJson(*e));
      text.push(ir::dump(*e, p));
    }
    v.set("size", std::move(size));
    v.set("size_text", std::move(text));
    outputs.push(std::move(v));
  }
  m.set("outputs", std::move(outputs));

  json::Value targets = json::Value::array();
  for (const std::string& t : info.targets) targets.push(t);
  m.set("targets", std::move(targets));
  json::Value sched = json::Value::object();
  sched.set("strategy", schedule.strategy);
  sched.set("hash", schedule.hash());
  if (!info.variantSchedules.empty()) {
    json::Value variants = json::Value::array();
    for (size_t i = 0; i < info.variantSchedules.size() && i < info.targets.size(); ++i) {
      variants.push(json::Value::object({{"target", info.targets[i]}, {"hash", info.variantSchedules[i]}}));
    }
    sched.set("variants", std::move(variants));
  }
  m.set("schedule", std::move(sched));
  json::Value source = json::Value::object();
  source.set("path", info.sourcePath);
  source.set("hash", info.sourceHash);
  m.set("source", std::move(source));
  json::Value files = json::Value::object();
  for (const auto& [kind, name] : info.files) files.set(kind, name);
  m.set("files", std::move(files));
  return m;
}

}  // namespace fovea
