#pragma once
// Shared by the subcommands: read, check and report a .fov file; pick a pipeline.

#include <memory>
#include <string>
#include <vector>

#include "sema/ir.h"
#include "support/diagnostics.h"

namespace fovea::driver {

struct CheckedFile {
  std::unique_ptr<SourceManager> sources;
  ir::Program program;
  bool ok = false;  ///< no errors (diagnostics were printed either way)
};

/// Reads, checks and prints diagnostics (text, stderr). `readError` is set when the file cannot
/// be read (a usage error).
CheckedFile checkFileAndReport(const std::string& path, const std::string& stdlibDir, std::string& readError);

/// The pipeline called `name`, or the only one when `name` is empty; nullptr with `error` set.
const ir::Pipeline* selectPipeline(const ir::Program& program, const std::string& name, std::string& error);

}  // namespace fovea::driver
