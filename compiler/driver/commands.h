#pragma once
// The `fovea` command's subcommands. Each takes its arguments (after the subcommand name) and
// returns the process exit code: 0 success, 1 errors in the user's input, 2 usage errors.

#include <string>
#include <vector>

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
void helpGraphCommand();

/// The standard library directory: $FOVEA_STDLIB_PATH, else next to the installed binary, else the
/// source tree's stdlib/.
std::string defaultStdlibDir();

/// Prints `fovea <cmd>: message` to stderr and returns 2 (a usage error).
int usageError(const std::string& command, const std::string& message);

}  // namespace fovea::driver
