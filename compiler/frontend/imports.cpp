#include "frontend/imports.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "frontend/parser.h"
#include "support/files.h"
#include "support/suggest.h"

namespace fovea {
namespace fs = std::filesystem;

namespace {

std::string canonical(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(p, ec);
  return ec ? p.lexically_normal().string() : c.string();
}

std::vector<std::string> stdlibModules(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".fov") continue;
    fs::path rel = entry.path().lexically_relative(dir);
    rel.replace_extension();
    std::string name = "std";
    for (const auto& part : rel) name += "." + part.string();
    names.push_back(name);
  }
  return names;
}

class Loader {
 public:
  Loader(SourceManager& sources, DiagnosticEngine& diags, const ImportOptions& options)
      : sources_(sources), diags_(diags), options_(options) {}

  std::vector<ast::Module> run(FileId mainFile) {
    loaded_.insert(canonical(sources_.path(mainFile)));
    load(mainFile);
    return std::move(modules_);
  }

 private:
  void load(FileId file) {
    modules_.push_back(parseModule(sources_, file, diags_));
    size_t index = modules_.size() - 1;
    // Imports are collected first: modules_ grows (and moves) while they load.
    std::vector<std::pair<std::string, SourceLoc>> imports;
    std::vector<bool> isFile;
    for (const ast::Decl& d : modules_[index].decls) {
      if (d.kind != ast::DeclKind::Import) continue;
      imports.emplace_back(d.importPath, d.nameLoc);
      isFile.push_back(d.importIsFile);
    }
    fs::path baseDir = fs::path(sources_.path(file)).parent_path();
    for (size_t i = 0; i < imports.size(); ++i) {
      const auto& [path, loc] = imports[i];
      std::optional<std::string> resolved = isFile[i] ? resolveFile(baseDir, path, loc) : resolveStd(path, loc);
      if (!resolved) {
        modules_[index].hasFailedImports = true;
        continue;
      }
      std::string key = canonical(*resolved);
      if (!loaded_.insert(key).second) continue;
      Result<std::string> text = readTextFile(*resolved);
      if (!text) {
        diags_.error(loc, fmt::format("cannot read imported file '{}': {}", *resolved, text.failure().message));
        modules_[index].hasFailedImports = true;
        continue;
      }
      load(sources_.addFile(*resolved, std::move(*text)));
    }
  }

  std::optional<std::string> resolveFile(const fs::path& baseDir, const std::string& path, SourceLoc loc) {
    fs::path p(path);
    if (p.is_relative()) p = baseDir / p;
    std::error_code ec;
    if (!fs::exists(p, ec)) {
      diags_.error(loc, fmt::format("cannot find imported file '{}' (looked for '{}')", path, p.string()));
      return std::nullopt;
    }
    return p.string();
  }

  std::optional<std::string> resolveStd(const std::string& module, SourceLoc loc) {
    if (module.rfind("std.", 0) != 0) {
      diags_.error(loc, fmt::format("cannot find module '{}': standard modules are named 'std.<name>'; "
                                    "import a file with a quoted path, e.g. import \"{}.fov\";",
                                    module, module))
          .fixit(loc, fmt::format("\"{}.fov\"", module));
      return std::nullopt;
    }
    fs::path p = fs::path(options_.stdlibDir);
    std::string rest = module.substr(4);
    for (size_t start = 0;;) {
      size_t dot = rest.find('.', start);
      std::string part = rest.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      p /= part;
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    p += ".fov";
    std::error_code ec;
    if (fs::exists(p, ec)) return p.string();
    Diagnostic& d = diags_.error(loc, fmt::format("cannot find module '{}' in the standard library ({})", module,
                                                  options_.stdlibDir));
    std::vector<std::string> known = stdlibModules(options_.stdlibDir);
    if (auto best = closestMatch(module, known)) {
      d.message += fmt::format("; did you mean '{}'?", *best);
      d.fixit(loc, *best);
    }
    return std::nullopt;
  }

  SourceManager& sources_;
  DiagnosticEngine& diags_;
  const ImportOptions& options_;
  std::set<std::string> loaded_;
  std::vector<ast::Module> modules_;
};

}  // namespace

std::vector<ast::Module> loadModules(SourceManager& sources, FileId mainFile, DiagnosticEngine& diags,
                                     const ImportOptions& options) {
  return Loader(sources, diags, options).run(mainFile);
}

}  // namespace fovea
