// The compiler's passes, in the order they run. Each pass lives in its own folder; this file only
// strings them together, turns their diagnostics into Failures, and hands their results to
// `--dump-after`. Emitting libraries is in library.cpp, JIT compilation in jit.cpp.
#include "api/compiler.h"

#include <sstream>

#include <fmt/format.h>

#include "codegen/graph.h"
#include "codegen/manifest.h"
#include "frontend/imports.h"
#include "lower/fold_windows.h"
#include "schedule/apply_schedule.h"
#include "schedule/autoschedule.h"
#include "schedule/choose.h"
#include "sema/sema.h"
#include "support/files.h"

namespace fovea::compiler {
namespace {

constexpr std::pair<Pass, const char*> kPassNames[] = {
    {Pass::Check, "check"}, {Pass::Split, "split"}, {Pass::Fold, "fold"}, {Pass::Lower, "lower"}, {Pass::Plan, "plan"}, {Pass::Apply, "apply"}};

/// A Failure from what `diags` collected (its errors, located where they can be).
Failure failureOf(const DiagnosticEngine& diags, std::shared_ptr<const SourceManager> sources, Failure::Kind kind, std::string message = "") {
  Failure f;
  f.kind = kind;
  f.message = std::move(message);
  f.diagnostics = diags.diagnostics();
  f.sources = std::move(sources);
  return f;
}

bool wants(const Program& program, Pass pass) { return program.options().dump && program.options().dumpAfter.count(pass); }

void dumpPass(const Program& program, Pass pass, const std::string& what, const std::function<std::string()>& text) {
  if (wants(program, pass)) program.options().dump(pass, what, text());
}

/// `--dump-after lower`: every Func's definitions, in Halide's notation, before any scheduling.
std::string describeLowering(const LoweredPipeline& lowered) {
  std::ostringstream os;
  auto function = [&](const std::string& name, const Halide::Func& f) {
    if (!f.defined()) return;
    Halide::Internal::Function fn = f.function();
    os << name << "(";
    for (size_t i = 0; i < fn.args().size(); ++i) os << (i ? ", " : "") << fn.args()[i];
    os << ") = ";
    for (size_t i = 0; i < fn.values().size(); ++i) os << (i ? ", " : "") << fn.values()[i];
    os << "\n";
    for (const Halide::Internal::Definition& u : fn.updates()) {
      os << name << "(";
      for (size_t i = 0; i < u.args().size(); ++i) os << (i ? ", " : "") << u.args()[i];
      os << ") = ";
      for (size_t i = 0; i < u.values().size(); ++i) os << (i ? ", " : "") << u.values()[i];
      if (!u.schedule().rvars().empty()) {
        os << "  over";
        for (const Halide::Internal::ReductionVariable& r : u.schedule().rvars()) os << " " << r.var << " in [" << r.min << ", +" << r.extent << ")";
      }
      os << "\n";
    }
  };
  std::set<std::string> shown;  // an output that is a stage's own Func is shown once
  for (size_t s = 0; s < lowered.stages.size(); ++s) {
    if (shown.insert(lowered.stageNames[s]).second) function(lowered.stageNames[s], lowered.stages[s]);
  }
  for (size_t o = 0; o < lowered.outputs.size(); ++o) {
    if (shown.insert(lowered.outputNames[o]).second) function(lowered.outputNames[o], lowered.outputs[o]);
  }
  return os.str();
}

/// `--dump-after apply`: the loop nest Halide lowers the scheduled pipeline to.
std::string describeScheduled(const Scheduled& s) {
  std::ostringstream os;
  Halide::Module module = s.lowered.pipeline().compile_to_module(s.lowered.arguments, s.lowered.name, s.target);
  for (const Halide::Internal::LoweredFunc& f : module.functions()) os << f.body;
  return os.str();
}

}  // namespace

const char* toString(Pass pass) {
  for (const auto& [p, name] : kPassNames) {
    if (p == pass) return name;
  }
  return "?";
}

std::optional<Pass> parsePass(const std::string& name) {
  for (const auto& [p, n] : kPassNames) {
    if (name == n) return p;
  }
  return std::nullopt;
}

std::string passNames() {
  std::string out;
  for (const auto& [p, n] : kPassNames) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}


// ---- 1. load and 2. check

Result<Program> load(const std::string& path, const Options& options) {
  Result<std::string> text = readTextFile(path);
  if (!text) return Failure::usage(fmt::format("cannot read '{}': {}", path, text.failure().message));
  return checkSource(*text, path, options);
}

Result<Program> checkSource(const std::string& text, const std::string& path, const Options& options) {
  auto sources = std::make_shared<SourceManager>();
  FileId id = sources->addFile(path, text);
  DiagnosticEngine diags(*sources);
  std::vector<ast::Module> modules = loadModules(*sources, id, diags, ImportOptions{options.stdlibDir});  // load
  auto ir = std::make_shared<ir::Program>(checkProgram(modules, diags));                                   // check
  diags.sortBySource();
  if (diags.hasErrors()) return failureOf(diags, sources, Failure::Kind::Input);
  Program program;
  program.sources_ = sources;
  program.ir_ = ir;
  program.diagnostics_ = diags.diagnostics();
  program.path_ = path;
  program.options_ = options;
  std::string all;
  for (size_t f = 0; f < sources->fileCount(); ++f) all += sources->text(static_cast<FileId>(f));
  program.sourceHash_ = hashText(all);
  for (const ir::Pipeline& p : ir->pipelines) dumpPass(program, Pass::Check, p.name, [&] { return program.dump(p); });
  return program;
}

Result<const ir::Pipeline*> Program::pipeline(const std::string& name) const {
  std::string names;
  for (const ir::Pipeline& p : ir_->pipelines) {
    if (p.name == name) return &p;
    names += (names.empty() ? "" : ", ") + p.name;
  }
  if (name.empty() && ir_->pipelines.size() == 1) return &ir_->pipelines[0];
  std::string why = ir_->pipelines.empty() ? "the file defines no pipeline"
                    : name.empty()          ? fmt::format("the file defines several pipelines ({}); choose one with --pipeline NAME", names)
                                            : fmt::format("no pipeline named '{}' (the file defines: {})", name, names);
  return Failure::usage(fmt::format("'{}': {}", path_, why));
}

std::string Program::dump(const ir::Pipeline& p) const { return ir::dump(p); }

// ---- 3. split (pipelines that call models)

std::vector<GraphNode> split(const Program& program, const ir::Pipeline& p) {
  std::vector<GraphNode> graph;
  if (p.models.empty()) {
    GraphNode whole;
    whole.segment = p;
    for (const ir::Input& in : p.inputs) whole.inputs.push_back("input:" + in.name);
    for (const ir::Output& out : p.outputs) whole.outputs.push_back("output:" + out.name);
    graph.push_back(std::move(whole));
  } else {
    graph = splitAtModels(p);
  }
  dumpPass(program, Pass::Split, p.name, [&] {
    std::string text;
    for (const GraphNode& node : graph) {
      if (node.kind == GraphNode::Kind::Model) {
        text += fmt::format("model {} ({}) -> {}\n", p.models[node.model].name, fmt::join(node.inputs, ", "), fmt::join(node.outputs, ", "));
      } else {
        text += fmt::format("segment {} ({}) -> {}\n{}", node.segment.name, fmt::join(node.inputs, ", "), fmt::join(node.outputs, ", "),
                            ir::dump(node.segment));
      }
    }
    return text;
  });
  return graph;
}

// ---- 4. fold (before lowering and planning, which both see the folded pipeline)

namespace {

ir::Pipeline fold(const Program& program, const ir::Pipeline& p) {
  ir::Pipeline folded = foldWindows(p);
  dumpPass(program, Pass::Fold, p.name, [&] { return ir::dump(folded); });
  return folded;
}

}  // namespace

// ---- 5. lower

Result<LoweredPipeline> lower(const Program& program, const ir::Pipeline& p, const std::string& function) {
  DiagnosticEngine diags(program.sources());
  std::optional<LoweredPipeline> lowered = lowerPipeline(fold(program, p), diags, function);
  if (!lowered) return failureOf(diags, program.sharedSources(), Failure::Kind::Compile);
  dumpPass(program, Pass::Lower, p.name, [&] { return describeLowering(*lowered); });
  return std::move(*lowered);
}

// ---- 5. plan

namespace {

/// Plans on `lowered` (an autoscheduler schedules it in place).
Result<Schedule> planOn(const Program& program, const ir::Pipeline& p, const LoweredPipeline& lowered, const std::string& strategy,
                        const Halide::Target& target) {
  DiagnosticEngine diags(program.sources());
  std::optional<Schedule> s = chooseSchedule(strategy, foldWindows(p), lowered, target, diags);
  if (!s) return failureOf(diags, program.sharedSources(), Failure::Kind::Input);
  dumpPass(program, Pass::Plan, fmt::format("{} for {}", p.name, target.to_string()), [&] { return s->toJson().dump() + "\n" + s->halideSchedule; });
  return std::move(*s);
}

Result<Scheduled> applyOn(const Program& program, const ir::Pipeline& p, LoweredPipeline lowered, const Schedule& schedule,
                          const Halide::Target& target) {
  DiagnosticEngine diags(program.sources());
  if (!applySchedule(lowered, schedule, diags)) return failureOf(diags, program.sharedSources(), Failure::Kind::Input);
  Scheduled s{std::move(lowered), schedule, target, {}};
  std::string planned = schedule.target, wanted = target.to_string();
  if (!schedule.stages.empty() && !planned.empty() && planned != wanted) {
    s.notes.push_back(fmt::format("schedule '{}' was planned for {}; the {} variant uses it as written (its vector widths and GPU tiles may not "
                                  "suit that target)",
                                  schedule.strategy, planned, wanted));
  }
  try {
    dumpPass(program, Pass::Apply, fmt::format("{} for {}", p.name, target.to_string()), [&] { return describeScheduled(s); });
  } catch (const Halide::Error& e) {
    return Failure::compile(fmt::format("Halide could not compile '{}': {}", p.name, e.what()));
  }
  return s;
}

}  // namespace

Result<Schedule> plan(const Program& program, const ir::Pipeline& p, const std::string& strategy, const Halide::Target& target) {
  Result<LoweredPipeline> lowered = lower(program, p);
  if (!lowered) return lowered.failure();
  return planOn(program, p, *lowered, strategy, target);
}

// ---- 6. apply

Result<Scheduled> apply(const Program& program, const ir::Pipeline& p, const Schedule& schedule, const Halide::Target& target,
                        const std::string& function) {
  if (!schedule.halideSchedule.empty() && schedule.stages.empty()) {
    return Failure::input(fmt::format("the {} schedule of '{}' was made by an autoscheduler on a lowering of its own and could not be converted "
                                      "into Fovea's loops; plan it again (schedule(...)) instead of applying it",
                                      schedule.strategy, p.name));
  }
  Result<LoweredPipeline> lowered = lower(program, p, function);
  if (!lowered) return lowered.failure();
  return applyOn(program, p, std::move(*lowered), schedule, target);
}

Result<Scheduled> schedule(const Program& program, const ir::Pipeline& p, const std::string& strategy, const Halide::Target& target,
                           const std::string& function) {
  Result<LoweredPipeline> lowered = lower(program, p, function);
  if (!lowered) return lowered.failure();
  Result<Schedule> planned = planOn(program, p, *lowered, strategy, target);
  if (!planned) return planned.failure();
  if (!planned->halideSchedule.empty() && !planned->stages.empty()) {
    // An autoscheduler's choice, converted into Fovea's data: applied to a fresh lowering, so that
    // what runs is what `--emit schedule` shows.
    Result<LoweredPipeline> fresh = lower(program, p, function);
    if (!fresh) return fresh.failure();
    return applyOn(program, p, std::move(*fresh), *planned, target);
  }
  return applyOn(program, p, std::move(*lowered), *planned, target);
}

// ---- 7. emit: libraries (library.cpp), JIT (jit.cpp), and the graph

Signature signatureOf(const ir::Pipeline& p) {
  ManifestInfo info;
  info.function = p.name;
  return Signature::fromManifest(buildManifest(p, Schedule{}, info).dump(), p.name);
}

Result<std::string> graph(const Program& program, const ir::Pipeline& p, const std::string& strategy, const Halide::Target& target) {
  if (!p.models.empty()) return modelGraphDot(p, split(program, p));
  Result<LoweredPipeline> lowered = lower(program, p);
  if (!lowered) return lowered.failure();
  Result<Schedule> planned = planOn(program, p, *lowered, strategy, target);
  if (!planned) return planned.failure();
  return pipelineGraphDot(foldWindows(p), *planned, lowered->stageNames, lowered->outputNames);
}

}  // namespace fovea::compiler
