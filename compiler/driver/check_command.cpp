// `fovea check FILE.fov...`: parse and check, print diagnostics (text or JSON) and a summary.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "driver/commands.h"
#include "frontend/imports.h"
#include "sema/ir.h"
#include "sema/sema.h"
#include "support/diagnostics.h"
#include "support/files.h"

#ifndef FOVEA_SOURCE_STDLIB_DIR
#define FOVEA_SOURCE_STDLIB_DIR "stdlib"
#endif

namespace fovea::driver {
namespace fs = std::filesystem;

std::string defaultStdlibDir() {
  if (const char* env = std::getenv("FOVEA_STDLIB_PATH"); env && *env) return env;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed = exe.parent_path().parent_path() / "share" / "fovea" / "stdlib";
    if (fs::is_directory(installed, ec)) return installed.string();
  }
  return FOVEA_SOURCE_STDLIB_DIR;
}

int usageError(const std::string& command, const std::string& message) {
  fmt::print(stderr, "fovea {}: {}\n(see 'fovea {} --help')\n", command, message, command);
  return 2;
}

void helpCheck() {
  fmt::print(
      "usage: fovea check [options] FILE.fov...\n\n"
      "Parses and checks Fovea pipeline scripts (and everything they import) and reports every\n"
      "error with its location. Nothing is compiled.\n\n"
      "options:\n"
      "  --diagnostics=text|json  how to print diagnostics (default text, on stderr; json goes to\n"
      "                           stdout as one document: {{\"diagnostics\": [...]}})\n"
      "  --color=auto|always|never  colored text diagnostics (default auto: when stderr is a terminal)\n"
      "  --stdlib=DIR             where 'import std.<name>;' looks (default: $FOVEA_STDLIB_PATH or the\n"
      "                           bundled standard library)\n"
      "  --dump-ir                print the checked IR of every pipeline\n"
      "  -q, --quiet              print diagnostics only, no summary\n"
      "  -h, --help               show this help\n\n"
      "exit status: 0 when every file is valid, 1 when any has errors, 2 on a usage error\n"
      "(an unknown option, or a file that cannot be read)\n");
}

int runCheck(const std::vector<std::string>& args) {
  std::vector<std::string> files;
  bool json = false, dumpIr = false, quiet = false;
  std::string color = "auto";
  std::string stdlibDir = defaultStdlibDir();
  for (const std::string& a : args) {
    if (a == "-h" || a == "--help") {
      helpCheck();
      return 0;
    }
    if (a.rfind("--diagnostics=", 0) == 0) {
      std::string v = a.substr(14);
      if (v != "text" && v != "json") return usageError("check", fmt::format("--diagnostics must be 'text' or 'json', not '{}'", v));
      json = v == "json";
    } else if (a.rfind("--color=", 0) == 0) {
      color = a.substr(8);
      if (color != "auto" && color != "always" && color != "never") return usageError("check", "--color must be auto, always or never");
    } else if (a.rfind("--stdlib=", 0) == 0) {
      stdlibDir = a.substr(9);
    } else if (a == "--dump-ir") {
      dumpIr = true;
    } else if (a == "-q" || a == "--quiet") {
      quiet = true;
    } else if (a.size() > 1 && a[0] == '-') {
      return usageError("check", fmt::format("unknown option '{}'", a));
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) return usageError("check", "no input files");
  if (json && dumpIr) return usageError("check", "--dump-ir prints text; it cannot be combined with --diagnostics=json");

  SourceManager sources;
  std::vector<FileId> ids;
  for (const std::string& f : files) {
    std::string text, error;
    if (!readTextFile(f, text, error)) return usageError("check", fmt::format("cannot read '{}': {}", f, error));
    ids.push_back(sources.addFile(f, std::move(text)));
  }
  bool useColor = color == "always" || (color == "auto" && isatty(STDERR_FILENO));

  std::vector<Diagnostic> all;
  size_t failed = 0, pipelines = 0;
  for (FileId id : ids) {
    DiagnosticEngine diags(sources);
    std::vector<ast::Module> modules = loadModules(sources, id, diags, ImportOptions{stdlibDir});
    ir::Program program = checkProgram(modules, diags);
    if (diags.hasErrors()) ++failed;
    diags.sortBySource();
    if (!diags.hasErrors()) pipelines += program.pipelines.size();
    if (!json) fmt::print(stderr, "{}", renderText(diags.diagnostics(), sources, useColor));
    all.insert(all.end(), diags.diagnostics().begin(), diags.diagnostics().end());
    if (dumpIr && !diags.hasErrors()) {
      for (const ir::Pipeline& p : program.pipelines) fmt::print("{}", ir::dump(p));
    }
    if (!quiet && !json) {
      std::string names;
      for (const ir::Pipeline& p : program.pipelines) names += (names.empty() ? "" : ", ") + p.name;
      if (diags.hasErrors()) {
        fmt::print("FAIL {} ({} error{})\n", sources.path(id), diags.errorCount(), diags.errorCount() == 1 ? "" : "s");
      } else {
        fmt::print("ok   {} ({} pipeline{}{}{})\n", sources.path(id), program.pipelines.size(), program.pipelines.size() == 1 ? "" : "s",
                   names.empty() ? "" : ": ", names);
      }
      std::fflush(stdout);  // keep the summary next to its diagnostics (stderr) when both are piped
    }
  }
  if (json) fmt::print("{}", renderJson(all, sources));
  if (!quiet && !json && files.size() > 1) {
    fmt::print("{} file{} checked: {} valid, {} with errors; {} valid pipeline{}\n", files.size(), files.size() == 1 ? "" : "s",
               files.size() - failed, failed, pipelines, pipelines == 1 ? "" : "s");
  }
  return failed ? 1 : 0;
}

const std::vector<Command>& commands() {
  static const std::vector<Command> list = {
      {"check", "parse and check pipeline scripts, report every error", runCheck, helpCheck},
      {"compile", "compile pipelines ahead of time into .a/.so/.h/manifest", runCompile, helpCompileCommand},
      {"graph", "draw a pipeline's stage graph with its fusion and schedule (dot/svg/png)", runGraph, helpGraphCommand},
      {"run", "JIT-compile a pipeline and run it on images, with timing", runRun, helpRunCommand},
  };
  return list;
}

}  // namespace fovea::driver
