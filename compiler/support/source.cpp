#include "support/source.h"

namespace fovea {

SourceLoc SourceLoc::join(const SourceLoc& a, const SourceLoc& b) {
  if (!a.valid()) return b;
  if (!b.valid()) return a;
  SourceLoc out = a;
  out.endLine = b.endLine;
  out.endCol = b.endCol;
  return out;
}

FileId SourceManager::addFile(std::string path, std::string text) {
  File f{std::move(path), std::move(text), {0}};
  for (size_t i = 0; i < f.text.size(); ++i) {
    if (f.text[i] == '\n') f.lineStarts.push_back(i + 1);
  }
  files_.push_back(std::move(f));
  return static_cast<FileId>(files_.size() - 1);
}

std::string_view SourceManager::lineText(FileId id, uint32_t line) const {
  if (id >= files_.size()) return {};
  const File& f = files_[id];
  if (line == 0 || line > f.lineStarts.size()) return {};
  size_t begin = f.lineStarts[line - 1];
  size_t end = line < f.lineStarts.size() ? f.lineStarts[line] - 1 : f.text.size();
  std::string_view view(f.text);
  view = view.substr(begin, end - begin);
  if (!view.empty() && view.back() == '\r') view.remove_suffix(1);
  return view;
}

}  // namespace fovea
