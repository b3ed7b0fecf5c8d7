// The `fovea` command as a user runs it: exit statuses, help, text and JSON diagnostics.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "fovea/json.h"

namespace {
namespace fs = std::filesystem;

struct CommandResult {
  int status;
  std::string out;
};

/// Runs a shell command; its exit status (-1 for a signal) and everything it printed.
CommandResult runShell(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  std::array<char, 4096> buffer;
  while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) out.append(buffer.data(), n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

CommandResult run(const std::string& args) { return runShell(std::string(FOVEA_BINARY) + " " + args + " 2>&1"); }

std::string writeTemp(const std::string& name, const std::string& text) {
  fs::path dir = fs::temp_directory_path() / ("fovea_cli_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path p = dir / name;
  std::ofstream(p) << text;
  return p.string();
}

const std::string kExamples = FOVEA_EXAMPLES_DIR;

std::string readAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Cli, CheckAcceptsTheExamples) {
  CommandResult r = run("check " + kExamples + "/blur3.fov " + kExamples + "/histogram.fov");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("2 files checked: 2 valid, 0 with errors"), std::string::npos) << r.out;
}

// The benchmark programs (bench/apps, the application suite; bench/heldout, the programs kept out
// of scheduler work) stay valid scripts.
TEST(Cli, CheckAcceptsTheBenchmarkPrograms) {
  std::string dir = std::string(FOVEA_SOURCE_DIR) + "/bench";
  std::vector<std::string> files;
  for (const char* folder : {"apps", "heldout"}) {
    for (const auto& entry : fs::directory_iterator(dir + "/" + folder)) {
      if (entry.path().extension() == ".fov") files.push_back(entry.path().string());
    }
  }
  ASSERT_GE(files.size(), 10u);
  std::string args;
  for (const std::string& f : files) args += " " + f;
  CommandResult r = run("check" + args);
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find(std::to_string(files.size()) + " files checked: " + std::to_string(files.size()) + " valid"), std::string::npos) << r.out;
}

TEST(Cli, ErrorsExitWithOneAndShowLocationSourceAndCaret) {
  std::string f = writeTemp("bad.fov", "pipeline p(input: u8[x]) -> u8[x] {\n  out(x) = inptu(x);\n  return out;\n}\n");
  CommandResult r = run("check " + f);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find(f + ":2:12: error: undefined name 'inptu'; did you mean 'input'?\n  out(x) = inptu(x);\n           ^~~~~\n"),
            std::string::npos)
      << r.out;
}

// The README shows what `fovea check docs/demo/typo.fov` prints, byte for byte (run from the source
// folder, as tools/demo.sh does): the sample must not drift from the program.
TEST(Cli, TheReadmesDiagnosticSampleIsWhatTheDemoPrints) {
  std::string readme = readAll(std::string(FOVEA_SOURCE_DIR) + "/README.md");
  size_t intro = readme.find("What `tools/demo.sh` shows for `docs/demo/typo.fov`");
  ASSERT_NE(intro, std::string::npos) << "the README's diagnostic sample has moved";
  size_t begin = readme.find("```\n", intro);
  ASSERT_NE(begin, std::string::npos);
  begin += 4;
  size_t end = readme.find("```\n", begin);
  ASSERT_NE(end, std::string::npos);
  CommandResult r = runShell("cd " + std::string(FOVEA_SOURCE_DIR) + " && " + FOVEA_BINARY + " check docs/demo/typo.fov 2>&1");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, readme.substr(begin, end - begin));
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

namespace {

TEST(Cli, GraphShowsStagesFusionAndPlacement) {
  std::string out = (fs::temp_directory_path() / ("fovea_graph_" + std::to_string(::getpid()) + ".dot")).string();
  CommandResult r = run("graph " + kExamples + "/blur3.fov -o " + out);
  ASSERT_EQ(r.status, 0) << r.out;
  std::string dot = readAll(out);
  EXPECT_NE(dot.find("digraph \"blur3\""), std::string::npos) << dot;
  EXPECT_NE(dot.find("subgraph cluster_0"), std::string::npos) << dot;        // a fusion group
  EXPECT_NE(dot.find("fused into strips of blur3"), std::string::npos) << dot;
  EXPECT_NE(dot.find("per y_o of blur3"), std::string::npos) << dot;  // the strip loop the planner made
  EXPECT_NE(dot.find("\"input\" -> \"input_reflect101\" [label=\"reflect101\"]"), std::string::npos) << dot;
  EXPECT_NE(dot.find("stencil"), std::string::npos) << dot;
  EXPECT_EQ(run("graph " + kExamples + "/blur3.fov -o " + out + ".txt").status, 2);
  fs::remove(out);
}

TEST(Cli, CompileWritesTheFourArtifacts) {
  fs::path dir = fs::temp_directory_path() / ("fovea_compile_" + std::to_string(::getpid()));
  CommandResult r = run("compile " + kExamples + "/histogram.fov --target host -o " + dir.string() + " --emit schedule,stmt");
  ASSERT_EQ(r.status, 0) << r.out;
  for (const char* f : {"histogram.a", "libhistogram.so", "histogram.h", "histogram.manifest.json", "histogram.schedule.json",
                        "histogram.stmt"}) {
    EXPECT_TRUE(fs::exists(dir / f)) << f;
  }
  std::string manifest = readAll((dir / "histogram.manifest.json").string());
  EXPECT_NE(manifest.find("\"format\": \"fovea-pipeline-manifest\""), std::string::npos) << manifest;
  EXPECT_NE(manifest.find("\"const\": 256"), std::string::npos) << manifest;  // the output's size rule
  EXPECT_EQ(run("compile " + kExamples + "/histogram.fov --target pentium4 -o " + dir.string()).status, 2);
  fs::remove_all(dir);
}

TEST(Cli, RunReportsBadImagesAndParameters) {
  std::string bad = writeTemp("corrupt.png", "\x89PNG\r\n\x1a\n this is not a png");
  CommandResult corrupt = run("run " + kExamples + "/blur3.fov -i " + bad + " -o /tmp/never.png");
  EXPECT_EQ(corrupt.status, 1);
  EXPECT_NE(corrupt.out.find("cannot read image"), std::string::npos) << corrupt.out;
  // A --set value the pipeline does not take is a usage error (2), in the JIT as in a library.
  CommandResult range = run("run " + kExamples + "/blur3.fov -i " + kExamples + "/images/chelsea.png -o /tmp/never.png --set strength=3");
  EXPECT_EQ(range.status, 2);
  EXPECT_NE(range.out.find("outside its range"), std::string::npos) << range.out;
  EXPECT_FALSE(fs::exists("/tmp/never.png"));
  EXPECT_EQ(run("run " + kExamples + "/blur3.fov -i " + kExamples + "/images/chelsea.png -o /tmp/never.png --set nope=1").status, 2);
  // Targets that cannot run here, outputs no format holds: usage errors before anything runs.
  std::string in = " -i " + kExamples + "/images/chelsea.png ";
  EXPECT_EQ(run("run " + kExamples + "/blur3.fov" + in + "-o /tmp/never.png --target arm-64-linux").status, 2);
  EXPECT_EQ(run("run " + kExamples + "/blur3.fov" + in + "-o /tmp/never.xyz").status, 2);
  std::string wide = writeTemp("wide.fov", "pipeline w(input: u8[x, y, c]) -> i32[x, y, c] {\n  o(x, y, c) = i32(input(x, y, c)) * 1000;\n  return o;\n}\n");
  CommandResult png = run("run " + wide + in + "-o /tmp/never.png");
  EXPECT_EQ(png.status, 2);
  EXPECT_NE(png.out.find("write it to a .json path"), std::string::npos) << png.out;
  std::string json = (fs::temp_directory_path() / ("fovea_wide_" + std::to_string(::getpid()) + ".json")).string();
  CommandResult ok = run("run " + wide + in + "-o " + json + " --repeat 1");
  EXPECT_EQ(ok.status, 0) << ok.out;
  EXPECT_NE(readAll(json).find("\"type\":\"i32\""), std::string::npos);
  fs::remove(json);
  EXPECT_FALSE(fs::exists("/tmp/never.png"));
}

}  // namespace

namespace {

/// CUDA libraries are compiled here with no GPU: the archive holds PTX for the heuristic's GPU
/// kernels (stencil producers staged in shared memory), and calling it without a GPU fails with
/// an error code and a message instead of crashing.
TEST(Cli, CudaLibrariesHoldKernelsAndFailCleanlyWithoutAGpu) {
  fs::path dir = fs::temp_directory_path() / ("fovea_cuda_" + std::to_string(::getpid()));
  for (const char* example : {"blur3", "unsharp", "edges"}) {
    CommandResult r = run(std::string("compile ") + kExamples + "/" + example + ".fov --target cuda -o " + dir.string());
    ASSERT_EQ(r.status, 0) << r.out;
    std::string archive = readAll((dir / (std::string(example) + ".a")).string());
    EXPECT_NE(archive.find(".target sm_80"), std::string::npos) << example;
    EXPECT_NE(archive.find(".entry _kernel_"), std::string::npos) << example;
    EXPECT_NE(archive.find("ld.shared"), std::string::npos) << example << ": fused producers should live in shared memory";
  }
  std::string program = writeTemp("cuda_call.c",
                                  "#include <stdio.h>\n#include <stdlib.h>\n#include \"blur3.h\"\n"
                                  "int main(void) {\n"
                                  "  static unsigned char in[16 * 16 * 3], out[16 * 16 * 3];\n"
                                  "  halide_dimension_t d[3] = {{0, 16, 3, 0}, {0, 16, 48, 0}, {0, 3, 1, 0}};\n"
                                  "  halide_buffer_t a = {0}, b = {0};\n"
                                  "  a.host = in; a.type.code = halide_type_uint; a.type.bits = 8; a.type.lanes = 1; a.dimensions = 3; a.dim = d;\n"
                                  "  b = a; b.host = out;\n"
                                  "  int r = blur3(&a, 0.5f, &b);\n"
                                  "  printf(\"status %d: %s\\n\", r, blur3_last_error());\n"
                                  "  return r == 0 ? 0 : 3;\n}\n");
  std::string exe = (dir / "cuda_call").string();
  std::string build = "cc -std=c99 -I" + dir.string() + " " + program + " " + (dir / "blur3.a").string() + " -lpthread -ldl -lm -o " + exe;
  ASSERT_EQ(std::system(build.c_str()), 0) << build;
  CommandResult call = runShell(exe + " 2>&1");
  if (call.status == 0) {
    GTEST_SKIP() << "this machine has a usable GPU: " << call.out;
  }
  EXPECT_EQ(call.status, 3) << call.out;  // an error code, not a signal
  EXPECT_EQ(call.out.find("status 0"), std::string::npos) << call.out;
  EXPECT_NE(call.out.find("cuda"), std::string::npos) << call.out;  // Could not find cuda system libraries
  fs::remove_all(dir);
}

}  // namespace

namespace {

TEST(Cli, RunErrorsNameTheScriptsDimensions) {
  std::string script = writeTemp("channel.fov", "pipeline ch(input: u8[x, y, c]) -> u8[x, y] size (input.width, input.height) {\n"
                                                "  o(x, y) = input(x, y, 3);\n  return o;\n}\n");
  CommandResult r = run("run " + script + " -i " + kExamples + "/images/chelsea.png -o /tmp/never_ch.png --repeat 1");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("input 'input' is read at c = 3, past its last index 2 (the image has 3 channels, the pipeline needs more)"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("Error: "), std::string::npos) << r.out;
}

TEST(Cli, ScheduleFilesAreValidated) {
  fs::path dir = fs::temp_directory_path() / ("fovea_sched_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string schedule = (dir / "s.json").string();
  auto runWith = [&](const std::string& json) {
    std::ofstream(schedule) << json;
    return run("run " + kExamples + "/blur3.fov -i " + kExamples + "/images/chelsea.png -o " + (dir / "o.png").string() + " --schedule " + schedule);
  };
  // Placements that cannot be: a stage at its own loop, an output inlined, a loop that does not exist.
  CommandResult r = runWith(R"({"version": 2, "strategy": "hand", "stages": [
      {"stage": "box3_bx", "compute": "at", "compute_at": {"stage": "box3_bx", "loop": "y"}},
      {"stage": "input_reflect101", "compute": "at", "compute_at": {"stage": "blur3", "loop": "y_o"}},
      {"stage": "blur3", "compute": "inline"}]})");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("stage 'box3_bx': 'compute_at' names the stage itself"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("stage 'blur3': 'compute' is \"inline\", but outputs are computed in full"), std::string::npos) << r.out;
  // Loops: a split of a loop that is not there, a vectorized loop no step made.
  CommandResult loops = runWith(R"({"version": 2, "stages": [{"stage": "blur3", "definitions": [
      {"steps": [{"split": "q", "outer": "q_o", "inner": "q_i", "factor": 4}]}]}]})");
  EXPECT_EQ(loops.status, 1) << loops.out;
  EXPECT_NE(loops.out.find("stage 'blur3', definition 0 (pure), steps[0]: 'split' names loop 'q', which is not a loop here (loops: c, x, y)"),
            std::string::npos)
      << loops.out;
  // Reading: a misspelt field, a bad factor, a version this Fovea does not read; each names where.
  CommandResult typo = runWith(R"({"version": 2, "stages": [{"stage": "blur3", "definitions": [{"vectorised": ["x"]}]}]})");
  EXPECT_EQ(typo.status, 1);
  EXPECT_NE(typo.out.find("stage 'blur3', definition 0: 'vectorised' is not a field here"), std::string::npos) << typo.out;
  CommandResult factor = runWith(R"({"version": 2, "stages": [{"stage": "blur3", "definitions": [
      {"steps": [{"split": "x", "outer": "x", "inner": "xi", "factor": 0}]}]}]})");
  EXPECT_NE(factor.out.find("stage 'blur3', definition 0, steps[0]: 'factor' must be an integer from 1"), std::string::npos) << factor.out;
  CommandResult old = runWith(R"({"version": 1, "stages": [{"stage": "blur3", "placement": "root"}]})");
  EXPECT_EQ(old.status, 1);
  EXPECT_NE(old.out.find("version 1 schedule"), std::string::npos) << old.out;
  std::ofstream(schedule) << "{ not json";
  CommandResult bad = run("run " + kExamples + "/blur3.fov -i " + kExamples + "/images/chelsea.png -o " + (dir / "o.png").string() +
                          " --schedule " + schedule);
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.out.find("schedule file"), std::string::npos) << bad.out;
  fs::remove_all(dir);
}

}  // namespace

namespace {

const std::string kAot = FOVEA_AOT_DIR;

TEST(Cli, RunLoadsCompiledLibrariesThroughTheRuntime) {
  fs::path out = fs::temp_directory_path() / ("fovea_artifact_" + std::to_string(::getpid()) + ".png");
  CommandResult r = run("run " + kAot + " --pipeline blur3 -i " + kExamples + "/images/chelsea.png -o " + out.string() + " --repeat 2 --set strength=0.5");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("blur3 (compiled library) loaded; 2 runs: median"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(out));
  fs::remove(out);
  CommandResult several = run("run " + kAot + " -i " + kExamples + "/images/chelsea.png -o " + out.string());
  EXPECT_EQ(several.status, 1);
  EXPECT_NE(several.out.find("holds several pipelines"), std::string::npos) << several.out;
  CommandResult range = run("run " + kAot + " --pipeline blur3 -i " + kExamples + "/images/chelsea.png -o " + out.string() + " --set strength=2");
  EXPECT_EQ(range.status, 2);
  EXPECT_NE(range.out.find("outside its range"), std::string::npos) << range.out;
  EXPECT_EQ(run("run " + kAot + " --pipeline blur3 --schedule none -i x.png -o y.png").status, 2);
  CommandResult wide = run("run " + kAot + " --pipeline to_gray -i " + kExamples + "/images/chelsea.png -o " + out.string() + " --set bias=300");
  EXPECT_EQ(wide.status, 2);
  EXPECT_NE(wide.out.find("parameter 'bias' is u8: 300 does not fit (0 to 255)"), std::string::npos) << wide.out;
  // A file that is no image OpenCV reads, and a gray photo where R, G and B are read: clear errors, nothing written.
  std::string text = writeTemp("notes.txt", "not an image");
  CommandResult unsupported = run("run " + kAot + " --pipeline blur3 -i " + text + " -o " + out.string());
  EXPECT_EQ(unsupported.status, 1);
  EXPECT_NE(unsupported.out.find("cannot read image"), std::string::npos) << unsupported.out;
  CommandResult channels = run("run " + kAot + " --pipeline to_gray -i " + kExamples + "/images/camera.png -o " + out.string());
  EXPECT_EQ(channels.status, 1);
  EXPECT_NE(channels.out.find("input 'input' is read at c = 2, past its last index 0 (the image has 1 channel"), std::string::npos) << channels.out;
  EXPECT_FALSE(fs::exists(out));
}

TEST(Cli, BatchProcessesADirectorySkippingBadImages) {
  fs::path base = fs::temp_directory_path() / ("fovea_batch_" + std::to_string(::getpid()));
  fs::path in = base / "in", out = base / "out";
  fs::create_directories(in);
  for (const char* name : {"a.png", "b.png", "c.png", "c.jpg"}) fs::copy_file(kExamples + "/images/chelsea.png", in / name);
  std::string png = readAll(kExamples + "/images/chelsea.png");
  std::ofstream(in / "truncated.png") << png.substr(0, png.size() / 3);
  std::ofstream(in / "notes.txt") << "not an image";
  CommandResult r = run("run " + kAot + " --pipeline halve --input-dir " + in.string() + " --output-dir " + out.string() + " --jobs 2");
  EXPECT_EQ(r.status, 1) << "one image failed: " << r.out;
  EXPECT_NE(r.out.find("truncated.png: cannot read image"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("4 of 5 images"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("images/s"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("MPix/s"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("slowest"), std::string::npos) << "fewer than 100 images: no p99 " << r.out;
  EXPECT_NE(r.out.find("] 5/5 images"), std::string::npos) << "progress: " << r.out;
  // c.png and c.jpg keep their extension in the names of their outputs: neither replaces the other.
  for (const char* name : {"a.small.png", "a.mean.json", "b.small.png", "c_png.mean.json", "c_jpg.small.jpg"}) EXPECT_TRUE(fs::exists(out / name)) << name;
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(out)) {
    ++files;
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << "a temporary file was left: " << e.path();
    EXPECT_EQ(e.path().filename().string().find("truncated"), std::string::npos) << "an output for the bad image: " << e.path();
  }
  EXPECT_EQ(files, 8u);
  // The same batch through the JIT, all good images: exit 0.
  fs::remove(in / "truncated.png");
  CommandResult jit = run("run " + kExamples + "/blur3.fov --input-dir " + in.string() + " --output-dir " + (base / "jit").string());
  EXPECT_EQ(jit.status, 0) << jit.out;
  EXPECT_TRUE(fs::exists(base / "jit" / "b.png"));
  // An output directory that cannot be written: an error before any work.
  CommandResult unwritable = run("run " + kAot + " --pipeline halve --input-dir " + in.string() + " --output-dir /proc/fovea-cannot-write");
  EXPECT_EQ(unwritable.status, 1);
  EXPECT_NE(unwritable.out.find("cannot write to output directory"), std::string::npos) << unwritable.out;
  EXPECT_EQ(run("run " + kAot + " --pipeline halve --input-dir " + in.string()).status, 2);
  fs::remove_all(base);
}

}  // namespace

namespace {

TEST(Cli, ModelErrorsAreReportedAtCompileTime) {
  const std::string relu = "/usr/share/libonnx-testdata/data/node/test_relu/model.onnx";  // f32 [3, 4, 5]
  std::string missing = writeTemp("missing_model.fov", "model m = onnx(\"nope.onnx\");\npipeline p(v: f32[x, y, z]) -> f32[x, y, z] {\n  o = m(v);\n  return o;\n}\n");
  CommandResult r = run("check " + missing);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("cannot use model 'm'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("nope.onnx: cannot read the file"), std::string::npos) << r.out;
  std::string garbage = writeTemp("garbage.onnx", "\x0a\x05hello, not a model");
  std::string corrupt = writeTemp("corrupt_model.fov", "model m = onnx(\"garbage.onnx\");\npipeline p(v: f32[x, y, z]) -> f32[x, y, z] {\n  o = m(v);\n  return o;\n}\n");
  r = run("check " + corrupt);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("garbage.onnx: not a valid ONNX (protobuf) file"), std::string::npos) << r.out;
  std::string shape = writeTemp("shape_model.fov", "model m = onnx(\"" + relu + "\");\npipeline p(v: f32[x, y]) -> f32[x, y] {\n  o = m(v);\n  return o;\n}\n");
  r = run("check " + shape);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("model 'm' input 'x' is f32 [3, 4, 5] (in Fovea's order, innermost first: 5, 4, 3); 'v' is f32[x, y]"), std::string::npos) << r.out;
  std::string type = writeTemp("type_model.fov", "model m = onnx(\"" + relu + "\");\npipeline p(v: u8[x, y, z]) -> f32[x, y, z] {\n  o = m(v);\n  return o;\n}\n");
  r = run("check " + type);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("'v' is u8[x, y, z]"), std::string::npos) << r.out;
  const std::string pool = "/usr/share/libonnx-testdata/data/node/test_maxpool_2d_default/model.onnx";  // [1, 3, 32, 32]
  const std::string gap = "/usr/share/libonnx-testdata/data/node/test_globalaveragepool/model.onnx";   // [1, 3, 5, 5]
  std::string twoSizes = writeTemp("two_sizes.fov", "model a = onnx(\"" + pool + "\");\nmodel b = onnx(\"" + gap +
                                                        "\");\npipeline p(v: f32[x, y, c, n]) -> f32[x, y, c, n] size (1, 1, 3, 1) {\n"
                                                        "  t(x, y, c, n) = v(x, y, c, n) * 2.0;\n  u = a(t);\n  w = b(t);\n  return w;\n}\n");
  r = run("check " + twoSizes);
  EXPECT_EQ(r.status, 1);
  // Stages are elaborated from the outputs back, so the second call is met first.
  EXPECT_NE(r.out.find("'t' is read by model 'b' as [1, 3, 5, 5] and by model 'a' as [1, 3, 32, 32]; a stage has one size"), std::string::npos) << r.out;
  std::string format = writeTemp("format_model.fov", "model m = tflite(\"" + relu + "\");\npipeline p(v: f32[x, y, z]) -> f32[x, y, z] {\n  o = m(v);\n  return o;\n}\n");
  r = run("check " + format);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("unknown model format 'tflite'"), std::string::npos) << r.out;
}

TEST(Cli, ClassifyRunsOnABatchAndWritesScoresAsJson) {
  fs::path base = fs::temp_directory_path() / ("fovea_classify_" + std::to_string(::getpid()));
  fs::create_directories(base / "in");
  fs::copy_file(kExamples + "/images/chelsea.png", base / "in" / "cat.png");
  fs::copy_file(kExamples + "/images/camera.png", base / "in" / "man.png");
  CommandResult r = run("run " + kExamples + "/classify.fov --input-dir " + (base / "in").string() + " --output-dir " + (base / "out").string());
  EXPECT_EQ(r.status, 0) << r.out;
  std::string scores = readAll((base / "out" / "cat.json").string());
  EXPECT_NE(scores.find("\"output\":\"classify\""), std::string::npos) << scores;
  EXPECT_NE(scores.find("\"extents\":[10]"), std::string::npos) << scores;
  EXPECT_TRUE(fs::exists(base / "out" / "man.json"));
  fs::remove_all(base);
}

}  // namespace

// The same failure gives the same exit status and the same words in every command (one mapping,
// driver/commands.cpp): errors in the script 1, a pipeline or file that is not there 2.
TEST(Cli, EveryCommandReportsTheSameFailureTheSameWay) {
  std::string bad = writeTemp("same_bad.fov", "pipeline p(input: u8[x]) -> u8[x] {\n  out(x) = inptu(x);\n  return out;\n}\n");
  std::string dir = fs::path(bad).parent_path().string();
  std::string png = dir + "/same_in.png";
  std::string good = kExamples + "/blur3.fov";
  struct Case {
    std::string command, tail;
  };
  const std::vector<Case> cases = {{"compile", "-o " + dir + "/same_out"}, {"run", "-i " + png + " -o " + dir + "/same_out.png"},
                                   {"graph", "-o " + dir + "/same.dot"}};
  for (const Case& c : cases) {
    CommandResult script = run(c.command + " " + bad + " " + c.tail);
    EXPECT_EQ(script.status, 1) << c.command << ": " << script.out;
    EXPECT_NE(script.out.find(bad + ":2:12: error: undefined name 'inptu'"), std::string::npos) << c.command << ": " << script.out;
    CommandResult pipeline = run(c.command + " " + good + " --pipeline nope " + c.tail);
    EXPECT_EQ(pipeline.status, 2) << c.command << ": " << pipeline.out;
    EXPECT_NE(pipeline.out.find("fovea " + c.command + ": '" + good + "': no pipeline named 'nope' (the file defines: blur3)"), std::string::npos)
        << c.command << ": " << pipeline.out;
    CommandResult missing = run(c.command + " " + dir + "/no_such.fov " + c.tail);
    EXPECT_EQ(missing.status, 2) << c.command << ": " << missing.out;
    EXPECT_NE(missing.out.find("fovea " + c.command + ": cannot read '" + dir + "/no_such.fov'"), std::string::npos) << c.command << ": " << missing.out;
  }
}

// `--dump-after PASS` prints what each pass made, in pass order, on stdout.
TEST(Cli, DumpAfterPrintsEachPassInOrder) {
  std::string dir = fs::path(writeTemp("dump_marker", "")).parent_path().string();
  CommandResult r = runShell(std::string(FOVEA_BINARY) + " compile " + kExamples + "/blur3.fov --target sse41 -o " + dir +
                             "/dump_out --dump-after apply,lower,check,plan,split 2>/dev/null");
  ASSERT_EQ(r.status, 0) << r.out;
  size_t at = 0;
  for (const char* pass : {"check: blur3", "split: blur3", "lower: blur3", "plan: blur3 for x86-64-linux-sse41", "apply: blur3 for x86-64-linux-sse41"}) {
    size_t next = r.out.find(std::string("// ---- after ") + pass, at);
    ASSERT_NE(next, std::string::npos) << pass << " missing or out of order:\n" << r.out.substr(0, 3000);
    at = next;
  }
  EXPECT_NE(r.out.find("stage box3.bx: f32[x, y, c]"), std::string::npos);        // the checked IR
  EXPECT_NE(r.out.find("box3_bx(x, y, c) = "), std::string::npos);                 // the lowered Funcs
  EXPECT_NE(r.out.find("\"stage\": \"box3_bx\""), std::string::npos);              // the schedule
  EXPECT_NE(r.out.find("produce blur3"), std::string::npos);                        // the loop nest
  CommandResult bad = run("compile " + kExamples + "/blur3.fov -o " + dir + "/dump_out --dump-after codegen");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.out.find("--dump-after takes check, split, fold, lower, plan, apply, not 'codegen'"), std::string::npos) << bad.out;
}

namespace {

double numberField(const fovea::json::Value& v, const std::string& key) {
  const fovea::json::Value* f = v.find(key);
  return f && f->kind() == fovea::json::Value::Kind::Number ? f->asNumber() : -1;
}

// `fovea bench`: a script JIT-compiled and a compiled library, on random and file inputs; the
// statistics are ordered, the byte counts are what the images hold, the floor is measured.
TEST(Cli, BenchReportsLatencyThroughputMemoryAndTheFloor) {
  CommandResult r = runShell(std::string(FOVEA_BINARY) + " bench " + kExamples + "/blur3.fov --input random:320x200x3 --floor --json --threads 1 2>/dev/null");
  ASSERT_EQ(r.status, 0) << r.out;
  std::string error;
  std::optional<fovea::json::Value> v = fovea::json::parse(r.out, &error);
  ASSERT_TRUE(v) << error << "\n" << r.out;
  EXPECT_EQ(v->find("pipeline")->asString(), "blur3");
  EXPECT_EQ(v->find("threads")->asString(), "1");
  EXPECT_GE(numberField(*v, "runs"), 10);
  double mn = numberField(*v, "min_ms"), med = numberField(*v, "median_ms"), p90 = numberField(*v, "p90_ms"), p99 = numberField(*v, "p99_ms");
  EXPECT_GT(mn, 0);
  EXPECT_LE(mn, med);
  EXPECT_LE(med, p90);
  EXPECT_LE(p90, p99);
  EXPECT_NEAR(numberField(*v, "images_per_s"), 1000 / med, 1e-6 * 1000 / med);
  EXPECT_NEAR(numberField(*v, "megapixels_per_s"), 0.064 / (med / 1000), 1e-6 * 0.064 / (med / 1000));
  EXPECT_EQ(numberField(*v, "bytes_read"), 320 * 200 * 3);     // one u8 RGB input
  EXPECT_EQ(numberField(*v, "bytes_written"), 320 * 200 * 3);  // one u8 RGB output
  EXPECT_GT(numberField(*v, "compile_ms"), 0);
  EXPECT_GT(numberField(*v, "peak_memory_mib"), 1);
  EXPECT_GT(numberField(*v, "floor_median_ms"), 0);
  EXPECT_NEAR(numberField(*v, "fraction_of_floor"), numberField(*v, "floor_median_ms") / med, 1e-9);

  CommandResult text = run("bench " + kAot + " --pipeline blur3 --input " + kExamples + "/images/chelsea.png --set strength=0.25");
  ASSERT_EQ(text.status, 0) << text.out;
  EXPECT_NE(text.out.find("blur3 (compiled library)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("inputs     input u8[451x300x3]"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("latency    min "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("MPix/s"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("floor"), std::string::npos) << text.out;  // only with --floor

  // With no --input, a color input gets random 1920x1080x3 values of its type.
  CommandResult gray = runShell(std::string(FOVEA_BINARY) + " bench " + kExamples + "/edges.fov --json 2>/dev/null");
  ASSERT_EQ(gray.status, 0) << gray.out;
  std::optional<fovea::json::Value> g = fovea::json::parse(gray.out, &error);
  ASSERT_TRUE(g) << error;
  EXPECT_EQ(g->find("inputs")->items()[0].asString(), "input u8[1920x1080x3]");
}

}  // namespace
