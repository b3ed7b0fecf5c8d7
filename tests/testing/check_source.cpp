#include "testing/check_source.h"

#include <pthread.h>

#include <stdexcept>

#include "frontend/imports.h"
#include "sema/sema.h"
#include "support/files.h"

namespace fovea::test {

std::string CheckResult::text() const { return renderText(diagnostics, *sources); }

CheckResult checkSource(const std::string& text, const std::string& path) {
  CheckResult r;
  r.sources = std::make_unique<SourceManager>();
  FileId id = r.sources->addFile(path, text);
  DiagnosticEngine diags(*r.sources);
  std::vector<ast::Module> modules = loadModules(*r.sources, id, diags, ImportOptions{FOVEA_STDLIB_DIR});
  r.program = checkProgram(modules, diags);
  diags.sortBySource();
  r.diagnostics = diags.diagnostics();
  r.errors = diags.errorCount();
  return r;
}

CheckResult checkFile(const std::string& path) {
  std::string text, error;
  if (!readTextFile(path, text, error)) throw std::runtime_error("cannot read " + path + ": " + error);
  return checkSource(text, path);
}

namespace {
void* trampoline(void* arg) {
  (*static_cast<const std::function<void()>*>(arg))();
  return nullptr;
}
}  // namespace

void runWithLargeStack(const std::function<void()>& fn) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, size_t{512} << 20);
  pthread_t thread;
  if (pthread_create(&thread, &attr, trampoline, const_cast<std::function<void()>*>(&fn)) != 0) {
    fn();
  } else {
    pthread_join(thread, nullptr);
  }
  pthread_attr_destroy(&attr);
}

}  // namespace fovea::test
