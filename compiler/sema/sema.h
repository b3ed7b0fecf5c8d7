#pragma once
/// Semantic checks: resolves names, infers and checks types and dimensions, instantiates functions,
/// and builds the checked IR of every pipeline in the main module.
///
///     std::vector<ast::Module> modules = loadModules(sources, id, diags, {stdlibDir});
///     ir::Program program = checkProgram(modules, diags);
///     if (diags.hasErrors()) ...

#include <vector>

#include "frontend/ast.h"
#include "sema/ir.h"
#include "support/diagnostics.h"

namespace fovea {

/// `modules[0]` is the main file; the others were imported (their functions and constants are
/// visible everywhere, their pipelines are checked but not returned).
ir::Program checkProgram(const std::vector<ast::Module>& modules, DiagnosticEngine& diags);

}  // namespace fovea
