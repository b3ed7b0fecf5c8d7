#include "support/diagnostics.h"

#include <cstdio>
#include <cstdlib>
#include <tuple>
#include <algorithm>

#include <fmt/format.h>

namespace fovea {

Diagnostic& Diagnostic::note(SourceLoc where, std::string text) {
  notes.push_back({where, std::move(text)});
  return *this;
}

Diagnostic& Diagnostic::fixit(SourceLoc where, std::string replacement) {
  fixits.push_back({where, std::move(replacement)});
  return *this;
}

Diagnostic& DiagnosticEngine::add(Severity severity, SourceLoc loc, std::string message) {
  if (severity == Severity::Error) {
    if (errorCount_ >= maxErrors_) {
      discarded_ = Diagnostic{};
      return discarded_;
    }
    ++errorCount_;
  }
  for (const Diagnostic& d : diagnostics_) {
    // A function body is checked at every instantiation; say each problem once.
    if (d.severity == severity && d.message == message && d.loc.file == loc.file && d.loc.line == loc.line && d.loc.col == loc.col) {
      if (severity == Severity::Error) --errorCount_;
      discarded_ = Diagnostic{};
      return discarded_;
    }
  }
  diagnostics_.push_back(Diagnostic{severity, loc, std::move(message), {}, {}});
  if (severity == Severity::Error && errorCount_ == maxErrors_) {
    Diagnostic& last = diagnostics_.back();
    last.notes.push_back({SourceLoc{}, fmt::format("too many errors ({}); stopping here", maxErrors_)});
  }
  return diagnostics_.back();
}

void DiagnosticEngine::dropWarnings() {
  diagnostics_.erase(std::remove_if(diagnostics_.begin(), diagnostics_.end(), [](const Diagnostic& d) { return d.severity == Severity::Warning; }),
                     diagnostics_.end());
}

void DiagnosticEngine::sortBySource() {
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.loc.file, a.loc.line, a.loc.col) < std::tie(b.loc.file, b.loc.line, b.loc.col);
  });
}

Diagnostic& DiagnosticEngine::error(SourceLoc loc, std::string message) {
  return add(Severity::Error, loc, std::move(message));
}

Diagnostic& DiagnosticEngine::warning(SourceLoc loc, std::string message) {
  return add(Severity::Warning, loc, std::move(message));
}

namespace {

const char* severityName(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
  }
  return "error";
}

bool isContinuationByte(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace


namespace {

/// The visible source line (bytes that are not printable become '?') and a marker line that
/// underlines columns [col, endCol) with a caret then tildes. Columns count code points.
void renderSpan(std::string& out, std::string_view line, uint32_t col, uint32_t endCol, bool color) {
  std::string shown;
  std::string marker;
  uint32_t cp = 1;
  bool caretPlaced = false;
  for (size_t i = 0; i < line.size(); ++cp) {
    size_t len = 1;
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (c >= 0xC0) {
      while (i + len < line.size() && isContinuationByte(static_cast<unsigned char>(line[i + len])) && len < 4) ++len;
    }
    bool printable = c == '\t' || (c >= 0x20 && c != 0x7F && !(c >= 0x80 && len == 1));
    if (printable) shown.append(line.substr(i, len));
    else shown.push_back('?');
    char pad = c == '\t' ? '\t' : ' ';
    if (cp < col) {
      marker.push_back(pad);
    } else if (cp == col) {
      marker.push_back('^');
      caretPlaced = true;
    } else if (cp < endCol) {
      marker.push_back('~');
    }
    i += len;
  }
  if (!caretPlaced) {
    while (cp < col) {
      marker.push_back(' ');
      ++cp;
    }
    marker.push_back('^');
  }
  out += shown;
  out += '\n';
  if (color) out += "\x1b[1;32m";
  out += marker;
  if (color) out += "\x1b[0m";
  out += '\n';
}

void renderLocated(std::string& out, const SourceManager& sources, SourceLoc loc, const char* kind,
                   const std::string& message, bool color) {
  if (loc.valid()) out += fmt::format("{}:{}:{}: ", sources.path(loc.file), loc.line, loc.col);
  if (color) out += std::string(kind[0] == 'e' ? "\x1b[1;31m" : kind[0] == 'w' ? "\x1b[1;35m" : "\x1b[1;36m");
  out += kind;
  out += ':';
  if (color) out += "\x1b[0m";
  out += ' ';
  out += message;
  out += '\n';
  if (!loc.valid()) return;
  std::string_view line = sources.lineText(loc.file, loc.line);
  uint32_t col = loc.col;
  uint32_t endCol = loc.endLine == loc.line ? loc.endCol : static_cast<uint32_t>(line.size()) + 1;
  // Very long lines are shown as a window around the column.
  constexpr uint32_t kContext = 60;
  if (line.size() > 3 * kContext && col > kContext) {
    uint32_t skip = col - kContext;
    size_t byte = 0;
    for (uint32_t cp = 1; cp <= skip && byte < line.size(); ++cp) {
      ++byte;
      while (byte < line.size() && isContinuationByte(static_cast<unsigned char>(line[byte]))) ++byte;
    }
    line = line.substr(byte);
    col -= skip;
    endCol = endCol > skip ? endCol - skip : col + 1;
  }
  if (line.size() > 3 * kContext) line = line.substr(0, 3 * kContext);
  renderSpan(out, line, col, std::max(endCol, col + 1), color);
}

}  // namespace

std::string renderText(const std::vector<Diagnostic>& diags, const SourceManager& sources, bool color) {
  std::string out;
  for (const Diagnostic& d : diags) {
    renderLocated(out, sources, d.loc, severityName(d.severity), d.message, color);
    for (const FixIt& f : d.fixits) {
      if (f.loc.line != d.loc.line || f.loc.file != d.loc.file || f.replacement.empty()) continue;
      if (sources.lineText(f.loc.file, f.loc.line).size() > 180) continue;  // the line was shown as a window
      // Show the replacement under the span it replaces, as clang does.
      std::string pad;
      std::string_view line = sources.lineText(f.loc.file, f.loc.line);
      uint32_t cp = 1;
      for (size_t i = 0; i < line.size() && cp < f.loc.col; ++i) {
        if (isContinuationByte(static_cast<unsigned char>(line[i]))) continue;
        pad.push_back(line[i] == '\t' ? '\t' : ' ');
        ++cp;
      }
      out += pad + f.replacement + '\n';
    }
    for (const DiagnosticNote& n : d.notes) renderLocated(out, sources, n.loc, "note", n.message, color);
  }
  return out;
}


namespace {

std::string jsonLocation(const SourceManager& sources, SourceLoc loc) {
  if (!loc.valid()) return R"("file":null,"line":null,"column":null,"endLine":null,"endColumn":null)";
  return fmt::format(R"("file":"{}","line":{},"column":{},"endLine":{},"endColumn":{})",
                     jsonEscape(sources.path(loc.file)), loc.line, loc.col, loc.endLine, loc.endCol);
}

}  // namespace

std::string renderJson(const std::vector<Diagnostic>& diags, const SourceManager& sources) {
  return "{\"diagnostics\":[" + renderJsonItems(diags, sources) + "]}\n";
}

std::string renderJsonItems(const std::vector<Diagnostic>& diags, const SourceManager& sources) {
  std::string out;
  for (size_t i = 0; i < diags.size(); ++i) {
    const Diagnostic& d = diags[i];
    if (i) out += ',';
    out += fmt::format(R"({{{},"severity":"{}","message":"{}","notes":[)", jsonLocation(sources, d.loc),
                       severityName(d.severity), jsonEscape(d.message));
    for (size_t k = 0; k < d.notes.size(); ++k) {
      if (k) out += ',';
      out += fmt::format(R"({{{},"message":"{}"}})", jsonLocation(sources, d.notes[k].loc), jsonEscape(d.notes[k].message));
    }
    out += "],\"fixits\":[";
    for (size_t k = 0; k < d.fixits.size(); ++k) {
      if (k) out += ',';
      out += fmt::format(R"({{{},"replacement":"{}"}})", jsonLocation(sources, d.fixits[k].loc),
                         jsonEscape(d.fixits[k].replacement));
    }
    out += "]}";
  }
  return out;
}

void internalError(const char* file, int line, const char* condition, const std::string& message) {
  std::fprintf(stderr, "fovea: internal compiler error at %s:%d: %s (%s)\nPlease report this as a bug.\n", file, line,
               message.c_str(), condition);
  std::abort();
}

}  // namespace fovea
