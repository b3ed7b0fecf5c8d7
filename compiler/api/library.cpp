// The emit pass for libraries: every target variant of a fat library lowered and planned for its
// own target (compiler.cpp's schedule()), Halide's object code, the entry file and shared library
// (codegen/library), the manifest (codegen/manifest); for pipelines with models, one library per
// segment and the graph the runtime executes.
#include <chrono>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "api/compiler.h"
#include "codegen/library.h"
#include "codegen/manifest.h"
#include "codegen/targets.h"
#include "support/files.h"

#ifndef FOVEA_VERSION
#define FOVEA_VERSION "0.0.0"
#endif

namespace fovea::compiler {
namespace {
namespace fs = std::filesystem;


/// Thrown out of Halide's per-target callback when a variant cannot be scheduled.
struct VariantFailed {
  Failure failure;
};

/// One model-free pipeline (or segment) into DIR/NAME.{a,h,manifest.json} and libNAME.so.
Result<Library> emitOne(const Program& program, const ir::Pipeline& p, const std::string& name, const LibraryRequest& request) {
  const std::vector<Halide::Target>& targets = request.targets;
  auto start = std::chrono::steady_clock::now();
  Library library;
  // The first target's variant: the one --emit shows, and the schedule the manifest names first.
  Result<Scheduled> first = schedule(program, p, request.strategy, targets[0], name);
  if (!first) return first.failure();
  library.notes = first->notes;
  std::string prefix = (fs::path(request.outDir) / name).string();
  std::vector<std::string> written = {name + ".a", "lib" + name + ".so", name + ".h"};
  // A failed compilation leaves nothing behind that could be mistaken for a library.
  auto failClean = [&](Failure f) {
    std::error_code ignored;
    for (const char* suffix : {".a", ".h", ".manifest.json", ".schedule.json", ".stmt", ".stmt.html", ".s"}) fs::remove(prefix + suffix, ignored);
    fs::remove((fs::path(request.outDir) / ("lib" + name + ".so")).string(), ignored);
    return f;
  };
  std::vector<Schedule> schedules(targets.size());
  schedules[0] = first->schedule;
  Halide::Pipeline pipeline = first->lowered.pipeline();
  const std::vector<Halide::Argument>& arguments = first->lowered.arguments;
  try {
    if (targets.size() == 1) {
      pipeline.compile_to_static_library(prefix, arguments, name, targets[0]);
    } else {
      // Halide asks for each variant's module (its target marked NoRuntime: the runtime is built once).
      auto variantModule = [&](const std::string& fn, const Halide::Target& asked) -> Halide::Module {
        Halide::Target target = asked.without_feature(Halide::Target::NoRuntime);
        size_t i = 0;
        while (i < targets.size() && !(targets[i].without_feature(Halide::Target::NoRuntime) == target)) ++i;
        if (i == 0) return pipeline.compile_to_module(arguments, fn, asked);
        Result<Scheduled> v = schedule(program, p, request.strategy, target, name);
        if (!v) throw VariantFailed{v.failure()};
        if (i < schedules.size()) schedules[i] = v->schedule;
        for (const std::string& note : v->notes) library.notes.push_back(note);
        return v->lowered.pipeline().compile_to_module(v->lowered.arguments, fn, asked);
      };
      Halide::compile_multitarget(name, {{Halide::OutputFileType::c_header, prefix + ".h"}, {Halide::OutputFileType::static_library, prefix + ".a"}},
                                  targets, {}, variantModule);
    }
    for (const std::string& e : request.emits) {
      if (e == "stmt") pipeline.compile_to_lowered_stmt(prefix + ".stmt", arguments, Halide::Text, targets[0]);
      if (e == "html") pipeline.compile_to_lowered_stmt(prefix + ".stmt.html", arguments, Halide::HTML, targets[0]);
      if (e == "assembly") pipeline.compile_to_assembly(prefix + ".s", arguments, name, targets[0]);
      if (e == "stmt") written.push_back(name + ".stmt");
      if (e == "html") written.push_back(name + ".stmt.html");
      if (e == "assembly") written.push_back(name + ".s");
    }
  } catch (const VariantFailed& v) {
    Failure f = v.failure;
    f.message = fmt::format("'{}' could not be scheduled for every target", p.name);
    return failClean(std::move(f));
  } catch (const Halide::Error& e) {
    return failClean(Failure::compile(fmt::format("Halide could not compile '{}': {}", p.name, e.what())));
  }
  ManifestInfo info;
  for (const Halide::Target& t : targets) info.targets.push_back(t.to_string());
  for (const Schedule& v : schedules) info.variantSchedules.push_back(v.hash());
  info.sourcePath = program.path();
  info.sourceHash = program.sourceHash();
  info.foveaVersion = FOVEA_VERSION;
  info.function = name;
  info.files = {{"static", name + ".a"}, {"shared", "lib" + name + ".so"}, {"header", name + ".h"}};
  std::string manifestText = buildManifest(p, schedules[0], info).dump();
  if (Status finished = finishLibrary(request.outDir, name, p, manifestText); !finished) return failClean(finished.failure());
  if (std::find(request.emits.begin(), request.emits.end(), "schedule") != request.emits.end()) {
    if (Status w = writeFileAtomically(prefix + ".schedule.json", schedules[0].toJson().dump()); !w) {
      return failClean(w.failure().context(fmt::format("cannot write {}.schedule.json: ", prefix)));
    }
    written.push_back(name + ".schedule.json");
  }
  library.manifestPath = prefix + ".manifest.json";
  if (Status w = writeFileAtomically(library.manifestPath, manifestText); !w) {
    return failClean(w.failure().context(fmt::format("cannot write {}: ", library.manifestPath)));
  }
  library.files = written;
  library.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return library;
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
Result<Library> emitWithModels(const Program& program, const ir::Pipeline& p, const std::vector<GraphNode>& graph, const LibraryRequest& request) {
  auto start = std::chrono::steady_clock::now();
  Library library;
  library.segments = library.modelCalls = 0;
  json::Value nodes = json::Value::array();
  for (const GraphNode& node : graph) {
    json::Value n = json::Value::object();
    json::Value inputs = json::Value::array(), outputs = json::Value::array();
    for (const std::string& v : node.inputs) inputs.push(v);
    for (const std::string& v : node.outputs) outputs.push(v);
    if (node.kind == GraphNode::Kind::Segment) {
      Result<Library> segment = emitOne(program, node.segment, node.segment.name, request);
      if (!segment) return segment.failure();
      library.files.insert(library.files.end(), segment->files.begin(), segment->files.end());
      library.files.push_back(node.segment.name + ".manifest.json");
      library.notes.insert(library.notes.end(), segment->notes.begin(), segment->notes.end());
      ++library.segments;
      n.set("kind", "segment");
      n.set("library", node.segment.name);
    } else {
      ++library.modelCalls;
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
    fs::copy_file(m.path, fs::path(request.outDir) / fileName, fs::copy_options::overwrite_existing, ec);
    if (ec) return Failure::compile(fmt::format("cannot copy model '{}' ({}) into {}: {}", m.name, m.path, request.outDir, ec.message()));
    library.files.push_back(fileName);
    models.push(json::Value::object({{"name", m.name},
                                     {"format", m.format},
                                     {"file", fileName},
                                     {"inputs", tensorsJson(m.inputs)},
                                     {"outputs", tensorsJson(m.outputs)}}));
  }
  Schedule schedule;
  schedule.strategy = request.strategy;
  ManifestInfo info;
  for (const Halide::Target& t : request.targets) info.targets.push_back(t.to_string());
  info.sourcePath = program.path();
  info.sourceHash = program.sourceHash();
  info.foveaVersion = FOVEA_VERSION;
  info.function = p.name;
  json::Value manifest = buildManifest(p, schedule, info);
  manifest.set("graph", json::Value::object({{"nodes", std::move(nodes)}, {"models", std::move(models)}}));
  library.manifestPath = (fs::path(request.outDir) / (p.name + ".manifest.json")).string();
  if (Status w = writeFileAtomically(library.manifestPath, manifest.dump()); !w) {
    return w.failure().context(fmt::format("cannot write {}: ", library.manifestPath));
  }
  library.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return library;
}

}  // namespace

std::string whyNotFunctionName(const std::string& name) {
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
  bool usable = !name.empty() && halideName(name) == name && !reserved.count(name) && name.rfind("halide", 0) != 0 && name.rfind("_", 0) != 0;
  return usable ? "" : "a C keyword, a C library function or a Halide runtime name";
}

Result<std::vector<Halide::Target>> libraryTargets(const std::string& spec) {
  Result<std::vector<Halide::Target>> targets = parseTargets(spec);
  if (!targets) return targets.failure();
  for (const Halide::Target& t : *targets) {
    // The entry point and the shared library are built with this machine's C compiler and linker.
    Halide::Target cpu = t.without_feature(Halide::Target::CUDA);
    for (auto f : {Halide::Target::SSE41, Halide::Target::AVX, Halide::Target::AVX2, Halide::Target::FMA, Halide::Target::FMA4,
                   Halide::Target::F16C, Halide::Target::AVX512, Halide::Target::AVX512_KNL, Halide::Target::AVX512_Skylake,
                   Halide::Target::AVX512_Cannonlake, Halide::Target::AVX512_SapphireRapids}) {
      cpu = cpu.without_feature(f);
    }
    if (std::string why = whyNotRunnableHere(cpu); !why.empty()) {
      return Failure::usage(fmt::format("{}: fovea compile builds libraries for this machine's architecture and OS", why));
    }
  }
  return targets;
}

Result<Library> emitLibrary(const Program& program, const ir::Pipeline& p, const LibraryRequest& request) {
  if (request.targets.empty()) return Failure::usage("no target to compile for");
  std::string name = request.function.empty() ? p.name : request.function;
  if (std::string why = whyNotFunctionName(name); p.models.empty() && !why.empty()) {
    return Failure::usage(fmt::format("'{}' cannot name the library's C function: it is {}", name, why));
  }
  // The output directory: created if missing (and removed again if the compile fails), and able
  // to take files before anything is compiled.
  std::error_code ec;
  bool created = !fs::exists(request.outDir, ec);
  if (created) fs::create_directories(request.outDir, ec);
  if (ec) return Failure::compile(fmt::format("cannot create output directory '{}': {}", request.outDir, ec.message()));
  if (std::string why = whyNotWritableDirectory(request.outDir); !why.empty()) {
    return Failure::compile(fmt::format("output directory '{}' {}", request.outDir, why));
  }
  std::vector<GraphNode> graph = split(program, p);  // one segment, the pipeline itself, when it calls no model
  Result<Library> library = p.models.empty() ? emitOne(program, p, name, request) : emitWithModels(program, p, graph, request);
  if (!library && created && fs::is_empty(request.outDir, ec)) fs::remove(request.outDir, ec);
  return library;
}

}  // namespace fovea::compiler
