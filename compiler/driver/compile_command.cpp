// `fovea compile FILE.fov -o DIR`: ahead-of-time compilation into NAME.a, libNAME.so, NAME.h and
// NAME.manifest.json (and, with --emit, the lowered statement, its HTML view, assembly, schedule).
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "codegen/library.h"
#include "codegen/manifest.h"
#include "lower/segments.h"
#include "codegen/targets.h"
#include "driver/commands.h"
#include "driver/load.h"
#include "lower/lower.h"
#include "schedule/apply_schedule.h"
#include "schedule/choose.h"
#include "support/files.h"

namespace fovea::driver {
namespace {
namespace fs = std::filesystem;

}  // namespace

void helpCompileCommand() {
  fmt::print(
      "usage: fovea compile FILE.fov [options] -o DIR\n\n"
      "Compiles every pipeline of FILE.fov (or the one named) ahead of time. For each pipeline NAME\n"
      "it writes DIR/NAME.a (static library), DIR/libNAME.so (shared library), DIR/NAME.h (C header)\n"
      "and DIR/NAME.manifest.json. The exported C function is NAME: its buffer inputs\n"
      "(halide_buffer_t *) and scalar parameters (by value) in declaration order, then its outputs\n"
      "(halide_buffer_t *); it returns 0 or a Halide error code.\n\n"
      "options:\n"
      "  -o DIR              output directory (created if needed)\n"
      "  --pipeline NAME     compile only this pipeline\n"
      "  --function NAME     name the library and its C function NAME (default: the pipeline's name),\n"
      "                      e.g. to link a CPU and a CUDA build of one pipeline into one program\n"
      "  --target T          host | generic | sse41 | avx2 | avx512 | cuda, '-' combinations (avx2-cuda),\n"
      "                      any Halide target string, or a comma list for one fat library that picks\n"
      "                      the best variant at run time (default: {})\n"
      "  --schedule S        heuristic (default) | none | mullapudi2016 | adams2019 | li2018 | FILE.json\n"
      "  --emit LIST         extra outputs, comma separated: stmt, html, assembly, schedule\n"
      "  --stdlib=DIR        where 'import std.<name>;' looks\n"
      "  -h, --help          show this help\n\n"
      "exit status: 0 success, 1 errors in the script or its compilation, 2 usage errors\n",
      kDefaultTargets);
}

namespace {

bool usableFunctionName(const std::string& name) {
  static const std::set<std::string> reserved = {
      "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern", "float", "for", "goto",
      "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch",
      "typedef", "union", "unsigned", "void", "volatile", "while", "bool", "true", "false", "class", "namespace", "template", "new",
      "delete", "main", "malloc", "calloc", "realloc", "free", "abort", "exit", "memcpy", "memset", "memmove", "strlen", "printf",
      // What Halide 14's runtime and the entry file call on x86-64 Linux (`nm -u NAME.a`): the library
      // cannot define these. finishLibrary() checks the archive itself as well.
      "atoi", "dlerror", "dlopen", "dlsym", "fclose", "fileno", "fopen", "fwrite", "getenv", "memcmp", "sched_yield", "syscall", "sysconf",
      "usleep", "write", "posix_memalign", "strncpy", "pthread_create", "pthread_join", "pthread_once", "pthread_setspecific",
      "pthread_key_create", "pthread_key_delete", "pthread_mutex_init", "pthread_mutex_destroy", "pthread_mutex_lock",
      "pthread_mutex_unlock", "pthread_cond_init", "pthread_cond_destroy", "pthread_cond_signal", "pthread_cond_wait"};
  if (name.empty() || halideName(name) != name || reserved.count(name)) return false;
  return name.rfind("halide", 0) != 0 && name.rfind("_", 0) != 0;
}

int fail(const std::string& message) {
  fmt::print(stderr, "fovea compile: {}\n", message);
  return 1;
}

}  // namespace


namespace {

struct CompileJob {
  const CheckedFile* checked;
  std::string file, outDir, strategy, allSources;
  std::vector<Halide::Target> targets;
  std::vector<std::string> targetNames, emits;
};

/// A lowering of a pipeline with the schedule planned for one target applied to it. Each variant
/// of a fat library gets its own: a schedule depends on the target (vector widths, GPU), and
/// applying one changes the Halide Funcs, so a schedule needs a lowering of its own.
struct Variant {
  std::optional<LoweredPipeline> lowered;
  std::optional<Schedule> schedule;
};

/// Thrown out of Halide's per-target callback when a variant cannot be planned (the reasons are
/// in the DiagnosticEngine).
struct VariantFailed {};

/// Lowers `p`, plans (or reads) its schedule for `target` and applies it; nothing in `schedule`
/// when that fails. A schedule file planned for another target is used as written, with a note.
Variant prepareVariant(const CompileJob& job, const ir::Pipeline& p, const std::string& name, const Halide::Target& target,
                       DiagnosticEngine& diags) {
  Variant v;
  v.lowered = lowerPipeline(p, diags, name);
  if (v.lowered) v.schedule = chooseSchedule(job.strategy, p, *v.lowered, target, diags);
  if (!v.lowered || !v.schedule || !applySchedule(*v.lowered, *v.schedule, diags)) {
    v.schedule.reset();
    return v;
  }
  std::string planned = v.schedule->target, wanted = target.to_string();
  bool fromFile = fs::path(job.strategy).extension() == ".json";
  if (fromFile && !planned.empty() && planned != wanted) {
    fmt::print(stderr, "fovea compile: note: schedule '{}' was planned for {}; the {} variant uses it as written (its vector widths and "
                       "GPU tiles may not suit that target)\n",
               job.strategy, planned, wanted);
  }
  return v;
}

/// Compiles one model-free pipeline into DIR/NAME.{a,h,manifest.json} and libNAME.so; its manifest
/// text in `manifestOut`. Returns the exit status.
int compileLibrary(const CompileJob& job, const ir::Pipeline* p, const std::string& name, std::string* manifestOut) {
  const CheckedFile& checked = *job.checked;
  const std::string& file = job.file;
  const std::string& outDir = job.outDir;
  const std::vector<Halide::Target>& targets = job.targets;
  std::string error;
  auto start = std::chrono::steady_clock::now();
  DiagnosticEngine diags(*checked.sources);
  auto printDiagnostics = [&] { fmt::print(stderr, "{}", renderText(diags.diagnostics(), *checked.sources)); };
  // The first target's variant: the one --emit shows, and the schedule the manifest names first.
  Variant first = prepareVariant(job, *p, name, targets[0], diags);
  if (!first.schedule) {
    printDiagnostics();
    return 1;
  }
  std::string prefix = (fs::path(outDir) / name).string();
  // A failed compilation leaves nothing behind that could be mistaken for a library.
  auto failClean = [&](const std::string& message) {
    std::error_code ignored;
    for (const char* suffix : {".a", ".h", ".manifest.json", ".schedule.json", ".stmt", ".stmt.html", ".s"}) fs::remove(prefix + suffix, ignored);
    fs::remove((fs::path(outDir) / ("lib" + name + ".so")).string(), ignored);
    return fail(message);
  };
  // Every variant's schedule, in the order of `targets`.
  std::vector<Schedule> schedules(targets.size());
  schedules[0] = *first.schedule;
  Halide::Pipeline pipeline = first.lowered->pipeline();
  try {
    if (targets.size() == 1) {
      pipeline.compile_to_static_library(prefix, first.lowered->arguments, name, targets[0]);
    } else {
      // Halide asks for each variant's module (its target marked NoRuntime: the runtime is built once).
      auto variantModule = [&](const std::string& fn, const Halide::Target& asked) -> Halide::Module {
        Halide::Target target = asked.without_feature(Halide::Target::NoRuntime);
        size_t i = 0;
        while (i < targets.size() && !(targets[i].without_feature(Halide::Target::NoRuntime) == target)) ++i;
        if (i == 0) return pipeline.compile_to_module(first.lowered->arguments, fn, asked);
        Variant v = prepareVariant(job, *p, name, target, diags);
        if (!v.schedule) throw VariantFailed{};
        if (i < schedules.size()) schedules[i] = *v.schedule;
        return v.lowered->pipeline().compile_to_module(v.lowered->arguments, fn, asked);
      };
      Halide::compile_multitarget(name, {{Halide::OutputFileType::c_header, prefix + ".h"}, {Halide::OutputFileType::static_library, prefix + ".a"}},
                                  targets, {}, variantModule);
    }
    for (const std::string& e : job.emits) {
      if (e == "stmt") pipeline.compile_to_lowered_stmt(prefix + ".stmt", first.lowered->arguments, Halide::Text, targets[0]);
      if (e == "html") pipeline.compile_to_lowered_stmt(prefix + ".stmt.html", first.lowered->arguments, Halide::HTML, targets[0]);
      if (e == "assembly") pipeline.compile_to_assembly(prefix + ".s", first.lowered->arguments, name, targets[0]);
    }
  } catch (const VariantFailed&) {
    printDiagnostics();
    return failClean(fmt::format("'{}' could not be scheduled for every target", p->name));
  } catch (const Halide::Error& e) {
    return failClean(fmt::format("Halide could not compile '{}': {}", p->name, e.what()));
  }
  const Schedule& schedule = schedules[0];
  ManifestInfo info;
  info.targets = job.targetNames;
  for (const Schedule& v : schedules) info.variantSchedules.push_back(v.hash());
  info.sourcePath = file;
  info.sourceHash = hashText(job.allSources);
  info.foveaVersion = FOVEA_VERSION;
  info.function = name;
  info.files = {{"static", name + ".a"}, {"shared", "lib" + name + ".so"}, {"header", name + ".h"}};
  std::string manifestText = buildManifest(*p, schedule, info).dump();
  if (!finishLibrary(outDir, name, *p, manifestText, error)) return failClean(error);
  if (std::find(job.emits.begin(), job.emits.end(), "schedule") != job.emits.end() &&
      !writeFileAtomically(prefix + ".schedule.json", schedule.toJson().dump(), error)) {
    return failClean(fmt::format("cannot write {}.schedule.json: {}", prefix, error));
  }
  if (!writeFileAtomically(prefix + ".manifest.json", manifestText, error)) return failClean(fmt::format("cannot write {}.manifest.json: {}", prefix, error));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("{}: compiled '{}' for {} target{} in {:.1f} s -> {}.a, lib{}.so, {}.h, {}.manifest.json\n", file, p->name, targets.size(),
             targets.size() == 1 ? "" : "s", seconds, prefix, name, name, name);
  if (manifestOut) *manifestOut = manifestText;
  return 0;
}

json::Value tensorsJson(const std::vector<ir::ModelTensor>& tensors) {
  json::Value out = json::Value::array();
  for (const ir::ModelTensor& t : tensors) {
    json::Value shape = json::Value::array();
    for (int64_t d : t.shape) shape.push(d);
    out.push(json::Value::object({{"name", t.name}, {"type", toString(t.type)}, {"shape", std::move(shape)}}));
  }
  return out;
}

/// A pipeline that calls models: its segments as libraries of their own (NAME__s0, ...), the model
/// files copied next to them, and NAME.manifest.json with the graph the runtime executes.
int compileWithModels(const CompileJob& job, const ir::Pipeline& p) {
  auto start = std::chrono::steady_clock::now();
  std::vector<GraphNode> graph = splitAtModels(p);
  json::Value nodes = json::Value::array();
  for (const GraphNode& node : graph) {
    json::Value n = json::Value::object();
    json::Value inputs = json::Value::array(), outputs = json::Value::array();
    for (const std::string& v : node.inputs) inputs.push(v);
    for (const std::string& v : node.outputs) outputs.push(v);
    if (node.kind == GraphNode::Kind::Segment) {
      if (int status = compileLibrary(job, &node.segment, node.segment.name, nullptr); status != 0) return status;
      n.set("kind", "segment");
      n.set("library", node.segment.name);
    } else {
      n.set("kind", "model");
      n.set("model", node.model);
    }
    n.set("inputs", std::move(inputs));
    n.set("outputs", std::move(outputs));
    nodes.push(std::move(n));
  }
  json::Value models = json::Value::array();
  for (const ir::Model& m : p.models) {
    std::string fileName = fmt::format("{}.{}.onnx", p.name, m.name);
    std::error_code ec;
    fs::copy_file(m.path, fs::path(job.outDir) / fileName, fs::copy_options::overwrite_existing, ec);
    if (ec) return fail(fmt::format("cannot copy model '{}' ({}) into {}: {}", m.name, m.path, job.outDir, ec.message()));
    models.push(json::Value::object({{"name", m.name},
                                     {"format", m.format},
                                     {"file", fileName},
                                     {"inputs", tensorsJson(m.inputs)},
                                     {"outputs", tensorsJson(m.outputs)}}));
  }
  Schedule schedule;
  schedule.strategy = job.strategy;
  ManifestInfo info;
  info.targets = job.targetNames;
  info.sourcePath = job.file;
  info.sourceHash = hashText(job.allSources);
  info.foveaVersion = FOVEA_VERSION;
  info.function = p.name;
  json::Value manifest = buildManifest(p, schedule, info);
  manifest.set("graph", json::Value::object({{"nodes", std::move(nodes)}, {"models", std::move(models)}}));
  std::string path = (fs::path(job.outDir) / (p.name + ".manifest.json")).string();
  std::string error;
  if (!writeFileAtomically(path, manifest.dump(), error)) return fail(fmt::format("cannot write {}: {}", path, error));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  size_t segments = static_cast<size_t>(std::count_if(graph.begin(), graph.end(), [](const GraphNode& n) { return n.kind == GraphNode::Kind::Segment; }));
  fmt::print("{}: compiled '{}' ({} segments, {} model call{}) in {:.1f} s -> {}\n", job.file, p.name, segments, graph.size() - segments,
             graph.size() - segments == 1 ? "" : "s", seconds, path);
  return 0;
}

}  // namespace

int runCompile(const std::vector<std::string>& args) {
  std::string file, pipelineName, functionName, outDir, strategy = "heuristic", targetSpec = kDefaultTargets, emit, stdlibDir = defaultStdlibDir();
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      helpCompileCommand();
      return 0;
    }
    bool takesValue = a == "-o" || a == "--pipeline" || a == "--target" || a == "--schedule" || a == "--emit" || a == "--function";
    if (takesValue && i + 1 >= args.size()) return usageError("compile", fmt::format("{} needs a value", a));
    if (a == "-o") outDir = args[++i];
    else if (a == "--pipeline") pipelineName = args[++i];
    else if (a == "--function") functionName = args[++i];
    else if (a == "--target") targetSpec = args[++i];
    else if (a == "--schedule") strategy = args[++i];
    else if (a == "--emit") emit = args[++i];
    else if (a.rfind("--stdlib=", 0) == 0) stdlibDir = a.substr(9);
    else if (a.size() > 1 && a[0] == '-') return usageError("compile", fmt::format("unknown option '{}'", a));
    else if (file.empty()) file = a;
    else return usageError("compile", fmt::format("one script at a time ('{}' and '{}')", file, a));
  }
  if (file.empty()) return usageError("compile", "no script given");
  if (outDir.empty()) return usageError("compile", "no output directory (-o DIR)");
  std::vector<std::string> emits;
  for (std::stringstream list(emit); std::getline(list, emit, ',');) {
    if (emit != "stmt" && emit != "html" && emit != "assembly" && emit != "schedule") {
      return usageError("compile", fmt::format("--emit takes stmt, html, assembly or schedule, not '{}'", emit));
    }
    emits.push_back(emit);
  }
  std::string error;
  std::vector<Halide::Target> targets = parseTargets(targetSpec, error);
  if (targets.empty()) return usageError("compile", error);
  for (const Halide::Target& t : targets) {
    // The entry point and the shared library are built with this machine's C compiler and linker.
    Halide::Target cpu = t.without_feature(Halide::Target::CUDA);
    for (auto f : {Halide::Target::SSE41, Halide::Target::AVX, Halide::Target::AVX2, Halide::Target::FMA, Halide::Target::FMA4,
                   Halide::Target::F16C, Halide::Target::AVX512, Halide::Target::AVX512_KNL, Halide::Target::AVX512_Skylake,
                   Halide::Target::AVX512_Cannonlake, Halide::Target::AVX512_SapphireRapids}) {
      cpu = cpu.without_feature(f);
    }
    if (std::string why = whyNotRunnableHere(cpu); !why.empty()) {
      return usageError("compile", fmt::format("{}: fovea compile builds libraries for this machine's architecture and OS", why));
    }
  }

  std::string readError;
  CheckedFile checked = checkFileAndReport(file, stdlibDir, readError);
  if (!readError.empty()) return usageError("compile", fmt::format("cannot read '{}': {}", file, readError));
  if (!checked.ok) return 1;
  std::vector<const ir::Pipeline*> selected;
  if (pipelineName.empty()) {
    for (const ir::Pipeline& p : checked.program.pipelines) selected.push_back(&p);
    if (selected.empty()) return usageError("compile", fmt::format("'{}' defines no pipeline", file));
  } else {
    const ir::Pipeline* p = selectPipeline(checked.program, pipelineName, error);
    if (!p) return usageError("compile", fmt::format("'{}': {}", file, error));
    selected.push_back(p);
  }
  if (!functionName.empty() && selected.size() != 1) return usageError("compile", "--function needs --pipeline (it names one library)");
  if (!functionName.empty() && !usableFunctionName(functionName)) {
    return usageError("compile", fmt::format("--function '{}' is not a usable C function name (a C identifier that is not a keyword, "
                                             "a C library function or a Halide runtime name)",
                                             functionName));
  }
  for (const ir::Pipeline* p : selected) {
    if (functionName.empty() && p->models.empty() && !usableFunctionName(p->name)) {
      return usageError("compile", fmt::format("pipeline '{}' cannot give its name to a C function (a C keyword, a C library function or a "
                                               "Halide runtime name); name the library with --pipeline {} --function NAME",
                                               p->name, p->name));
    }
  }
  // The output directory: created if missing (and removed again if the compile fails), and able
  // to take files before anything is compiled.
  std::error_code ec;
  bool createdOutDir = !fs::exists(outDir, ec);
  if (createdOutDir) fs::create_directories(outDir, ec);
  if (ec) return fail(fmt::format("cannot create output directory '{}': {}", outDir, ec.message()));
  if (std::string why = whyNotWritableDirectory(outDir); !why.empty()) return fail(fmt::format("output directory '{}' {}", outDir, why));

  std::string allSources;
  for (size_t f = 0; f < checked.sources->fileCount(); ++f) allSources += checked.sources->text(static_cast<FileId>(f));
  std::vector<std::string> targetNames;
  for (const Halide::Target& t : targets) targetNames.push_back(t.to_string());

  CompileJob job{&checked, file, outDir, strategy, allSources, targets, targetNames, emits};
  for (const ir::Pipeline* p : selected) {
    int status = p->models.empty() ? compileLibrary(job, p, functionName.empty() ? p->name : functionName, nullptr) : compileWithModels(job, *p);
    if (status != 0) {
      if (createdOutDir && fs::is_empty(outDir, ec)) fs::remove(outDir, ec);
      return status;
    }
  }
  return 0;
}

}  // namespace fovea::driver
