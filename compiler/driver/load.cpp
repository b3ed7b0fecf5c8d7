#include "driver/load.h"

#include <unistd.h>

#include <fmt/format.h>

#include "frontend/imports.h"
#include "sema/sema.h"
#include "support/files.h"

namespace fovea::driver {

CheckedFile checkFileAndReport(const std::string& path, const std::string& stdlibDir, std::string& readError) {
  CheckedFile out;
  out.sources = std::make_unique<SourceManager>();
  std::string text;
  if (!readTextFile(path, text, readError)) return out;
  FileId id = out.sources->addFile(path, std::move(text));
  DiagnosticEngine diags(*out.sources);
  std::vector<ast::Module> modules = loadModules(*out.sources, id, diags, ImportOptions{stdlibDir});
  out.program = checkProgram(modules, diags);
  diags.sortBySource();
  fmt::print(stderr, "{}", renderText(diags.diagnostics(), *out.sources, isatty(STDERR_FILENO)));
  out.ok = !diags.hasErrors();
  return out;
}

const ir::Pipeline* selectPipeline(const ir::Program& program, const std::string& name, std::string& error) {
  std::string names;
  for (const ir::Pipeline& p : program.pipelines) {
    if (p.name == name) return &p;
    names += (names.empty() ? "" : ", ") + p.name;
  }
  if (name.empty() && program.pipelines.size() == 1) return &program.pipelines[0];
  if (program.pipelines.empty()) error = "the file defines no pipeline";  // the caller names the file
  else if (name.empty()) error = fmt::format("the file defines several pipelines ({}); choose one with --pipeline NAME", names);
  else error = fmt::format("no pipeline named '{}' (the file defines: {})", name, names);
  return nullptr;
}

}  // namespace fovea::driver
