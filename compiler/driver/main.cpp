// The `fovea` command: dispatches to a subcommand. The work runs on a thread with a large stack so
// that deeply nested (but accepted) programs cannot overflow it.
#include <pthread.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "driver/commands.h"

#ifndef FOVEA_VERSION
#define FOVEA_VERSION "0.0.0"
#endif

namespace {

void printUsage(std::FILE* out) {
  fmt::print(out,
             "fovea {}: a compiler for image-processing pipelines\n\n"
             "usage: fovea <command> [options] [files]\n\n"
             "commands:\n",
             FOVEA_VERSION);
  for (const auto& c : fovea::driver::commands()) fmt::print(out, "  {:<10} {}\n", c.name, c.summary);
  fmt::print(out,
             "\noptions:\n"
             "  -h, --help     show this help (fovea <command> --help shows the command's)\n"
             "  --version      print the version\n\n"
             "exit status: 0 success, 1 errors in the input, 2 usage errors\n");
}

int realMain(int argc, char** argv) {
  if (argc < 2) {
    printUsage(stderr);
    return 2;
  }
  std::string first = argv[1];
  if (first == "-h" || first == "--help" || first == "help") {
    if (first == "help" && argc > 2) {
      for (const auto& c : fovea::driver::commands()) {
        if (argv[2] == std::string(c.name)) {
          c.help();
          return 0;
        }
      }
      fmt::print(stderr, "fovea: unknown command '{}'\n\n", argv[2]);
      printUsage(stderr);
      return 2;
    }
    printUsage(stdout);
    return 0;
  }
  if (first == "--version") {
    fmt::print("fovea {}\n", FOVEA_VERSION);
    return 0;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const auto& c : fovea::driver::commands()) {
    if (first == c.name) return c.run(args);
  }
  fmt::print(stderr, "fovea: unknown command '{}'\n\n", first);
  printUsage(stderr);
  return 2;
}

struct MainArgs {
  int argc;
  char** argv;
  int result;
};

void* threadMain(void* p) {
  auto* args = static_cast<MainArgs*>(p);
  args->result = realMain(args->argc, args->argv);
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  // Halide's autoschedulers narrate their search on stderr (pages of it, at log level 0); the
  // program, not the compiler library, decides: quiet unless FOVEA_AUTOSCHEDULER_LOG (or Halide's
  // own HL_DEBUG_AUTOSCHEDULE) is set. Set before any thread starts and before Halide reads it.
  if (!std::getenv("FOVEA_AUTOSCHEDULER_LOG")) setenv("HL_DEBUG_AUTOSCHEDULE", "-1", /*overwrite=*/0);
  MainArgs args{argc, argv, 0};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, size_t{512} << 20);
  pthread_t thread;
  if (pthread_create(&thread, &attr, threadMain, &args) != 0) return realMain(argc, argv);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
  return args.result;
}
