#pragma once
/// Loads a module and, transitively, everything it imports: `import std.filters;` from the
/// standard library directory, `import "lib/ops.fov";` relative to the importing file. Each file is
/// read and parsed once, whatever the number of paths that lead to it.
///
///     std::vector<ast::Module> modules = loadModules(sources, mainId, diags, {stdlibDir});
///     // modules[0] is the main file

#include <string>
#include <vector>

#include "frontend/ast.h"
#include "support/diagnostics.h"

namespace fovea {

struct ImportOptions {
  std::string stdlibDir;  ///< where `std.<name>` modules live
};

std::vector<ast::Module> loadModules(SourceManager& sources, FileId mainFile, DiagnosticEngine& diags,
                                     const ImportOptions& options);


}  // namespace fovea
