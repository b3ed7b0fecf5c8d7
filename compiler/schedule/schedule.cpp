#include "schedule/schedule.h"

#include <fmt/format.h>

namespace fovea {

const char* toString(Placement p) {
  switch (p) {
    case Placement::Inline: return "inline";
    case Placement::Strip: return "strip";
    case Placement::Root: return "root";
  }
  return "root";
}

const StageSchedule* Schedule::find(const std::string& stage) const {
  for (const StageSchedule& s : stages) {
    if (s.stage == stage) return &s;
  }
  return nullptr;
}

json::Value Schedule::toJson() const {
  json::Value out = json::Value::object();
  out.set("version", 1);
  out.set("strategy", strategy);
  out.set("target", target);
  json::Value list = json::Value::array();
  for (const StageSchedule& s : stages) {
    json::Value v = json::Value::object();
    v.set("stage", s.stage);
    v.set("placement", toString(s.placement));
    if (s.placement == Placement::Strip) v.set("compute_at", s.computeAt);
    v.set("vector", s.vector);
    if (s.placement == Placement::Root) {
      v.set("strip_rows", s.stripRows);
      v.set("parallel", s.parallel);
      if (s.unrollChannels > 0) v.set("unroll_channels", s.unrollChannels);
    }
    if (s.gpuTileX > 0) v.set("gpu_tile", json::Value::array({s.gpuTileX, s.gpuTileY}));
    if (s.parallelReduction) v.set("parallel_reduction", true);
    if (!s.reason.empty()) v.set("reason", s.reason);
    list.push(std::move(v));
  }
  out.set("stages", std::move(list));
  if (!halideSchedule.empty()) out.set("halide_schedule", halideSchedule);
  return out;
}

Result<Schedule> Schedule::fromJson(const json::Value& v) {
  auto fail = [&](const std::string& message) -> Result<Schedule> { return Failure::input(message); };
  if (v.kind() != json::Value::Kind::Object) return fail("a schedule is a JSON object");
  const json::Value* version = v.find("version");
  if (!version || version->kind() != json::Value::Kind::Number || version->asNumber() != 1) return fail("unsupported schedule version (expected 1)");
  Schedule s;
  if (const json::Value* strategy = v.find("strategy"); strategy && strategy->kind() == json::Value::Kind::String) s.strategy = strategy->asString();
  if (const json::Value* target = v.find("target"); target && target->kind() == json::Value::Kind::String) s.target = target->asString();
  const json::Value* stages = v.find("stages");
  if (!stages || stages->kind() != json::Value::Kind::Array) return fail("'stages' must be an array");
  // An autoscheduler's result is Halide C++ that Halide applied in the process that ran it; Fovea
  // cannot replay it, and an empty stage list would silently mean "no schedule at all".
  if (const json::Value* halide = v.find("halide_schedule"); halide && stages->items().empty()) {
    return fail(fmt::format("this schedule was made by Halide's {} autoscheduler and holds only its Halide C++ source, which Fovea "
                            "cannot apply; run the autoscheduler again with --schedule {}",
                            s.strategy.empty() ? "an" : s.strategy, s.strategy.empty() ? "mullapudi2016|adams2019|li2018" : s.strategy));
  }
  for (const json::Value& item : stages->items()) {
    StageSchedule st;
    const json::Value* name = item.find("stage");
    const json::Value* placement = item.find("placement");
    if (!name || name->kind() != json::Value::Kind::String) return fail("every stage needs a \"stage\" name");
    st.stage = name->asString();
    std::string p = placement && placement->kind() == json::Value::Kind::String ? placement->asString() : "root";
    if (p == "inline") st.placement = Placement::Inline;
    else if (p == "strip") st.placement = Placement::Strip;
    else if (p == "root") st.placement = Placement::Root;
    else return fail(fmt::format("stage '{}': unknown placement '{}' (inline, strip or root)", st.stage, p));
    auto number = [&](const char* key, int fallback) {
      const json::Value* n = item.find(key);
      return n && n->kind() == json::Value::Kind::Number ? static_cast<int>(n->asNumber()) : fallback;
    };
    st.vector = number("vector", 0);
    st.stripRows = number("strip_rows", 0);
    st.unrollChannels = number("unroll_channels", 0);
    if (st.vector < 0 || st.vector > 64 || st.stripRows < 0) return fail(fmt::format("stage '{}': vector must be 0..64 and strip_rows >= 0", st.stage));
    if (st.unrollChannels < 0 || st.unrollChannels > 16) return fail(fmt::format("stage '{}': unroll_channels must be 0..16", st.stage));
    if (const json::Value* at = item.find("compute_at"); at && at->kind() == json::Value::Kind::String) st.computeAt = at->asString();
    if (st.placement == Placement::Strip && st.computeAt.empty()) return fail(fmt::format("stage '{}': a strip placement needs \"compute_at\"", st.stage));
    if (const json::Value* par = item.find("parallel"); par && par->kind() == json::Value::Kind::Bool) st.parallel = par->asBool();
    if (const json::Value* red = item.find("parallel_reduction"); red && red->kind() == json::Value::Kind::Bool) st.parallelReduction = red->asBool();
    if (const json::Value* tile = item.find("gpu_tile"); tile && tile->kind() == json::Value::Kind::Array && tile->items().size() == 2) {
      st.gpuTileX = static_cast<int>(tile->items()[0].asNumber());
      st.gpuTileY = static_cast<int>(tile->items()[1].asNumber());
      if (st.gpuTileX < 1 || st.gpuTileX > 1024 || st.gpuTileY < 0 || st.gpuTileX * std::max(1, st.gpuTileY) > 1024) {
        return fail(fmt::format("stage '{}': gpu_tile must have at most 1024 threads", st.stage));
      }
    }
    if (const json::Value* why = item.find("reason"); why && why->kind() == json::Value::Kind::String) st.reason = why->asString();
    s.stages.push_back(std::move(st));
  }
  return s;
}

std::string Schedule::hash() const {
  // FNV-1a over the compact JSON: stable across runs and machines.
  std::string text = toJson().dump(-1);
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", h);
}

}  // namespace fovea
