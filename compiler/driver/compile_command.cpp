// `fovea compile FILE.fov -o DIR`: ahead-of-time compilation into NAME.a, libNAME.so, NAME.h and
// NAME.manifest.json (and, with --emit, the lowered statement, its HTML view, assembly, schedule).
#include <filesystem>
#include <sstream>

#include <fmt/format.h>

#include "codegen/targets.h"
#include "driver/commands.h"

namespace fovea::driver {
namespace fs = std::filesystem;

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
      "  --dump-after PASS   print what a pass produced, on stdout: {} (a comma list,\n"
      "                      or the option again)\n"
      "  --stdlib=DIR        where 'import std.<name>;' looks\n"
      "  -h, --help          show this help\n\n"
      "exit status: 0 success, 1 errors in the script or its compilation, 2 usage errors\n",
      kDefaultTargets, compiler::passNames());
}

int runCompile(const std::vector<std::string>& args) {
  std::string file, pipelineName, functionName, outDir, strategy = "heuristic", targetSpec = kDefaultTargets, emit;
  compiler::Options options{defaultStdlibDir(), {}, {}};
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      helpCompileCommand();
      return 0;
    }
    bool takesValue = a == "-o" || a == "--pipeline" || a == "--target" || a == "--schedule" || a == "--emit" || a == "--function" || a == "--dump-after";
    if (takesValue && i + 1 >= args.size()) return usageError("compile", fmt::format("{} needs a value", a));
    if (a == "-o") outDir = args[++i];
    else if (a == "--pipeline") pipelineName = args[++i];
    else if (a == "--function") functionName = args[++i];
    else if (a == "--target") targetSpec = args[++i];
    else if (a == "--schedule") strategy = args[++i];
    else if (a == "--emit") emit = args[++i];
    else if (a == "--dump-after") {
      if (std::string error = addDumpAfter(args[++i], options); !error.empty()) return usageError("compile", error);
    } else if (a.rfind("--stdlib=", 0) == 0) options.stdlibDir = a.substr(9);
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
  if (!functionName.empty()) {
    if (std::string what = compiler::whyNotFunctionName(functionName); !what.empty()) {
      return usageError("compile", fmt::format("--function '{}' is not a usable C function name (a C identifier that is not a keyword, "
                                               "a C library function or a Halide runtime name)",
                                               functionName));
    }
  }
  compiler::Result<std::vector<Halide::Target>> targets = compiler::libraryTargets(targetSpec);
  if (!targets) return report("compile", targets.failure());
  compiler::Result<compiler::Program> program = compiler::load(file, options);
  if (!program) return report("compile", program.failure());
  printWarnings(*program);
  std::vector<const ir::Pipeline*> selected;
  if (pipelineName.empty()) {
    for (const ir::Pipeline& p : program->ir().pipelines) selected.push_back(&p);
    if (selected.empty()) return usageError("compile", fmt::format("'{}' defines no pipeline", file));
  } else {
    compiler::Result<const ir::Pipeline*> p = program->pipeline(pipelineName);
    if (!p) return report("compile", p.failure());
    selected.push_back(*p);
  }
  if (!functionName.empty() && selected.size() != 1) return usageError("compile", "--function needs --pipeline (it names one library)");
  for (const ir::Pipeline* p : selected) {
    if (functionName.empty() && p->models.empty() && !compiler::whyNotFunctionName(p->name).empty()) {
      return usageError("compile", fmt::format("pipeline '{}' cannot give its name to a C function (a C keyword, a C library function or a "
                                               "Halide runtime name); name the library with --pipeline {} --function NAME",
                                               p->name, p->name));
    }
  }
  compiler::LibraryRequest request{outDir, *targets, strategy, functionName, emits};
  for (const ir::Pipeline* p : selected) {
    compiler::Result<compiler::Library> library = compiler::emitLibrary(*program, *p, request);
    if (!library) return report("compile", library.failure());
    for (const std::string& note : library->notes) fmt::print(stderr, "fovea compile: note: {}\n", note);
    if (p->models.empty()) {
      std::string name = functionName.empty() ? p->name : functionName;
      std::string prefix = (fs::path(outDir) / name).string();
      size_t n = targets->size();
      fmt::print("{}: compiled '{}' for {} target{} in {:.1f} s -> {}.a, lib{}.so, {}.h, {}.manifest.json\n", file, p->name, n, n == 1 ? "" : "s",
                 library->seconds, prefix, name, name, name);
    } else {
      fmt::print("{}: compiled '{}' ({} segments, {} model call{}) in {:.1f} s -> {}\n", file, p->name, library->segments, library->modelCalls,
                 library->modelCalls == 1 ? "" : "s", library->seconds, library->manifestPath);
    }
  }
  return 0;
}

}  // namespace fovea::driver
