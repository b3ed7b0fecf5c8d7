#pragma once
/// Fovea's compiler as a library: what `fovea check | compile | run | graph` call, and what the
/// autotuner and the tests call. compiler.cpp is its table of contents: the passes, in order.
///
///     load    read the file and everything it imports (frontend/: ANTLR stays behind it)
///     check   names, types, functions, input bounds (sema/)            -> ir::Program
///     split   cut a pipeline that calls models into segments (lower/segments)
///     fold    small window reductions become pure stencils (lower/fold_windows)
///     lower   checked IR -> Halide Funcs, nothing scheduled (lower/)   -> LoweredPipeline
///     plan    a Schedule for one target: heuristic, none, file or autoscheduler (schedule/)
///     apply   the Schedule on a lowering of its own (schedule/apply_schedule)
///     emit    .a/.so/.h/manifest for every target variant, or JIT to a callable (codegen/)
///
/// In a few lines:
///
///     compiler::Options options{stdlibDir};
///     compiler::Result<compiler::Program> program = compiler::load("blur.fov", options);
///     if (!program) return fail(program.failure());            // diagnostics, usage or input error
///     const ir::Pipeline& p = **program->pipeline("blur3");
///     compiler::compileLibrary(*program, p, {"out", parseTargets("avx2,sse41", e)});
///     auto jit = compiler::jit(*program, p, "heuristic", hostTarget());
///     (*jit)->run({input}, {{"amount", 2.0}}, outputs);        // the runtime's checks and size rules
///
/// Nothing here prints or changes the process (no stderr redirection, no handlers): failures are
/// values (one convention, Failure), passes report through Options::dump, and several pipelines
/// may be lowered, scheduled and compiled at once on different threads.

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <Halide.h>

#include "fovea/runtime.hpp"
#include "lower/lower.h"
#include "lower/segments.h"
#include "schedule/schedule.h"
#include "sema/ir.h"
#include "support/diagnostics.h"
#include "support/result.h"

namespace fovea::compiler {

/// The passes whose result `--dump-after PASS` prints.
enum class Pass { Check, Split, Fold, Lower, Plan, Apply };
const char* toString(Pass pass);
std::optional<Pass> parsePass(const std::string& name);
/// "check, split, fold, lower, plan, apply": for messages and help.
std::string passNames();

/// The error convention (support/result.h): API calls return a Result<T>, a value or a Failure.
using fovea::Failure;
using fovea::Result;

struct Options {
  std::string stdlibDir;  ///< where `import std.<name>;` looks
  /// Called with a pass's result when the pass is in `dumpAfter`: (pass, what it ran on, text).
  std::set<Pass> dumpAfter;
  std::function<void(Pass, const std::string&, const std::string&)> dump;
};

/// A checked file: its sources, the IR of its pipelines, its warnings.
class Program {
 public:
  const ir::Program& ir() const { return *ir_; }
  const SourceManager& sources() const { return *sources_; }
  std::shared_ptr<const SourceManager> sharedSources() const { return sources_; }
  const std::string& path() const { return path_; }
  /// Warnings (a program with errors is a Failure, not a Program).
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  /// The hash of the file and everything it imports (manifests and tuning records name it).
  const std::string& sourceHash() const { return sourceHash_; }
  const Options& options() const { return options_; }
  /// The pipeline called `name`, or the only one when `name` is empty (a Usage failure otherwise).
  Result<const ir::Pipeline*> pipeline(const std::string& name) const;
  /// The pipeline's checked IR as text (`--dump-after check`).
  std::string dump(const ir::Pipeline& p) const;

 private:
  friend Result<Program> checkSource(const std::string&, const std::string&, const Options&);
  std::shared_ptr<const SourceManager> sources_;
  std::shared_ptr<const ir::Program> ir_;
  std::vector<Diagnostic> diagnostics_;
  std::string path_, sourceHash_;
  Options options_;
};

/// load + check a file. A file that cannot be read is a Usage failure; errors in it an Input failure.
Result<Program> load(const std::string& path, const Options& options);
/// load + check source text as if it were the file `path` (imports resolve relative to it).
Result<Program> checkSource(const std::string& text, const std::string& path, const Options& options);

/// split: a pipeline that calls models, cut into what the runtime runs in order (lower/segments.h);
/// one segment (the pipeline itself) when it calls none.
std::vector<GraphNode> split(const Program& program, const ir::Pipeline& p);

/// lower: the pipeline's Halide Funcs, nothing scheduled. `function` names the C function
/// (default: the pipeline's name); schedules never depend on it.
Result<LoweredPipeline> lower(const Program& program, const ir::Pipeline& p, const std::string& function = "");

/// plan: the Schedule for `target` by `strategy`: heuristic | none | FILE.json | an autoscheduler
/// (mullapudi2016, adams2019, li2018). An autoscheduler schedules a lowering itself: its Schedule
/// carries Halide C++ and cannot be applied to another lowering (apply refuses it).
Result<Schedule> plan(const Program& program, const ir::Pipeline& p, const std::string& strategy, const Halide::Target& target);

/// A lowering with a schedule applied: ready to compile (once: applying changed its Funcs).
struct Scheduled {
  LoweredPipeline lowered;
  Schedule schedule;
  Halide::Target target;
  std::vector<std::string> notes;  ///< e.g. a schedule file planned for another target
};

/// apply: `schedule` on a fresh lowering of `p`, for `target`.
Result<Scheduled> apply(const Program& program, const ir::Pipeline& p, const Schedule& schedule, const Halide::Target& target,
                        const std::string& function = "");
/// lower + plan + apply (for an autoscheduler, the lowering it scheduled).
Result<Scheduled> schedule(const Program& program, const ir::Pipeline& p, const std::string& strategy, const Halide::Target& target,
                           const std::string& function = "");

/// The targets of a library (`--target`: a comma list for a fat library), each one whose code this
/// machine's C compiler and linker can finish (its CPU features may exceed this machine's).
Result<std::vector<Halide::Target>> libraryTargets(const std::string& spec);
/// One target a JIT run executes here.
Result<Halide::Target> jitTarget(const std::string& spec);
/// Empty when `name` can name a library's C function; otherwise what it is instead.
std::string whyNotFunctionName(const std::string& name);

/// What `emitLibrary` is asked to write.
struct LibraryRequest {
  std::string outDir;
  std::vector<Halide::Target> targets;  ///< one variant each; the first is the one `emits` show
  std::string strategy = "heuristic";
  std::string function;                 ///< the library's and C function's name (default: the pipeline's)
  std::vector<std::string> emits;       ///< stmt, html, assembly, schedule
};
struct Library {
  std::string manifestPath;
  std::vector<std::string> files;  ///< everything written, beside the manifest
  size_t segments = 1, modelCalls = 0;
  double seconds = 0;
  std::vector<std::string> notes;  ///< for the user (schedule files planned for another target)
};

/// emit: DIR/NAME.a, libNAME.so, NAME.h and NAME.manifest.json, every target variant lowered and
/// planned for its own target; for a pipeline that calls models, one library per segment, the
/// model files and the graph in the manifest. A failure leaves none of its files behind.
Result<Library> emitLibrary(const Program& program, const ir::Pipeline& p, const LibraryRequest& request);

/// The runtime's view of a pipeline (what its compiled library's manifest says): parameter checks,
/// input checks, output size rules. The JIT uses it, so a script and its library agree.
Signature signatureOf(const ir::Pipeline& p);

/// A pipeline JIT-compiled in this process.
class JitPipeline {
 public:
  virtual ~JitPipeline() = default;
  const Signature& signature() const { return signature_; }
  const Schedule& schedule() const { return schedule_; }
  const Halide::Target& target() const { return target_; }
  double compileMs() const { return compileMs_; }
  /// Runs as a compiled library does (fovea::Pipeline::run): the same checks and size rules;
  /// outputs reused when they fit, allocated otherwise. Throws fovea::Error. Thread-safe.
  virtual void run(const std::vector<Image>& inputs, const Params& params, std::vector<Image>& outputs) = 0;

 protected:
  JitPipeline(Signature s, Schedule schedule, Halide::Target target) : signature_(std::move(s)), schedule_(std::move(schedule)), target_(target) {}
  Signature signature_;
  Schedule schedule_;
  Halide::Target target_;
  double compileMs_ = 0;
};

/// emit, in process: lower + plan + apply + JIT-compile for `target` (one this machine runs).
Result<std::unique_ptr<JitPipeline>> jit(const Program& program, const ir::Pipeline& p, const std::string& strategy, const Halide::Target& target);

/// The stage graph as Graphviz text: stages, how they read each other, what the schedule fused; a
/// pipeline with models as the runtime executes it (segments and model nodes).
Result<std::string> graph(const Program& program, const ir::Pipeline& p, const std::string& strategy, const Halide::Target& target);

}  // namespace fovea::compiler
