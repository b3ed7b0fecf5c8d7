// What every subcommand shares: the list of commands, the standard library's location, and the one
// place where a failure becomes a message and an exit status.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <fmt/format.h>

#include "driver/commands.h"

#ifndef FOVEA_SOURCE_STDLIB_DIR
#define FOVEA_SOURCE_STDLIB_DIR "stdlib"
#endif

namespace fovea::driver {
namespace fs = std::filesystem;

const std::vector<Command>& commands() {
  static const std::vector<Command> list = {
      {"bench", "measure a pipeline: latency percentiles, throughput, memory, memcpy floor", runBench, helpBenchCommand},
      {"check", "parse and check pipeline scripts, report every error", runCheck, helpCheck},
      {"compile", "compile pipelines ahead of time into .a/.so/.h/manifest", runCompile, helpCompileCommand},
      {"graph", "draw a pipeline's stage graph with its fusion and schedule (dot/svg/png)", runGraph, helpGraphCommand},
      {"run", "JIT-compile a pipeline and run it on images, with timing", runRun, helpRunCommand},
  };
  return list;
}

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

int exitStatus(const compiler::Failure& failure) { return failure.kind == compiler::Failure::Kind::Usage ? 2 : 1; }

int report(const std::string& command, const compiler::Failure& failure) {
  if (failure.sources) fmt::print(stderr, "{}", renderText(failure.diagnostics, *failure.sources, isatty(STDERR_FILENO)));
  if (failure.kind == compiler::Failure::Kind::Usage) return usageError(command, failure.message);
  if (!failure.message.empty()) fmt::print(stderr, "fovea {}: {}\n", command, failure.message);
  return exitStatus(failure);
}

int fail(const std::string& command, const std::string& message) {
  return report(command, Failure::input(message));
}

std::string addDumpAfter(const std::string& list, compiler::Options& options) {
  std::string name;
  for (std::stringstream in(list); std::getline(in, name, ',');) {
    std::optional<compiler::Pass> pass = compiler::parsePass(name);
    if (!pass) return fmt::format("--dump-after takes {}, not '{}'", compiler::passNames(), name);
    options.dumpAfter.insert(*pass);
  }
  options.dump = [](compiler::Pass pass, const std::string& what, const std::string& text) {
    fmt::print("// ---- after {}: {}\n{}{}", compiler::toString(pass), what, text, text.empty() || text.back() == '\n' ? "" : "\n");
    std::fflush(stdout);
  };
  return "";
}

void printWarnings(const compiler::Program& program) {
  fmt::print(stderr, "{}", renderText(program.diagnostics(), program.sources(), isatty(STDERR_FILENO)));
}

}  // namespace fovea::driver
