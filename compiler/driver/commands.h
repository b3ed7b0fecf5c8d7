#pragma once
// The `fovea` command's subcommands. Each takes its arguments (after the subcommand name) and
// returns the process exit code: 0 success, 1 errors in the user's input, 2 usage errors.

#include <string>
#include <vector>

#include "api/compiler.h"

namespace fovea::driver {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const std::vector<std::string>& args);
  void (*help)();
};

const std::vector<Command>& commands();

int runCheck(const std::vector<std::string>& args);
void helpCheck();
int runRun(const std::vector<std::string>& args);
void helpRunCommand();
int runCompile(const std::vector<std::string>& args);
void helpCompileCommand();
int runGraph(const std::vector<std::string>& args);
int runBench(const std::vector<std::string>& args);
void helpBenchCommand();
void helpGraphCommand();

/// The standard library directory: $FOVEA_STDLIB_PATH, else next to the installed binary, else the
/// source tree's stdlib/.
std::string defaultStdlibDir();

/// Prints `fovea <cmd>: message` to stderr and returns 2 (a usage error).
int usageError(const std::string& command, const std::string& message);

/// The exit status of a failure: 2 for a usage error, 1 for errors in the input or its compilation.
int exitStatus(const compiler::Failure& failure);
/// Prints a failure (its diagnostics, then `fovea <cmd>: message`) and returns its exit status.
/// Every command reports every failure through here.
int report(const std::string& command, const compiler::Failure& failure);
/// report() of an error in the input (exit status 1) that has only a message.
int fail(const std::string& command, const std::string& message);
/// `--dump-after LIST`: the passes whose results go to stdout. An error message, or empty.
std::string addDumpAfter(const std::string& list, compiler::Options& options);
/// Prints a checked program's warnings.
void printWarnings(const compiler::Program& program);

}  // namespace fovea::driver
