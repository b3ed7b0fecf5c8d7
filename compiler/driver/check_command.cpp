// `fovea check FILE.fov...`: parse and check, print diagnostics (text or JSON) and a summary.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "driver/commands.h"
#include "support/files.h"

namespace fovea::driver {
namespace fs = std::filesystem;

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

  compiler::Options options{stdlibDir, {}, {}};
  if (dumpIr) {
    options.dumpAfter = {compiler::Pass::Check};
    options.dump = [](compiler::Pass, const std::string&, const std::string& text) { fmt::print("{}", text); };
  }
  bool useColor = color == "always" || (color == "auto" && isatty(STDERR_FILENO));
  // Every file is read before any is checked: an unreadable one is a usage error.
  std::vector<std::string> texts(files.size());
  for (size_t f = 0; f < files.size(); ++f) {
    Result<std::string> text = readTextFile(files[f]);
    if (!text) return usageError("check", fmt::format("cannot read '{}': {}", files[f], text.failure().message));
    texts[f] = std::move(*text);
  }
  std::string jsonItems;
  size_t failed = 0, pipelines = 0;
  for (size_t f = 0; f < files.size(); ++f) {
    compiler::Result<compiler::Program> program = compiler::checkSource(texts[f], files[f], options);
    const std::vector<Diagnostic>& diagnostics = program ? program->diagnostics() : program.failure().diagnostics;
    const SourceManager& sources = program ? program->sources() : *program.failure().sources;
    if (!program) ++failed;
    if (!json) fmt::print(stderr, "{}", renderText(diagnostics, sources, useColor));
    std::string items = renderJsonItems(diagnostics, sources);
    if (!items.empty()) jsonItems += (jsonItems.empty() ? "" : ",") + items;
    if (!quiet && !json) {
      if (!program) {
        size_t errors = static_cast<size_t>(
            std::count_if(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& d) { return d.severity == Severity::Error; }));
        fmt::print("FAIL {} ({} error{})\n", files[f], errors, errors == 1 ? "" : "s");
      } else {
        std::string names;
        for (const ir::Pipeline& p : program->ir().pipelines) names += (names.empty() ? "" : ", ") + p.name;
        size_t n = program->ir().pipelines.size();
        fmt::print("ok   {} ({} pipeline{}{}{})\n", files[f], n, n == 1 ? "" : "s", names.empty() ? "" : ": ", names);
      }
      std::fflush(stdout);  // keep the summary next to its diagnostics (stderr) when both are piped
    }
    if (program) pipelines += program->ir().pipelines.size();
  }
  if (json) fmt::print("{{\"diagnostics\":[{}]}}\n", jsonItems);
  if (!quiet && !json && files.size() > 1) {
    fmt::print("{} file{} checked: {} valid, {} with errors; {} valid pipeline{}\n", files.size(), files.size() == 1 ? "" : "s",
               files.size() - failed, failed, pipelines, pipelines == 1 ? "" : "s");
  }
  return failed ? 1 : 0;
}

}  // namespace fovea::driver
