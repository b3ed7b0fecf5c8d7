#pragma once
/// User-facing diagnostics: `file:line:col: error: message`, the source line with a caret under the
/// span, notes pointing at related places, and fix-its. Compiler bugs are never diagnostics: they are
/// internal asserts (FOVEA_ASSERT).
///
///     DiagnosticEngine diags(sources);
///     diags.error(loc, "undefined name 'bluur'").fixit(loc, "blur").note(defLoc, "'blur' defined here");
///     std::cerr << renderText(diags.diagnostics(), sources);

#include <string>
#include <vector>

#include "fovea/json.h"
#include "support/source.h"

namespace fovea {

enum class Severity { Error, Warning };

/// A replacement of the text in `loc` by `replacement` (an insertion when loc is empty).
struct FixIt {
  SourceLoc loc;
  std::string replacement;
};

/// A secondary location that explains an error ("'bx' defined here").
struct DiagnosticNote {
  SourceLoc loc;
  std::string message;
};

struct Diagnostic {
  Severity severity = Severity::Error;
  SourceLoc loc;
  std::string message;
  std::vector<DiagnosticNote> notes;
  std::vector<FixIt> fixits;

  Diagnostic& note(SourceLoc where, std::string text);
  Diagnostic& fixit(SourceLoc where, std::string replacement);
};

/// Collects diagnostics for one compilation. Stops recording after `maxErrors` errors (binary input
/// could otherwise produce one per byte) and says so once.
class DiagnosticEngine {
 public:
  explicit DiagnosticEngine(const SourceManager& sources, size_t maxErrors = 50)
      : sources_(sources), maxErrors_(maxErrors) {}

  Diagnostic& error(SourceLoc loc, std::string message);
  Diagnostic& warning(SourceLoc loc, std::string message);

  size_t errorCount() const { return errorCount_; }
  bool hasErrors() const { return errorCount_ != 0; }
  /// True once the error limit was reached: callers may stop early.
  bool saturated() const { return errorCount_ >= maxErrors_; }
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  /// Orders diagnostics by file, line and column (they are found in elaboration order).
  void sortBySource();
  /// Removes warnings (after errors they are noise: a broken program's unused names are no news).
  void dropWarnings();
  const SourceManager& sources() const { return sources_; }

 private:
  Diagnostic& add(Severity severity, SourceLoc loc, std::string message);

  const SourceManager& sources_;
  size_t maxErrors_;
  size_t errorCount_ = 0;
  std::vector<Diagnostic> diagnostics_;
  Diagnostic discarded_;
};

/// Human-readable rendering, one diagnostic after another (clang style).
std::string renderText(const std::vector<Diagnostic>& diags, const SourceManager& sources, bool color = false);

/// The same diagnostics as one JSON document:
/// {"diagnostics":[{"file","line","column","endLine","endColumn","severity","message","notes":[...],"fixits":[...]}]}
std::string renderJson(const std::vector<Diagnostic>& diags, const SourceManager& sources);
/// The members of renderJson's array, comma separated (to join several files' diagnostics).
std::string renderJsonItems(const std::vector<Diagnostic>& diags, const SourceManager& sources);

/// Length of the valid UTF-8 sequence starting at byte i, or 0 when it is not valid (overlong
/// forms, surrogates and code points past U+10FFFF are invalid).
using json::utf8SequenceLength;

/// Escapes a string for inclusion in a JSON string literal (without the quotes).
inline std::string jsonEscape(std::string_view text) { return json::escape(text); }

[[noreturn]] void internalError(const char* file, int line, const char* condition, const std::string& message);

}  // namespace fovea

/// An internal invariant of the compiler. Failing it is a compiler bug, never a user error.
#define FOVEA_ASSERT(cond, msg)                                     \
  do {                                                              \
    if (!(cond)) ::fovea::internalError(__FILE__, __LINE__, #cond, (msg)); \
  } while (0)
