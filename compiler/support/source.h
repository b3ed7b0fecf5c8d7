#pragma once
/// Source files and locations. Every stage of the compiler points at user code with a SourceLoc;
/// nothing outside compiler/frontend ever sees a parser token.
///
///     SourceManager sm;
///     FileId id = sm.addFile("blur.fov", text);
///     std::string_view line = sm.lineText(id, 3);

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fovea {

using FileId = uint32_t;

/// A span of source text: 1-based line and column of its first character, and the line and column
/// just past its last character. line == 0 means "no location" (e.g. a command-line problem).
struct SourceLoc {
  FileId file = 0;
  uint32_t line = 0;
  uint32_t col = 0;
  uint32_t endLine = 0;
  uint32_t endCol = 0;

  bool valid() const { return line != 0; }
  /// The span from the start of `a` to the end of `b`.
  static SourceLoc join(const SourceLoc& a, const SourceLoc& b);
};

/// Owns the text of every file the compiler has read, so diagnostics can quote source lines.
class SourceManager {
 public:
  /// Registers a file's contents; `path` is how diagnostics name it.
  FileId addFile(std::string path, std::string text);
  const std::string& path(FileId id) const { return files_[id].path; }
  const std::string& text(FileId id) const { return files_[id].text; }
  /// The text of 1-based line `line` without its line terminator (empty when out of range).
  std::string_view lineText(FileId id, uint32_t line) const;
  size_t fileCount() const { return files_.size(); }

 private:
  struct File {
    std::string path;
    std::string text;
    std::vector<size_t> lineStarts;
  };
  std::vector<File> files_;
};

}  // namespace fovea
