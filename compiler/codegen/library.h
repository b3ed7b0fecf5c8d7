#pragma once
/// Finishes a library Halide wrote (DIR/NAME.a, DIR/NAME.h): the pipeline's C function never
/// aborts the process. Halide's default error handler calls abort(); the library installs one that
/// records the message instead (the program can still install its own), the function returns
/// Halide's error code, and `const char *NAME_last_error(void)` gives the message. Then links
/// DIR/libNAME.so from the archive.
///
///     if (Status s = finishLibrary(dir, name, pipeline, manifest); !s) ...

#include <string>
#include <vector>

#include "sema/ir.h"
#include "support/result.h"

namespace fovea {

/// `name` is the library's (and its C function's) name.
/// `manifest` (NAME.manifest.json's text) is embedded for the runtime.
Status finishLibrary(const std::string& dir, const std::string& name, const ir::Pipeline& p, const std::string& manifest);

struct ProcessResult {
  int status = -1;     ///< the exit status; -1 when it could not be started or died of a signal
  std::string output;  ///< what it printed (stdout and stderr, at most 16 KiB)
};

/// Runs a program (no shell), capturing what it prints.
ProcessResult runProcess(const std::vector<std::string>& argv);

}  // namespace fovea
