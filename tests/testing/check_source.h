#pragma once
// Test helpers: run the front end and sema on a file or a string, in process.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sema/ir.h"
#include "support/diagnostics.h"

namespace fovea::test {

struct CheckResult {
  std::unique_ptr<SourceManager> sources;
  std::vector<Diagnostic> diagnostics;
  ir::Program program;
  size_t errors = 0;

  /// The diagnostics as text, for failure messages.
  std::string text() const;
};

/// Checks source text as if it were the file `path` (imports resolve relative to it).
CheckResult checkSource(const std::string& text, const std::string& path = "test.fov");
/// Reads and checks a file.
CheckResult checkFile(const std::string& path);

/// Runs `fn` on a thread with a large stack (as the fovea binary does).
void runWithLargeStack(const std::function<void()>& fn);

}  // namespace fovea::test
