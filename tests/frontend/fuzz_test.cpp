// Deterministic mutation fuzzing of the front end: thousands of programs derived from the examples,
// the language tests and the standard library by deleting, inserting, duplicating and corrupting
// text. Each must be checked without a crash or a hang; a sample also goes through the `fovea`
// binary, whose exit status must be 0 or 1. Before each program runs it is written to
// fuzz_last.fov in the working directory, so a crash leaves its reproducer behind: keep every
// crasher found as a file in frontend/fuzz_regressions/.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "testing/check_source.h"
#include "support/files.h"

namespace fovea::test {
namespace {
namespace fs = std::filesystem;

struct Seed {
  std::string path;
  std::string text;
};

std::vector<Seed> corpus() {
  std::vector<Seed> seeds;
  auto add = [&](const fs::path& dir, bool recursive) {
    auto visit = [&](const fs::directory_entry& entry) {
      if (entry.path().extension() != ".fov") return;
      if (Result<std::string> text = readTextFile(entry.path().string())) seeds.push_back({entry.path().string(), *text});
    };
    if (recursive) {
      for (const auto& e : fs::recursive_directory_iterator(dir)) visit(e);
    } else {
      for (const auto& e : fs::directory_iterator(dir)) visit(e);
    }
  };
  add(FOVEA_EXAMPLES_DIR, false);
  add(FOVEA_STDLIB_DIR, false);
  add(fs::path(FOVEA_TEST_DIR) / "frontend" / "cases", true);
  add(fs::path(FOVEA_TEST_DIR) / "frontend" / "fuzz_regressions", false);
  std::sort(seeds.begin(), seeds.end(), [](const Seed& a, const Seed& b) { return a.path < b.path; });
  return seeds;
}

const std::vector<std::string> kFragments = {
    "(", ")", "[", "]", "{", "}", ";", ",", ".", "..", "...", "->", "=", "+=", "min=", "max=", "==", "!", "&&", "||",
    "-", "+", "*", "/", "%", "<", ">=", "pipeline", "fn", "const", "let", "return", "import", "over", "in", "size",
    "true", "false", "x", "y", "c", "r.x", "input", "boundary", "reflect101", "constant(0)", "u8", "f32", "u8_sat",
    "select", "lerp", "0", "1", "255", "0x1F", "1.5", "1e9", "99999999999999999999999", "1e999", "-2147483649",
    "\"", "\"lib/x.fov\"", "/*", "*/", "//", "///", "\n", "\t", " ", "\r\n", std::string("\0", 1), "\xff", "\xc3",
    "\xe2\x82", "\xf0\x9f\x98\x80", "\xc3\xa9", "#", "@", "$", "\\", "`", "std.filters", "f(x, y) = ", "(x - 1, y)",
    "over r in input", "over r in [0 .. 3]", "return (a, b);", "-> (a: u8[x] size (3), b: u8[x] size (3))",
};

std::string mutate(std::string text, std::mt19937_64& rng) {
  auto pick = [&](size_t n) { return n == 0 ? size_t{0} : static_cast<size_t>(rng() % n); };
  int rounds = 1 + static_cast<int>(pick(4));
  for (int k = 0; k < rounds; ++k) {
    size_t pos = pick(text.size() + 1);
    switch (pick(9)) {
      case 0:  // delete a span
        text.erase(pos, 1 + pick(20));
        break;
      case 1:  // insert a fragment
        text.insert(pos, kFragments[pick(kFragments.size())]);
        break;
      case 2: {  // duplicate a span
        std::string span = text.substr(pos, 1 + pick(60));
        text.insert(pick(text.size() + 1), span);
        break;
      }
      case 3:  // corrupt a byte
        if (!text.empty()) text[pick(text.size())] = static_cast<char>(rng() & 0xFF);
        break;
      case 4: {  // swap two lines
        std::vector<std::string> lines;
        size_t start = 0;
        for (size_t i = 0; i <= text.size(); ++i) {
          if (i == text.size() || text[i] == '\n') {
            lines.push_back(text.substr(start, i - start));
            start = i + 1;
          }
        }
        if (lines.size() > 1) std::swap(lines[pick(lines.size())], lines[pick(lines.size())]);
        text.clear();
        for (size_t i = 0; i < lines.size(); ++i) text += (i ? "\n" : "") + lines[i];
        break;
      }
      case 5:  // truncate
        text.resize(pos);
        break;
      case 6: {  // a long run of one fragment: deep nesting, long operator chains
        static const std::vector<std::string> runs = {"(", "-", "!", "[", "{", "f(", "1+", "(x)+", "a."};
        std::string unit = runs[pick(runs.size())];
        size_t count = 50 + pick(400);
        std::string run;
        for (size_t i = 0; i < count; ++i) run += unit;
        text.insert(pos, run);
        break;
      }
      case 7: {  // replace a word with another word of the program
        std::vector<std::pair<size_t, size_t>> words;
        for (size_t i = 0; i < text.size();) {
          if (std::isalpha(static_cast<unsigned char>(text[i]))) {
            size_t j = i;
            while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_')) ++j;
            words.emplace_back(i, j - i);
            i = j;
          } else {
            ++i;
          }
        }
        if (words.size() > 1) {
          auto [a, alen] = words[pick(words.size())];
          auto [b, blen] = words[pick(words.size())];
          std::string replacement = text.substr(b, blen);
          text.replace(a, alen, replacement);
        }
        break;
      }
      default:  // insert random bytes
        for (size_t n = 1 + pick(8); n > 0; --n) text.insert(text.begin() + static_cast<long>(pick(text.size() + 1)), static_cast<char>(rng() & 0xFF));
        break;
    }
  }
  return text;
}

void writeReproducer(const std::string& text) {
  std::ofstream out("fuzz_last.fov", std::ios::binary);
  out << text;
}

TEST(FrontendFuzz, MutatedProgramsNeverCrashOrHang) {
  std::vector<Seed> seeds = corpus();
  ASSERT_GE(seeds.size(), 10u);
  // FOVEA_FUZZ_ITERATIONS runs a longer campaign by hand; CI runs the default.
  const char* env = std::getenv("FOVEA_FUZZ_ITERATIONS");
  const size_t iterations = env ? std::strtoul(env, nullptr, 10) : 4000;
  const char* seedEnv = std::getenv("FOVEA_FUZZ_SEED");
  std::mt19937_64 rng(seedEnv ? std::strtoull(seedEnv, nullptr, 10) : 20261127);
  double slowest = 0;
  size_t withErrors = 0;
  runWithLargeStack([&] {
    for (size_t i = 0; i < iterations; ++i) {
      const Seed& seed = seeds[rng() % seeds.size()];
      std::string program = mutate(seed.text, rng);
      writeReproducer(program);
      auto start = std::chrono::steady_clock::now();
      CheckResult r = checkSource(program, seed.path);
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      slowest = std::max(slowest, seconds);
      withErrors += r.errors != 0;
      ASSERT_LT(seconds, 5.0) << "program " << i << " (from " << seed.path << ") took " << seconds << " s; see fuzz_last.fov";
    }
  });
  // Most mutations break the program; if none did, the mutator is not doing its job.
  EXPECT_GT(withErrors, iterations / 2);
  std::printf("%zu mutated programs checked, %zu with errors, slowest %.3f s\n", iterations, withErrors, slowest);
}

TEST(FrontendFuzz, BinaryExitsWithZeroOrOneOnMutatedPrograms) {
  std::vector<Seed> seeds = corpus();
  std::mt19937_64 rng(7);
  fs::path dir = fs::temp_directory_path() / ("fovea_fuzz_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (size_t i = 0; i < 60; ++i) {
    const Seed& seed = seeds[rng() % seeds.size()];
    fs::path file = dir / ("m" + std::to_string(i) + ".fov");
    {
      std::ofstream out(file, std::ios::binary);
      out << mutate(seed.text, rng);
    }
    std::string command = std::string(FOVEA_BINARY) + " check -q " + file.string() + " > /dev/null 2>&1";
    int status = std::system(command.c_str());
    ASSERT_TRUE(WIFEXITED(status)) << file << " killed the binary";
    int code = WEXITSTATUS(status);
    ASSERT_TRUE(code == 0 || code == 1) << file << " exited with " << code;
  }
  fs::remove_all(dir);
}

TEST(FrontendFuzz, RegressionCasesStillPass) {
  size_t count = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(FOVEA_TEST_DIR) / "frontend" / "fuzz_regressions")) {
    Result<std::string> text = readTextFile(entry.path().string());
    ASSERT_TRUE(text);
    runWithLargeStack([&] { checkSource(*text, entry.path().string()); });
    ++count;
  }
  EXPECT_GT(count, 0u);
}

}  // namespace
}  // namespace fovea::test
