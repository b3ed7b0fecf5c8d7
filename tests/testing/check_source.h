#pragma once
// Test helpers: load and check a file or a string through the compiler API, in process.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sema/ir.h"
#include "support/diagnostics.h"

namespace fovea::test {

struct CheckResult {
  std::shared_ptr<const SourceManager> sources;
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
