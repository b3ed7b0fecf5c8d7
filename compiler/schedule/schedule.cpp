#include "schedule/schedule.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace fovea {

const char* toString(Placement p) {
  switch (p) {
    case Placement::Inline: return "inline";
    case Placement::At: return "at";
    case Placement::Root: return "root";
  }
  return "root";
}

const char* toString(Tail t) {
  switch (t) {
    case Tail::Auto: return "auto";
    case Tail::Guard: return "guard";
    case Tail::Shift: return "shift";
    case Tail::Round: return "round";
  }
  return "guard";
}

bool Loops::empty() const {
  return steps.empty() && order.empty() && parallel.empty() && vectorized.empty() && unrolled.empty() && gpuBlocks.empty() &&
         gpuThreads.empty() && !rfactor;
}

Loops& StageSchedule::pure() {
  if (definitions.empty()) definitions.emplace_back();
  return definitions[0];
}

namespace {

/// The factor of the split whose inner loop is `loop` (0 if none).
int splitFactorOf(const Loops& l, const std::string& loop) {
  for (const LoopStep& s : l.steps) {
    if (s.kind == LoopStep::Kind::Split && s.inner == loop) return s.factor;
  }
  return 0;
}

int vectorWidthOf(const Loops& l) {
  for (const std::string& v : l.vectorized) {
    if (int f = splitFactorOf(l, v); f > 0) return f;
  }
  return 0;
}

std::string describeLoops(const Loops& l) {
  std::vector<std::string> parts;
  for (const LoopStep& s : l.steps) {
    if (s.kind == LoopStep::Kind::Split) parts.push_back(fmt::format("{} split {}", s.var, s.factor));
    else if (s.kind == LoopStep::Kind::Fuse) parts.push_back(fmt::format("{}*{} fused", s.outer, s.var));
    else parts.push_back(fmt::format("{} renamed {}", s.var, s.outer));
  }
  if (!l.order.empty()) parts.push_back(fmt::format("order {}", fmt::join(l.order, ",")));
  if (!l.parallel.empty()) parts.push_back(fmt::format("parallel {}", fmt::join(l.parallel, ",")));
  if (!l.vectorized.empty()) parts.push_back(fmt::format("vectorized {}", fmt::join(l.vectorized, ",")));
  if (!l.unrolled.empty()) parts.push_back(fmt::format("unrolled {}", fmt::join(l.unrolled, ",")));
  if (!l.gpuBlocks.empty()) parts.push_back(fmt::format("GPU blocks {}", fmt::join(l.gpuBlocks, ",")));
  if (!l.gpuThreads.empty()) parts.push_back(fmt::format("GPU threads {}", fmt::join(l.gpuThreads, ",")));
  if (l.rfactor) parts.push_back(fmt::format("rfactor {}{}", l.rfactor->rvar, l.rfactor->parallel ? " (parallel)" : ""));
  return fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace

int StageSchedule::vectorWidth() const {
  for (const LayoutVersion& v : layouts) {
    if (int w = vectorWidthOf(v.loops); w > 0) return w;
  }
  return definitions.empty() ? 0 : vectorWidthOf(definitions[0]);
}

std::string StageSchedule::summary() const {
  std::string out = toString(placement);
  if (placement == Placement::At) out = fmt::format("at {}.{}", computeAt.stage, computeAt.loop);
  if (storeAt) out += fmt::format(", stored at {}", storeAt->stage.empty() ? "root" : storeAt->stage + "." + storeAt->loop);
  for (const Fold& f : folds) out += fmt::format(", {} folded by {}", f.dim, f.factor);
  if (!memory.empty()) out += ", in " + memory;
  for (size_t d = 0; d < definitions.size(); ++d) {
    if (definitions[d].empty()) continue;
    out += fmt::format("; {}: {}", d == 0 ? "pure" : fmt::format("update {}", d), describeLoops(definitions[d]));
  }
  for (const LayoutVersion& v : layouts) out += fmt::format("; {}: {}", v.layout, describeLoops(v.loops));
  return out;
}

std::string StageVars::fresh(std::string base) const {
  auto taken = [&](const std::string& n) {
    if (std::find(pure.begin(), pure.end(), n) != pure.end()) return true;
    for (const std::vector<std::string>& r : rvars) {
      if (std::find(r.begin(), r.end(), n) != r.end()) return true;
    }
    return false;
  };
  while (taken(base)) base += "_";
  return base;
}

const StageSchedule* Schedule::find(const std::string& stage) const {
  for (const StageSchedule& s : stages) {
    if (s.stage == stage) return &s;
  }
  return nullptr;
}

// ---- writing

namespace {

json::Value strings(const std::vector<std::string>& list) {
  json::Value a = json::Value::array();
  for (const std::string& s : list) a.push(s);
  return a;
}

json::Value loopsJson(const Loops& l) {
  json::Value v = json::Value::object();
  if (!l.steps.empty()) {
    json::Value steps = json::Value::array();
    for (const LoopStep& s : l.steps) {
      json::Value step = json::Value::object();
      switch (s.kind) {
        case LoopStep::Kind::Split:
          step.set("split", s.var);
          step.set("outer", s.outer);
          step.set("inner", s.inner);
          step.set("factor", s.factor);
          step.set("tail", toString(s.tail));
          break;
        case LoopStep::Kind::Fuse:
          step.set("fuse", strings({s.var, s.outer}));
          step.set("into", s.inner);
          break;
        case LoopStep::Kind::Rename:
          step.set("rename", s.var);
          step.set("to", s.outer);
          break;
      }
      steps.push(std::move(step));
    }
    v.set("steps", std::move(steps));
  }
  if (!l.order.empty()) v.set("order", strings(l.order));
  if (!l.parallel.empty()) v.set("parallel", strings(l.parallel));
  if (!l.vectorized.empty()) v.set("vectorized", strings(l.vectorized));
  if (!l.unrolled.empty()) v.set("unrolled", strings(l.unrolled));
  if (!l.gpuBlocks.empty()) v.set("gpu_blocks", strings(l.gpuBlocks));
  if (!l.gpuThreads.empty()) v.set("gpu_threads", strings(l.gpuThreads));
  if (l.rfactor) {
    v.set("rfactor", json::Value::object({{"rvar", l.rfactor->rvar}, {"var", l.rfactor->var}, {"parallel", l.rfactor->parallel}}));
  }
  return v;
}

json::Value levelJson(const LoopLevel& l) {
  return json::Value::object({{"stage", l.stage}, {"loop", l.loop}});
}

}  // namespace

json::Value Schedule::toJson() const {
  json::Value out = json::Value::object();
  out.set("version", 2);
  out.set("strategy", strategy);
  out.set("target", target);
  json::Value list = json::Value::array();
  for (const StageSchedule& s : stages) {
    json::Value v = json::Value::object();
    v.set("stage", s.stage);
    v.set("compute", toString(s.placement));
    if (s.placement == Placement::At) v.set("compute_at", levelJson(s.computeAt));
    if (s.storeAt) v.set("store_at", s.storeAt->stage.empty() ? json::Value("root") : levelJson(*s.storeAt));
    if (!s.folds.empty()) {
      json::Value folds = json::Value::array();
      for (const Fold& f : s.folds) folds.push(json::Value::object({{"dim", f.dim}, {"factor", f.factor}}));
      v.set("fold", std::move(folds));
    }
    if (!s.memory.empty()) v.set("memory", s.memory);
    size_t used = s.definitions.size();
    while (used > 0 && s.definitions[used - 1].empty()) --used;
    if (used > 0) {
      json::Value defs = json::Value::array();
      for (size_t d = 0; d < used; ++d) defs.push(loopsJson(s.definitions[d]));
      v.set("definitions", std::move(defs));
    }
    if (!s.layouts.empty()) {
      json::Value layouts = json::Value::array();
      for (const LayoutVersion& l : s.layouts) {
        json::Value lv = loopsJson(l.loops);
        json::Value named = json::Value::object({{"layout", l.layout}});
        for (const auto& [key, value] : lv.members()) named.set(key, value);
        layouts.push(std::move(named));
      }
      v.set("layouts", std::move(layouts));
    }
    if (!s.reason.empty()) v.set("reason", s.reason);
    list.push(std::move(v));
  }
  out.set("stages", std::move(list));
  if (!halideSchedule.empty()) out.set("halide_schedule", halideSchedule);
  return out;
}

// ---- reading

namespace {

/// Reads one JSON object field by field, naming where it is ("stage 'f', definition 1") in every
/// failure, and remembers the fields it was asked about so that unknown ones are reported.
class Reader {
 public:
  Reader(const json::Value& v, std::string where) : v_(v), where_(std::move(where)) {}

  Status object() const {
    if (v_.kind() != json::Value::Kind::Object) return fail("", "must be a JSON object");
    return ok();
  }
  const json::Value* get(const std::string& key) {
    seen_.insert(key);
    return v_.find(key);
  }
  Status string(const std::string& key, std::string& out, bool required = false) {
    const json::Value* f = get(key);
    if (!f) return required ? fail(key, "is required") : ok();
    if (f->kind() != json::Value::Kind::String || f->asString().empty()) return fail(key, "must be a non-empty string");
    out = f->asString();
    return ok();
  }
  Status integer(const std::string& key, int& out, int lo, int hi, bool required = false) {
    const json::Value* f = get(key);
    if (!f) return required ? fail(key, "is required") : ok();
    double n = f->kind() == json::Value::Kind::Number ? f->asNumber() : -1e300;
    if (n != static_cast<double>(static_cast<int64_t>(n)) || n < lo || n > hi) return fail(key, fmt::format("must be an integer from {} to {}", lo, hi));
    out = static_cast<int>(n);
    return ok();
  }
  Status boolean(const std::string& key, bool& out) {
    const json::Value* f = get(key);
    if (!f) return ok();
    if (f->kind() != json::Value::Kind::Bool) return fail(key, "must be true or false");
    out = f->asBool();
    return ok();
  }
  Status strings(const std::string& key, std::vector<std::string>& out, size_t most = 64) {
    const json::Value* f = get(key);
    if (!f) return ok();
    if (f->kind() != json::Value::Kind::Array || f->items().size() > most) return fail(key, fmt::format("must be a list of at most {} loop names", most));
    for (const json::Value& s : f->items()) {
      if (s.kind() != json::Value::Kind::String || s.asString().empty()) return fail(key, "must be a list of loop names (strings)");
      out.push_back(s.asString());
    }
    return ok();
  }
  /// Fails on any field not asked for.
  Status noOthers() const {
    for (const auto& [key, value] : v_.members()) {
      (void)value;
      if (!seen_.count(key)) return fail(key, "is not a field here");
    }
    return ok();
  }
  Status fail(const std::string& key, const std::string& what) const {
    return Failure::input(key.empty() ? fmt::format("{} {}", where_, what) : fmt::format("{}: '{}' {}", where_, key, what));
  }
  const std::string& where() const { return where_; }

 private:
  const json::Value& v_;
  std::string where_;
  std::set<std::string> seen_;
};

#define FOVEA_TRY(expr)               \
  do {                                \
    if (Status st_ = (expr); !st_) return st_.failure(); \
  } while (0)

Status readTail(Reader& r, Tail& out) {
  std::string t = "guard";
  FOVEA_TRY(r.string("tail", t));
  if (t == "guard") out = Tail::Guard;
  else if (t == "shift") out = Tail::Shift;
  else if (t == "round") out = Tail::Round;
  else if (t == "auto") out = Tail::Auto;
  else return r.fail("tail", fmt::format("is '{}': use guard, shift, round or auto", t));
  return ok();
}

Status readStep(const json::Value& v, const std::string& where, LoopStep& s) {
  Reader r(v, where);
  FOVEA_TRY(r.object());
  if (v.find("split")) {
    s.kind = LoopStep::Kind::Split;
    FOVEA_TRY(r.string("split", s.var));
    FOVEA_TRY(r.string("outer", s.outer, true));
    FOVEA_TRY(r.string("inner", s.inner, true));
    FOVEA_TRY(r.integer("factor", s.factor, 1, 1 << 20, true));
    FOVEA_TRY(readTail(r, s.tail));
  } else if (v.find("fuse")) {
    s.kind = LoopStep::Kind::Fuse;
    std::vector<std::string> pair;
    FOVEA_TRY(r.strings("fuse", pair, 2));
    if (pair.size() != 2) return r.fail("fuse", "must name two loops, inner first");
    s.var = pair[0];
    s.outer = pair[1];
    FOVEA_TRY(r.string("into", s.inner, true));
  } else if (v.find("rename")) {
    s.kind = LoopStep::Kind::Rename;
    FOVEA_TRY(r.string("rename", s.var));
    FOVEA_TRY(r.string("to", s.outer, true));
  } else {
    return r.fail("", "must be a split, fuse or rename step");
  }
  return r.noOthers();
}

Status readLoops(Reader& r, Loops& l, bool update) {
  if (const json::Value* steps = r.get("steps")) {
    if (steps->kind() != json::Value::Kind::Array) return r.fail("steps", "must be a list");
    for (size_t i = 0; i < steps->items().size(); ++i) {
      LoopStep s;
      FOVEA_TRY(readStep(steps->items()[i], fmt::format("{}, steps[{}]", r.where(), i), s));
      l.steps.push_back(std::move(s));
    }
  }
  FOVEA_TRY(r.strings("order", l.order));
  FOVEA_TRY(r.strings("parallel", l.parallel));
  FOVEA_TRY(r.strings("vectorized", l.vectorized));
  FOVEA_TRY(r.strings("unrolled", l.unrolled));
  FOVEA_TRY(r.strings("gpu_blocks", l.gpuBlocks, 3));
  FOVEA_TRY(r.strings("gpu_threads", l.gpuThreads, 3));
  if (const json::Value* rf = r.get("rfactor")) {
    if (!update) return r.fail("rfactor", "applies to updates only (definitions after the first)");
    Reader f(*rf, r.where() + ", rfactor");
    FOVEA_TRY(f.object());
    RFactor out;
    FOVEA_TRY(f.string("rvar", out.rvar, true));
    FOVEA_TRY(f.string("var", out.var, true));
    FOVEA_TRY(f.boolean("parallel", out.parallel));
    FOVEA_TRY(f.noOthers());
    l.rfactor = out;
  }
  return ok();
}

Status readLevel(const json::Value& v, const std::string& where, LoopLevel& l) {
  Reader r(v, where);
  FOVEA_TRY(r.object());
  FOVEA_TRY(r.string("stage", l.stage, true));
  FOVEA_TRY(r.string("loop", l.loop, true));
  return r.noOthers();
}

Status readStage(const json::Value& item, size_t index, StageSchedule& st) {
  Reader r(item, fmt::format("stages[{}]", index));
  FOVEA_TRY(r.object());
  FOVEA_TRY(r.string("stage", st.stage, true));
  Reader s(item, fmt::format("stage '{}'", st.stage));
  s.get("stage");
  std::string compute = "root";
  FOVEA_TRY(s.string("compute", compute));
  if (compute == "inline") st.placement = Placement::Inline;
  else if (compute == "root") st.placement = Placement::Root;
  else if (compute == "at") st.placement = Placement::At;
  else return s.fail("compute", fmt::format("is '{}': use inline, root or at", compute));
  const json::Value* at = s.get("compute_at");
  if (st.placement == Placement::At && !at) return s.fail("compute_at", "is required when compute is \"at\"");
  if (st.placement != Placement::At && at) return s.fail("compute_at", fmt::format("is given but compute is \"{}\"", compute));
  if (at) FOVEA_TRY(readLevel(*at, s.where() + ", compute_at", st.computeAt));
  if (const json::Value* store = s.get("store_at")) {
    LoopLevel level;
    if (store->kind() != json::Value::Kind::String || store->asString() != "root") FOVEA_TRY(readLevel(*store, s.where() + ", store_at", level));
    st.storeAt = level;
  }
  if (const json::Value* folds = s.get("fold")) {
    if (folds->kind() != json::Value::Kind::Array) return s.fail("fold", "must be a list of {\"dim\", \"factor\"}");
    for (size_t i = 0; i < folds->items().size(); ++i) {
      Reader f(folds->items()[i], fmt::format("{}, fold[{}]", s.where(), i));
      FOVEA_TRY(f.object());
      Fold fold;
      FOVEA_TRY(f.string("dim", fold.dim, true));
      FOVEA_TRY(f.integer("factor", fold.factor, 1, 1 << 20, true));
      FOVEA_TRY(f.noOthers());
      st.folds.push_back(fold);
    }
  }
  FOVEA_TRY(s.string("memory", st.memory));
  if (!st.memory.empty() && st.memory != "heap" && st.memory != "stack" && st.memory != "register" && st.memory != "gpu_shared") {
    return s.fail("memory", fmt::format("is '{}': use heap, stack, register or gpu_shared", st.memory));
  }
  if (const json::Value* defs = s.get("definitions")) {
    if (defs->kind() != json::Value::Kind::Array) return s.fail("definitions", "must be a list (the pure definition, then each update)");
    for (size_t d = 0; d < defs->items().size(); ++d) {
      Reader l(defs->items()[d], fmt::format("{}, definition {}", s.where(), d));
      FOVEA_TRY(l.object());
      Loops loops;
      FOVEA_TRY(readLoops(l, loops, d > 0));
      FOVEA_TRY(l.noOthers());
      st.definitions.push_back(std::move(loops));
    }
  }
  if (const json::Value* layouts = s.get("layouts")) {
    if (layouts->kind() != json::Value::Kind::Array) return s.fail("layouts", "must be a list");
    for (size_t i = 0; i < layouts->items().size(); ++i) {
      Reader l(layouts->items()[i], fmt::format("{}, layouts[{}]", s.where(), i));
      FOVEA_TRY(l.object());
      LayoutVersion v;
      FOVEA_TRY(l.string("layout", v.layout, true));
      if (v.layout != "dense" && v.layout != "interleaved") return l.fail("layout", fmt::format("is '{}': use dense or interleaved", v.layout));
      FOVEA_TRY(readLoops(l, v.loops, false));
      FOVEA_TRY(l.noOthers());
      if (!v.loops.gpuBlocks.empty() || !v.loops.gpuThreads.empty()) return l.fail("gpu_blocks", "layout versions are for CPU loops");
      st.layouts.push_back(std::move(v));
    }
  }
  FOVEA_TRY(s.string("reason", st.reason));
  return s.noOthers();
}

}  // namespace

Result<Schedule> Schedule::fromJson(const json::Value& v) {
  Reader r(v, "the schedule");
  FOVEA_TRY(r.object());
  int version = 0;
  FOVEA_TRY(r.integer("version", version, 0, 1 << 16, true));
  if (version == 1) {
    return Failure::input("this is a version 1 schedule (placement, vector, strip_rows), which Fovea no longer reads: write it again with "
                          "--emit schedule (version 2 describes each definition's loops)");
  }
  if (version != 2) return Failure::input(fmt::format("unsupported schedule version {} (this Fovea reads version 2)", version));
  Schedule s;
  if (const json::Value* strategy = r.get("strategy"); strategy && strategy->kind() == json::Value::Kind::String) s.strategy = strategy->asString();
  if (const json::Value* target = r.get("target"); target && target->kind() == json::Value::Kind::String) s.target = target->asString();
  const json::Value* stages = r.get("stages");
  if (!stages || stages->kind() != json::Value::Kind::Array) return Failure::input("'stages' must be a list");
  if (const json::Value* halide = r.get("halide_schedule"); halide && halide->kind() == json::Value::Kind::String) {
    s.halideSchedule = halide->asString();
    // An autoscheduler's result that could not be converted is Halide C++ applied in the process
    // that ran it; Fovea cannot replay it, and an empty stage list would mean "no schedule at all".
    if (stages->items().empty()) {
      return Failure::input(fmt::format("this schedule was made by Halide's {} autoscheduler and could not be converted into Fovea's loops; it "
                                        "holds only Halide C++, which Fovea cannot apply: run the autoscheduler again with --schedule {}",
                                        s.strategy.empty() ? "an" : s.strategy, s.strategy.empty() ? "mullapudi2016|adams2019|li2018" : s.strategy));
    }
  }
  FOVEA_TRY(r.noOthers());
  std::set<std::string> names;
  for (size_t i = 0; i < stages->items().size(); ++i) {
    StageSchedule st;
    FOVEA_TRY(readStage(stages->items()[i], i, st));
    if (!names.insert(st.stage).second) return Failure::input(fmt::format("stage '{}' is scheduled twice", st.stage));
    s.stages.push_back(std::move(st));
  }
  return s;
}

#undef FOVEA_TRY

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
