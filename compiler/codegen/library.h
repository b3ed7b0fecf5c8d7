#pragma once
/// Finishes a library Halide wrote (DIR/NAME.a, DIR/NAME.h): the pipeline's C function never
/// aborts the process. Halide's default error handler calls abort(); the library installs one that
/// records the message instead (the program can still install its own), the function returns
/// Halide's error code, and `const char *NAME_last_error(void)` gives the message. Then links
/// DIR/libNAME.so from the archive.
///
///     if (!finishLibrary(dir, pipeline, error)) ...

#include <string>

#include "sema/ir.h"

namespace fovea {

/// `name` is the library's (and its C function's) name.
/// `manifest` (NAME.manifest.json's text) is embedded for the runtime.
bool finishLibrary(const std::string& dir, const std::string& name, const ir::Pipeline& p, const std::string& manifest, std::string& error);

/// Runs a program (no shell); its exit status, or -1 when it could not be started.
int runProcess(const std::vector<std::string>& argv);

}  // namespace fovea
