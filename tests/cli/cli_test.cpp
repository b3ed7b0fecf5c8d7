// The `fovea` command as a user runs it: exit statuses, help, text and JSON diagnostics.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace {
namespace fs = std::filesystem;

struct CommandResult {
  int status;
  std::string out;
};

CommandResult run(const std::string& args) {
  std::string command = std::string(FOVEA_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  std::array<char, 4096> buffer;
  while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) out.append(buffer.data(), n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string writeTemp(const std::string& name, const std::string& text) {
  fs::path dir = fs::temp_directory_path() / ("fovea_cli_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path p = dir / name;
  std::ofstream(p) << text;
  return p.string();
}

const std::string kExamples = FOVEA_EXAMPLES_DIR;

TEST(Cli, CheckAcceptsTheExamples) {
  CommandResult r = run("check " + kExamples + "/blur3.fov " + kExamples + "/histogram.fov");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("2 files checked: 2 valid, 0 with errors"), std::string::npos) << r.out;
}

TEST(Cli, ErrorsExitWithOneAndShowLocationSourceAndCaret) {
  std::string f = writeTemp("bad.fov", "pipeline p(input: u8[x]) -> u8[x] {\n  out(x) = inptu(x);\n  return out;\n}\n");
  CommandResult r = run("check " + f);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find(f + ":2:12: error: undefined name 'inptu'; did you mean 'input'?\n  out(x) = inptu(x);\n           ^~~~~\n"),
            std::string::npos)
      << r.out;
}

TEST(Cli, UsageErrorsExitWithTwo) {
  EXPECT_EQ(run("check --bogus " + kExamples + "/blur3.fov").status, 2);
  CommandResult missing = run("check /nonexistent/file.fov");
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.out.find("cannot read '/nonexistent/file.fov'"), std::string::npos) << missing.out;
  EXPECT_EQ(run("check").status, 2);
  EXPECT_EQ(run("frobnicate").status, 2);
  EXPECT_EQ(run("").status, 2);
  EXPECT_EQ(run("check --diagnostics=xml " + kExamples + "/blur3.fov").status, 2);
}

TEST(Cli, HelpDescribesCommands) {
  CommandResult top = run("--help");
  EXPECT_EQ(top.status, 0);
  EXPECT_NE(top.out.find("check"), std::string::npos);
  CommandResult check = run("check --help");
  EXPECT_EQ(check.status, 0);
  EXPECT_NE(check.out.find("--diagnostics=text|json"), std::string::npos);
  EXPECT_EQ(run("--version").status, 0);
}

TEST(Cli, JsonDiagnosticsGoToStdout) {
  std::string f = writeTemp("bad2.fov", "pipeline p(input: u8[x]) -> u8[x] {\n  out(x) = input(x)\n  return out;\n}\n");
  CommandResult r = run("check --diagnostics=json " + f);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out.rfind("{\"diagnostics\":[{\"file\":\"" + f + "\",\"line\":2,\"column\":20,", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\"severity\":\"error\",\"message\":\"expected ';' or 'over'\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"replacement\":\";\""), std::string::npos) << r.out;
}

TEST(Cli, ReportsEveryErrorInAFile) {
  std::string f = writeTemp("many.fov",
                            "pipeline p(input: u8[x]) -> u8[x] {\n  a(x) = nope(x);\n  b(x) = input(x) +;\n  c(x) = a(x, 1);\n  return c;\n}\n");
  CommandResult r = run("check " + f);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find(":2:10: error: undefined name 'nope'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(":3:20: error: expected an expression"), std::string::npos) << r.out;
}

}  // namespace
