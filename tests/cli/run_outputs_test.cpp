// What `fovea run` and `fovea compile` produce, read back and checked against references that
// share no code with them: OpenCV reads the images, the expected values are computed here.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "aot/blur3_reference.h"
#include "testing/process.h"

namespace fovea::test {
namespace {
namespace fs = std::filesystem;

const std::string kExamples = FOVEA_EXAMPLES_DIR;
const std::string kAot = FOVEA_AOT_DIR;

fs::path scratch(const std::string& name) {
  fs::path dir = fs::path(FOVEA_BINARY_DIR) / "run_outputs" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

ProcessOutcome fovea(std::vector<std::string> args, double limit = 300) {
  args.insert(args.begin(), FOVEA_BINARY);
  return runProcess(args, limit);
}

std::string readAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A 7 x 5 color image whose every value differs (B, G, R as OpenCV stores it).
cv::Mat tinyPhoto() {
  cv::Mat m(5, 7, CV_8UC3);
  for (int y = 0; y < 5; ++y) {
    for (int x = 0; x < 7; ++x) m.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uchar>(10 + x + 7 * y), static_cast<uchar>(100 + x + 7 * y), static_cast<uchar>(200 + y));
  }
  return m;
}

// c = 0 is red for the pipeline, and an output's c = 0 is red in the file: a pipeline that keeps
// red, and sets green to 77 and blue to 99, is checked on what OpenCV reads back (B, G, R).
TEST(RunOutputs, ChannelsAreRgbOnReadAndWrite) {
  fs::path dir = scratch("channels");
  cv::imwrite((dir / "in.png").string(), tinyPhoto());
  std::ofstream(dir / "keep_red.fov") << "pipeline keep_red(input: u8[x, y, c]) -> u8[x, y, c] {\n"
                                          "  o(x, y, c) = select(c == 0, input(x, y, 0), select(c == 1, u8(77), u8(99)));\n  return o;\n}\n";
  ProcessOutcome r = fovea({"run", (dir / "keep_red.fov").string(), "-i", (dir / "in.png").string(), "-o", (dir / "out.png").string(), "--repeat", "1"});
  ASSERT_EQ(r.status, 0) << r.output;
  cv::Mat in = tinyPhoto(), out = cv::imread((dir / "out.png").string(), cv::IMREAD_UNCHANGED);
  ASSERT_EQ(out.type(), CV_8UC3);
  ASSERT_EQ(out.size(), in.size());
  for (int y = 0; y < 5; ++y) {
    for (int x = 0; x < 7; ++x) {
      EXPECT_EQ(out.at<cv::Vec3b>(y, x), cv::Vec3b(99, 77, in.at<cv::Vec3b>(y, x)[2])) << x << "," << y;
    }
  }
  // The same output as JSON: every value, x fastest, then y, then c; c = 0 is red.
  r = fovea({"run", (dir / "keep_red.fov").string(), "-i", (dir / "in.png").string(), "-o", (dir / "out.json").string(), "--repeat", "1"});
  ASSERT_EQ(r.status, 0) << r.output;
  std::string json = readAll(dir / "out.json");
  std::string expected = "{\"output\":\"keep_red\",\"type\":\"u8\",\"dims\":[\"x\",\"y\",\"c\"],\"extents\":[7,5,3],\"data\":[";
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < 5; ++y) {
      for (int x = 0; x < 7; ++x) expected += std::to_string(c == 0 ? in.at<cv::Vec3b>(y, x)[2] : c == 1 ? 77 : 99) + ",";
    }
  }
  expected.back() = ']';
  EXPECT_EQ(json, expected + "}\n");
}

// u16 and f32 outputs keep every value in the formats that hold them.
TEST(RunOutputs, WideAndFloatOutputsReadBackExactly) {
  fs::path dir = scratch("wide");
  cv::imwrite((dir / "in.png").string(), tinyPhoto());
  std::ofstream(dir / "wide.fov") << "pipeline wide(input: u8[x, y, c]) -> u16[x, y, c] {\n  o(x, y, c) = u16(input(x, y, c)) * 257 + u16(c);\n  return o;\n}\n"
                                     "pipeline flt(input: u8[x, y, c]) -> f32[x, y, c] {\n  o(x, y, c) = sqrt(f32(input(x, y, c))) / 3.0 + f32(c);\n  return o;\n}\n";
  ASSERT_EQ(fovea({"run", (dir / "wide.fov").string(), "--pipeline", "wide", "-i", (dir / "in.png").string(), "-o", (dir / "w.png").string(), "--repeat", "1"}).status, 0);
  ASSERT_EQ(fovea({"run", (dir / "wide.fov").string(), "--pipeline", "flt", "-i", (dir / "in.png").string(), "-o", (dir / "f.tif").string(), "--repeat", "1"}).status, 0);
  ASSERT_EQ(fovea({"run", (dir / "wide.fov").string(), "--pipeline", "flt", "-i", (dir / "in.png").string(), "-o", (dir / "f.json").string(), "--repeat", "1"}).status, 0);
  // The JSON's values, in its order (x fastest, then y, then c), each the shortest text of the f32.
  std::string json = readAll(dir / "f.json");
  std::vector<float> values;
  for (const char* p = json.c_str() + json.find("\"data\":[") + 8; *p && *p != ']'; ++p) {
    char* end = nullptr;
    values.push_back(std::strtof(p, &end));
    p = end;
    if (*p == ']') break;
  }
  ASSERT_EQ(values.size(), 7u * 5u * 3u);
  cv::Mat in = tinyPhoto();
  cv::Mat w = cv::imread((dir / "w.png").string(), cv::IMREAD_UNCHANGED), f = cv::imread((dir / "f.tif").string(), cv::IMREAD_UNCHANGED);
  ASSERT_EQ(w.type(), CV_16UC3);
  ASSERT_EQ(f.type(), CV_32FC3);
  for (int y = 0; y < 5; ++y) {
    for (int x = 0; x < 7; ++x) {
      for (int c = 0; c < 3; ++c) {
        int bgr = 2 - c;  // OpenCV's order
        int v = in.at<cv::Vec3b>(y, x)[bgr];
        EXPECT_EQ(w.at<cv::Vec3w>(y, x)[bgr], v * 257 + c);
        float computed = values[static_cast<size_t>((c * 5 + y) * 7 + x)];
        EXPECT_EQ(f.at<cv::Vec3f>(y, x)[bgr], computed);  // bit for bit: the TIFF and the JSON hold the same float
        EXPECT_NEAR(computed, std::sqrt(static_cast<float>(v)) / 3.0f + static_cast<float>(c), 1e-6f);  // and it is what was asked
      }
    }
  }
}

/// What the fat library's dispatcher should pick when limited to `variant` on this CPU.
std::string expectedVariant(const std::string& variant) {
  bool avx2 = cv::checkHardwareSupport(CV_CPU_AVX2) && cv::checkHardwareSupport(CV_CPU_FMA3);
  bool avx512 = cv::checkHardwareSupport(CV_CPU_AVX_512F) && cv::checkHardwareSupport(CV_CPU_AVX_512BW) && cv::checkHardwareSupport(CV_CPU_AVX_512VL);
  if (variant == "generic") return "generic";
  if (variant == "sse41" || (variant == "avx2" && !avx2) || (variant == "avx512" && !avx2)) return "sse41";
  if (variant == "avx2" || !avx512) return "sse41-avx-avx2-fma-f16c";
  return "avx512";
}

// Every variant of the default fat library (AVX-512, AVX2, SSE4.1, generic), forced in turn, gives
// the blur that the reference computes. The variants a CPU cannot run fall back, and say so.
TEST(RunOutputs, EveryVariantOfAFatLibraryMatchesTheReference) {
  fs::path dir = scratch("variants");
  std::string manifest = readAll(fs::path(kAot) / "blur3.manifest.json");
  ASSERT_NE(manifest.find("avx512"), std::string::npos) << "blur3 should be compiled for the default fat targets";
  ASSERT_NE(manifest.find("sse41"), std::string::npos);
  cv::Mat photo = cv::imread(kExamples + "/images/chelsea.png", cv::IMREAD_COLOR);
  for (const std::string variant : {"avx512", "avx2", "sse41", "generic"}) {
    SCOPED_TRACE(variant);
    ::setenv("FOVEA_TARGET_VARIANT", variant.c_str(), 1);
    fs::path out = dir / (variant + ".png");
    ProcessOutcome r = fovea({"run", kAot, "--pipeline", "blur3", "-i", kExamples + "/images/chelsea.png", "-o", out.string(), "--set", "strength=0.6",
                              "--repeat", "1"});
    ::unsetenv("FOVEA_TARGET_VARIANT");
    ASSERT_EQ(r.status, 0) << r.output;
    std::smatch ran;
    ASSERT_TRUE(std::regex_search(r.output, ran, std::regex("'blur3' ran its (\\S+) variant"))) << r.output;
    std::string expected = expectedVariant(variant);
    if (expected == "avx512") EXPECT_NE(ran[1].str().find("avx512"), std::string::npos) << r.output;
    else EXPECT_EQ(ran[1].str(), expected) << r.output;
    cv::Mat result = cv::imread(out.string(), cv::IMREAD_COLOR);
    cv::Mat rgbIn, rgbOut;
    cv::cvtColor(photo, rgbIn, cv::COLOR_BGR2RGB);
    cv::cvtColor(result, rgbOut, cv::COLOR_BGR2RGB);
    auto view = [](cv::Mat& m) {
      halide_dimension_t d[3] = {{0, m.cols, 3, 0}, {0, m.rows, static_cast<int32_t>(m.step1()), 0}, {0, 3, 1, 0}};
      return Halide::Runtime::Buffer<const uint8_t>(m.data, 3, d);
    };
    Blur3Error e = blur3Error(view(rgbIn), view(rgbOut), 0.6f);
    EXPECT_TRUE(e.withinRounding()) << e;
  }
  // A value that names no variant is ignored with a warning, and the library claims no variant
  // (Halide's own dispatcher picks the best one).
  ::setenv("FOVEA_TARGET_VARIANT", "avx1024", 1);
  ProcessOutcome r = fovea({"run", kAot, "--pipeline", "blur3", "-i", kExamples + "/images/chelsea.png", "-o", (dir / "ignored.png").string(), "--repeat", "1"});
  ::unsetenv("FOVEA_TARGET_VARIANT");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("FOVEA_TARGET_VARIANT=avx1024 is not avx512, avx2, sse41 or generic: ignored"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("ran its"), std::string::npos) << r.output;
}

// A library named like a C library function computes its own pipeline through the runtime, not
// libm's function of that name (libraries bind their own symbols).
TEST(RunOutputs, PipelinesNamedLikeCLibraryFunctionsRunTheirOwnCode) {
  fs::path dir = scratch("libc_names");
  cv::imwrite((dir / "in.png").string(), tinyPhoto());
  std::string script;
  const char* names[] = {"gamma", "erf", "index", "hypot"};
  for (int k = 0; k < 4; ++k) {
    script += std::string("pipeline ") + names[k] + "(input: u8[x, y, c]) -> u8[x, y, c] {\n  o(x, y, c) = u8((u16(input(x, y, c)) * " +
              std::to_string(k + 2) + " + 1) / 3);\n  return o;\n}\n";
  }
  std::ofstream(dir / "named.fov") << script;
  ProcessOutcome c = fovea({"compile", (dir / "named.fov").string(), "--target", "host", "-o", (dir / "lib").string()});
  ASSERT_EQ(c.status, 0) << c.output;
  EXPECT_EQ(c.output.find("warning"), std::string::npos) << c.output;
  cv::Mat in = tinyPhoto();
  for (int k = 0; k < 4; ++k) {
    SCOPED_TRACE(names[k]);
    fs::path out = dir / (std::string(names[k]) + ".png");
    ProcessOutcome r = fovea({"run", (dir / "lib").string(), "--pipeline", names[k], "-i", (dir / "in.png").string(), "-o", out.string(), "--repeat", "1"});
    ASSERT_EQ(r.status, 0) << r.output;
    cv::Mat got = cv::imread(out.string(), cv::IMREAD_COLOR);
    ASSERT_EQ(got.size(), in.size());
    for (int y = 0; y < 5; ++y) {
      for (int x = 0; x < 7; ++x) {
        for (int ch = 0; ch < 3; ++ch) ASSERT_EQ(got.at<cv::Vec3b>(y, x)[ch], static_cast<uint8_t>((in.at<cv::Vec3b>(y, x)[ch] * (k + 2) + 1) / 3)) << x << "," << y;
      }
    }
  }
}

// A size rule with casts, division and saturation gives the same output size in a script run by
// the JIT and in its compiled library (one evaluator), and the size the language defines.
TEST(RunOutputs, SizeRulesAgreeBetweenScriptAndLibrary) {
  fs::path dir = scratch("sizes");
  cv::imwrite((dir / "in.png").string(), tinyPhoto());  // 7 x 5
  std::ofstream(dir / "sized.fov")
      << "pipeline sized(input: u8[x, y, c], s: f32 = 2.7) -> u8[x, y] size (i32(f32(input.width) * s), i32(u8_sat(f32(input.height) * 55.5)) - 200) {\n"
         "  src = boundary(input, edge);\n  o(x, y) = src(x, y, 0);\n  return o;\n}\n";
  // width: i32(7 * 2.7 = 18.9) truncates to 18; height: u8_sat(277.5) = 255, minus 200 = 55.
  ProcessOutcome jit = fovea({"run", (dir / "sized.fov").string(), "-i", (dir / "in.png").string(), "-o", (dir / "jit.json").string(), "--repeat", "1"});
  ASSERT_EQ(jit.status, 0) << jit.output;
  ASSERT_EQ(fovea({"compile", (dir / "sized.fov").string(), "--target", "host", "-o", (dir / "lib").string()}).status, 0);
  ProcessOutcome lib = fovea({"run", (dir / "lib").string(), "-i", (dir / "in.png").string(), "-o", (dir / "lib.json").string(), "--repeat", "1"});
  ASSERT_EQ(lib.status, 0) << lib.output;
  EXPECT_NE(readAll(dir / "jit.json").find("\"extents\":[18,55]"), std::string::npos);
  EXPECT_NE(readAll(dir / "lib.json").find("\"extents\":[18,55]"), std::string::npos);
}

// A schedule written by --emit schedule, given back with --schedule, compiles to the same code.
// An autoscheduler's (Halide C++ that only its own process could apply) is refused, not ignored.
TEST(RunOutputs, EmittedSchedulesLoadBack) {
  fs::path dir = scratch("schedules");
  std::string blur3 = kExamples + "/blur3.fov";
  ASSERT_EQ(fovea({"compile", blur3, "--target", "avx2", "-o", (dir / "a").string(), "--emit", "schedule,stmt"}).status, 0);
  ProcessOutcome again = fovea({"compile", blur3, "--target", "avx2", "-o", (dir / "b").string(), "--emit", "stmt", "--schedule",
                                (dir / "a" / "blur3.schedule.json").string()});
  ASSERT_EQ(again.status, 0) << again.output;
  std::string first = readAll(dir / "a" / "blur3.stmt"), second = readAll(dir / "b" / "blur3.stmt");
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, second);
  // The same file applies when the C function is renamed: schedules name the output after the
  // pipeline, not after the function. Both libraries compute the same image.
  ProcessOutcome renamed = fovea({"compile", blur3, "--target", "avx2", "--function", "blur3_fast", "-o", (dir / "f").string(), "--emit", "stmt",
                                  "--schedule", (dir / "a" / "blur3.schedule.json").string()});
  ASSERT_EQ(renamed.status, 0) << renamed.output;
  // Halide numbers its temporaries and closures per process (t123, name$4, par_for_..._4): only those may differ.
  auto numbered = [](const std::string& stmt) {
    return std::regex_replace(std::regex_replace(stmt, std::regex("\\bt[0-9]+\\b"), "t"), std::regex("(\\$|__)[0-9]+"), "$1N");
  };
  std::string renamedStmt = std::regex_replace(readAll(dir / "f" / "blur3_fast.stmt"), std::regex("blur3_fast"), "blur3");
  EXPECT_EQ(numbered(renamedStmt), numbered(first)) << "the schedule file did not give the same code under another function name";
  ASSERT_EQ(fovea({"run", (dir / "a").string(), "-i", kExamples + "/images/chelsea.png", "-o", (dir / "a.png").string(), "--repeat", "1"}).status, 0);
  ProcessOutcome ranRenamed =
      fovea({"run", (dir / "f").string(), "-i", kExamples + "/images/chelsea.png", "-o", (dir / "f.png").string(), "--repeat", "1"});
  ASSERT_EQ(ranRenamed.status, 0) << ranRenamed.output;
  EXPECT_EQ(readAll(dir / "a.png"), readAll(dir / "f.png"));
  // An autoscheduler's schedule is converted into Fovea's data: its file loads back and compiles
  // to the same code as the autoscheduler's own run.
  ASSERT_EQ(fovea({"compile", blur3, "--target", "avx2", "-o", (dir / "m").string(), "--emit", "schedule,stmt", "--schedule", "mullapudi2016"}).status, 0);
  std::string converted = readAll(dir / "m" / "blur3.schedule.json");
  EXPECT_NE(converted.find("\"strategy\": \"mullapudi2016\""), std::string::npos) << converted;
  EXPECT_NE(converted.find("\"compute\": \"root\""), std::string::npos) << converted;
  ProcessOutcome reloaded = fovea({"compile", blur3, "--target", "avx2", "-o", (dir / "n").string(), "--emit", "stmt", "--schedule",
                                   (dir / "m" / "blur3.schedule.json").string()});
  ASSERT_EQ(reloaded.status, 0) << reloaded.output;
  // Halide numbers its temporaries per process, and the autoscheduler's process lowered more often.
  auto normalized = [](const std::string& stmt) { return std::regex_replace(stmt, std::regex("\\bt[0-9]+\\b"), "t"); };
  EXPECT_EQ(normalized(readAll(dir / "m" / "blur3.stmt")), normalized(readAll(dir / "n" / "blur3.stmt")));
  // One that could not be converted holds only Halide C++: refused, nothing written.
  std::ofstream(dir / "halide_only.json") << R"({"version": 2, "strategy": "mullapudi2016", "stages": [], "halide_schedule": "blur3.compute_root();"})";
  ProcessOutcome refused = fovea({"compile", blur3, "--target", "avx2", "-o", (dir / "r").string(), "--schedule", (dir / "halide_only.json").string()});
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.output.find("run the autoscheduler again with --schedule mullapudi2016"), std::string::npos) << refused.output;
  EXPECT_FALSE(fs::exists(dir / "r"));
}

// Each variant of a fat library is planned for its own target (vector widths of AVX-512 are not
// those of SSE4.1): the manifest lists one schedule per target, and they differ. A schedule file is
// used as written for every variant, and each variant it was not planned for gets a note.
TEST(RunOutputs, FatLibrariesScheduleEachVariantForItsTarget) {
  fs::path dir = scratch("variant_schedules");
  std::string blur3 = kExamples + "/blur3.fov";
  ProcessOutcome fat = fovea({"compile", blur3, "--target", "avx512,avx2,sse41,generic", "-o", (dir / "fat").string(), "--emit", "schedule"});
  ASSERT_EQ(fat.status, 0) << fat.output;
  EXPECT_EQ(fat.output.find("note:"), std::string::npos) << fat.output;
  std::string manifest = readAll(dir / "fat" / "blur3.manifest.json");
  std::regex variant("\\{\\s*\"target\":\\s*\"([^\"]+)\",\\s*\"hash\":\\s*\"([0-9a-f]+)\"\\s*\\}");
  std::vector<std::pair<std::string, std::string>> variants;
  for (auto it = std::sregex_iterator(manifest.begin(), manifest.end(), variant); it != std::sregex_iterator(); ++it) {
    variants.push_back({(*it)[1].str(), (*it)[2].str()});
  }
  ASSERT_EQ(variants.size(), 4u) << manifest;
  EXPECT_NE(variants[0].first.find("avx512"), std::string::npos);
  EXPECT_EQ(variants[2].first, "x86-64-linux-sse41");
  EXPECT_NE(variants[0].second, variants[2].second) << "AVX-512 and SSE4.1 got the same schedule";
  EXPECT_NE(variants[1].second, variants[3].second) << "AVX2 and generic got the same schedule";
  // Every variant is lowered anew, yet the C signature names the output after the pipeline (no
  // "$1" that a second lowering in one process would otherwise get).
  std::string header = readAll(dir / "fat" / "blur3.h");
  EXPECT_NE(header.find("int blur3(struct halide_buffer_t *_input_buffer, float _strength, struct halide_buffer_t *_blur3_buffer);"),
            std::string::npos)
      << header.substr(0, 3000);
  // The emitted schedule is the first variant's, and says so.
  std::string emitted = readAll(dir / "fat" / "blur3.schedule.json");
  EXPECT_NE(emitted.find(variants[0].first), std::string::npos) << emitted;

  ProcessOutcome reused = fovea({"compile", blur3, "--target", "avx512,sse41", "-o", (dir / "reused").string(), "--schedule",
                                 (dir / "fat" / "blur3.schedule.json").string()});
  ASSERT_EQ(reused.status, 0) << reused.output;
  EXPECT_NE(reused.output.find("was planned for " + variants[0].first + "; the x86-64-linux-sse41 variant uses it as written"),
            std::string::npos)
      << reused.output;
  EXPECT_EQ(reused.output.find("the " + variants[0].first + " variant uses it"), std::string::npos) << reused.output;
}

}  // namespace
}  // namespace fovea::test
