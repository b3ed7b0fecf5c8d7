#pragma once
/// The front end's one entry point: Fovea source text in, ast::Module out. ANTLR stays behind this
/// header: no parser type, token or exception escapes it.
///
///     SourceManager sources;
///     DiagnosticEngine diags(sources);
///     FileId id = sources.addFile("blur3.fov", text);
///     ast::Module module = parseModule(sources, id, diags);
///
/// Syntax errors become diagnostics in the language's own terms. Statements and declarations that
/// could not be parsed are left out of the module; their names are listed in `Module::brokenNames`
/// (and `Block::brokenNames`) so that later checks do not report them again as undefined.

#include "frontend/ast.h"
#include "support/diagnostics.h"

namespace fovea {

/// Limits that keep hostile input (deep nesting, giant statements) from exhausting the stack.
struct ParseLimits {
  size_t maxNesting = 256;            ///< brackets and prefix operators
  size_t maxTokensPerStatement = 20000;
};

ast::Module parseModule(const SourceManager& sources, FileId file, DiagnosticEngine& diags,
                        const ParseLimits& limits = {});

}  // namespace fovea
