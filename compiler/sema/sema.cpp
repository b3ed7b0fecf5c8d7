#include "sema/sema.h"

#include "sema/elaborator.h"
#include "sema/fn_checks.h"
#include "sema/data_index_bounds.h"
#include "sema/input_bounds.h"

namespace fovea {

ir::Program checkProgram(const std::vector<ast::Module>& modules, DiagnosticEngine& diags) {
  sema_detail::Elaborator elaborator(diags);
  elaborator.addGlobals(modules);
  bool importsFailed = false;
  for (const ast::Module& m : modules) importsFailed = importsFailed || m.hasFailedImports;
  if (importsFailed) elaborator.allowUnknownNames();
  // Recursive functions are reported once here; instantiating them would only repeat it.
  for (const std::string& name : sema_detail::checkFunctionRecursion(modules, diags)) elaborator.markBroken(name);

  elaborator.checkConstants();
  if (!modules.empty() && modules[0].decls.empty() && !modules[0].hasSyntaxErrors && diags.errorCount() == 0) {
    diags.error(SourceLoc{modules[0].file, 1, 1, 1, 1}, "the file declares nothing (no pipeline, function, constant or import)");
  }
  ir::Program program;
  for (size_t m = 0; m < modules.size(); ++m) {
    for (const ast::Decl& d : modules[m].decls) {
      if (d.kind != ast::DeclKind::Pipeline) continue;
      ir::Pipeline p = elaborator.elaboratePipeline(d);
      // After other errors the IR lacks what failed to check, which can only hide reads, never
      // invent them: the check stays meaningful.
      checkInputBounds(p, diags);
      checkDataIndexBounds(p, diags);
      if (m == 0) program.pipelines.push_back(std::move(p));
    }
  }
  std::map<std::string, const ast::Decl*> globals;
  for (const auto& [name, symbol] : elaborator.globals()) globals[name] = symbol.decl;
  for (const ast::Module& m : modules) {
    for (const ast::Decl& d : m.decls) {
      if (d.kind == ast::DeclKind::Fn && !importsFailed && !elaborator.instantiatedFunctions().count(&d)) {
        sema_detail::checkFunctionNames(d, globals, diags);
      }
    }
  }
  if (diags.hasErrors()) diags.dropWarnings();
  return program;
}

}  // namespace fovea
