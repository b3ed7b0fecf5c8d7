// The language test runner: every .fov file under frontend/cases/ (except helper files under a
// lib/ folder) is checked, and its diagnostics must be exactly those its comments expect:
//
//   // expect-error: 7:14 undefined name 'bluur'        (line:column, then part of the message)
//   // expect-warning: 3:5 never used
//   // expect-note: 2:5 'bx' defined here
//   // expect-fixit: 7:14 blur                          (the replacement text, exactly)
//   // expect-error: lib/bad.fov:2:3 ...                (a diagnostic in another file)
//
// A file without expectations must check cleanly. Every example under examples/ must, too.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <unistd.h>

#include "testing/check_source.h"
#include "support/files.h"

namespace fovea::test {
namespace {
namespace fs = std::filesystem;

struct Expectation {
  std::string kind;
  std::string file;  // empty: the case file itself
  uint32_t line, col;
  std::string text;
  uint32_t sourceLine;
  bool matched = false;
};

std::vector<Expectation> readExpectations(const std::string& path) {
  static const std::regex pattern(R"(//\s*expect-(error|warning|note|fixit):\s*(?:(\S+\.fov):)?(\d+):(\d+)\s*(.*?)\s*$)");
  std::vector<Expectation> out;
  std::ifstream in(path);
  std::string line;
  for (uint32_t n = 1; std::getline(in, line); ++n) {
    std::smatch m;
    if (!std::regex_search(line, m, pattern)) continue;
    out.push_back({m[1], m[2], static_cast<uint32_t>(std::stoul(m[3])), static_cast<uint32_t>(std::stoul(m[4])), m[5], n});
  }
  return out;
}

bool sameFile(const SourceManager& sources, SourceLoc loc, const std::string& casePath, const std::string& expectedFile) {
  if (!loc.valid()) return false;
  const std::string& path = sources.path(loc.file);
  if (expectedFile.empty()) return path == casePath;
  return path.size() >= expectedFile.size() && path.compare(path.size() - expectedFile.size(), expectedFile.size(), expectedFile) == 0;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

bool at(SourceLoc loc, const Expectation& e) { return loc.line == e.line && loc.col == e.col; }

std::vector<std::string> listCases() {
  std::vector<std::string> cases;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(FOVEA_TEST_DIR) / "frontend" / "cases")) {
    if (entry.path().extension() != ".fov") continue;
    std::string rel = fs::relative(entry.path(), fs::path(FOVEA_TEST_DIR) / "frontend" / "cases").string();
    if (rel.find("lib/") != std::string::npos) continue;
    cases.push_back(rel);
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, DiagnosticsMatchExpectations) {
  std::string path = (fs::path(FOVEA_TEST_DIR) / "frontend" / "cases" / GetParam()).string();
  std::vector<Expectation> expected = readExpectations(path);
  CheckResult r = checkFile(path);
  std::vector<bool> used(r.diagnostics.size(), false);
  for (Expectation& e : expected) {
    for (size_t i = 0; i < r.diagnostics.size() && !e.matched; ++i) {
      const Diagnostic& d = r.diagnostics[i];
      if (e.kind == "error" || e.kind == "warning") {
        bool kindOk = (d.severity == Severity::Error) == (e.kind == "error");
        if (kindOk && !used[i] && sameFile(*r.sources, d.loc, path, e.file) && at(d.loc, e) && d.message.find(e.text) != std::string::npos) {
          e.matched = used[i] = true;
        }
      } else if (e.kind == "note") {
        for (const DiagnosticNote& n : d.notes) {
          if (sameFile(*r.sources, n.loc, path, e.file) && at(n.loc, e) && n.message.find(e.text) != std::string::npos) e.matched = true;
        }
      } else {
        for (const FixIt& f : d.fixits) {
          if (sameFile(*r.sources, f.loc, path, e.file) && at(f.loc, e) && trim(f.replacement) == e.text) e.matched = true;
        }
      }
    }
    EXPECT_TRUE(e.matched) << GetParam() << ":" << e.sourceLine << ": expected " << e.kind << " at " << e.line << ":" << e.col
                           << " containing \"" << e.text << "\" was not reported. Diagnostics:\n"
                           << r.text();
  }
  for (size_t i = 0; i < r.diagnostics.size(); ++i) {
    EXPECT_TRUE(used[i]) << GetParam() << ": unexpected diagnostic:\n" << renderText({r.diagnostics[i]}, *r.sources);
  }
}

std::string caseName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(0, info.param.size() - 4);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenTest, ::testing::ValuesIn(listCases()), caseName);

TEST(Examples, EveryExampleChecksCleanly) {
  size_t count = 0;
  for (const auto& entry : fs::directory_iterator(FOVEA_EXAMPLES_DIR)) {
    if (entry.path().extension() != ".fov") continue;
    ++count;
    CheckResult r = checkFile(entry.path().string());
    EXPECT_EQ(r.diagnostics.size(), 0u) << entry.path() << ":\n" << r.text();
    EXPECT_FALSE(r.program.pipelines.empty()) << entry.path() << " defines no pipeline";
  }
  EXPECT_GE(count, 2u);
}

TEST(Stdlib, EveryModuleChecksCleanly) {
  for (const auto& entry : fs::directory_iterator(FOVEA_STDLIB_DIR)) {
    if (entry.path().extension() != ".fov") continue;
    CheckResult r = checkFile(entry.path().string());
    EXPECT_EQ(r.diagnostics.size(), 0u) << entry.path() << ":\n" << r.text();
  }
}

// The docs stay in step with the language: every ```fovea block in a page is checked. A block
// whose first line is `// error: MESSAGE` must fail with that message; one whose first line is
// `// file PATH` is written under that name (later blocks may import it); all others must check
// cleanly, without warnings. Returns how many blocks the page has.
size_t checkDocExamples(const std::string& page) {
  Result<std::string> read = readTextFile((fs::path(FOVEA_TEST_DIR).parent_path() / "docs" / page).string());
  EXPECT_TRUE(read) << read.failure().message;
  if (!read) return 0;
  const std::string& doc = *read;
  fs::path dir = fs::temp_directory_path() / ("fovea_docs_" + std::to_string(::getpid()));
  static const std::regex block(R"(```fovea\n([\s\S]*?)```)");
  static const std::regex fileLine(R"(^// file (\S+))");
  static const std::regex errorLine(R"(^// error: (.*))");
  size_t index = 0;
  for (auto it = std::sregex_iterator(doc.begin(), doc.end(), block); it != std::sregex_iterator(); ++it, ++index) {
    std::string text = (*it)[1];
    std::string first = text.substr(0, text.find('\n'));
    std::smatch m;
    fs::path path = dir / ("example" + std::to_string(index) + ".fov");
    if (std::regex_search(first, m, fileLine)) path = dir / m[1].str();
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
    CheckResult r = checkFile(path.string());
    if (std::regex_search(first, m, errorLine)) {
      EXPECT_GT(r.errors, 0u) << "docs example " << index << " should fail:\n" << text;
      EXPECT_NE(r.text().find(m[1].str()), std::string::npos) << "docs example " << index << ":\n" << text << "\n" << r.text();
    } else {
      EXPECT_TRUE(r.diagnostics.empty()) << page << " example " << index << ":\n" << text << "\n" << r.text();
    }
  }
  fs::remove_all(dir);
  return index;
}

TEST(Docs, LanguageReferenceExamplesCheck) { EXPECT_GT(checkDocExamples("language.md"), 15u); }

TEST(Docs, StandardLibraryExamplesCheck) { EXPECT_GE(checkDocExamples("stdlib.md"), 3u); }

}  // namespace
}  // namespace fovea::test
