#pragma once
// Internal to sema: checks of function bodies that do not need an instantiation.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "frontend/ast.h"
#include "support/diagnostics.h"

namespace fovea::sema_detail {

/// Reports calls between functions that form a cycle (functions are inlined, so they cannot
/// recurse). Returns the names of the functions on a cycle.
std::set<std::string> checkFunctionRecursion(const std::vector<ast::Module>& modules, DiagnosticEngine& diags);

/// Reports undefined names in a function that no pipeline instantiated (instantiated ones were
/// checked in full, with types). `globals` are the declarations of every global name.
void checkFunctionNames(const ast::Decl& fn, const std::map<std::string, const ast::Decl*>& globals, DiagnosticEngine& diags);

}  // namespace fovea::sema_detail
