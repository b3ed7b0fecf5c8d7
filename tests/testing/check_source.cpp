#include "testing/check_source.h"

#include <pthread.h>

#include <stdexcept>

#include <algorithm>

#include "api/compiler.h"
#include "support/files.h"

namespace fovea::test {

std::string CheckResult::text() const { return renderText(diagnostics, *sources); }

CheckResult checkSource(const std::string& text, const std::string& path) {
  CheckResult r;
  compiler::Result<compiler::Program> program = compiler::checkSource(text, path, compiler::Options{FOVEA_STDLIB_DIR, {}, {}});
  if (program) {
    r.sources = program->sharedSources();
    r.diagnostics = program->diagnostics();
    r.program = program->ir();
  } else {
    r.sources = program.failure().sources;
    r.diagnostics = program.failure().diagnostics;
  }
  r.errors = static_cast<size_t>(std::count_if(r.diagnostics.begin(), r.diagnostics.end(), [](const Diagnostic& d) { return d.severity == Severity::Error; }));
  return r;
}

CheckResult checkFile(const std::string& path) {
  Result<std::string> text = readTextFile(path);
  if (!text) throw std::runtime_error("cannot read " + path + ": " + text.failure().message);
  return checkSource(*text, path);
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
