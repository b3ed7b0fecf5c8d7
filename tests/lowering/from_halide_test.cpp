// Reading an autoscheduler's schedule back into Fovea's data (schedule/from_halide.h) is faithful:
// the pipeline Halide scheduled in place and a fresh lowering given the converted schedule lower to
// the same loop nest (the .stmt, Halide's temporaries renumbered), for Mullapudi2016 and Adams2019
// on examples and applications with boundaries, channels, stencils and downsampling.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "lower/fold_windows.h"
#include "lower/lower.h"
#include "schedule/apply_schedule.h"
#include "schedule/autoschedule.h"
#include "schedule/from_halide.h"
#include "support/files.h"
#include "testing/check_source.h"

namespace fovea::test {
namespace {
namespace fs = std::filesystem;

std::string stmtOf(const LoweredPipeline& lowered, const Halide::Target& target, const std::string& tag) {
  fs::path file = fs::temp_directory_path() / ("fovea_from_halide_" + std::to_string(::getpid()) + "_" + tag + ".stmt");
  lowered.pipeline().compile_to_lowered_stmt(file.string(), lowered.arguments, Halide::StmtOutputFormat::Text, target);
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  fs::remove(file);
  // Halide numbers its temporaries and closures per process (t123, closure_arg$1, ..._x_o__1); the
  // two lowerings may differ in those numbers only.
  std::string s = std::regex_replace(text.str(), std::regex("\\bt[0-9]+\\b"), "t");
  s = std::regex_replace(s, std::regex("\\$[0-9]+"), "");
  // The simplifier orders the operands of a sum of temporaries by their numbers: with the numbers
  // gone, t.s + t and t + t.s are the same sum.
  s = std::regex_replace(s, std::regex("\\bt\\.s \\+ t\\b(?!\\.)"), "t + t.s");
  return std::regex_replace(s, std::regex("__[0-9]+\\b"), "");
}

struct Case {
  const char* file;
  const char* strategy;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.file << " " << c.strategy; }

std::string caseName(const ::testing::TestParamInfo<Case>& param) {
  return fs::path(param.param.file).stem().string() + "_" + param.param.strategy;
}

class FromHalide : public ::testing::TestWithParam<Case> {};

TEST_P(FromHalide, ConvertedScheduleLowersToTheSameLoops) {
  fs::path path = fs::path(FOVEA_TEST_DIR).parent_path() / GetParam().file;
  CheckResult checked = checkFile(path.string());
  ASSERT_EQ(checked.errors, 0u);
  const ir::Pipeline p = foldWindows(checked.program.pipelines.at(0));
  Halide::Target target = Halide::get_host_target();
  DiagnosticEngine diags(*checked.sources);

  std::optional<LoweredPipeline> inPlace = lowerPipeline(p, diags);
  ASSERT_TRUE(inPlace);
  std::optional<Schedule> s = runAutoscheduler(GetParam().strategy, p, *inPlace, target, diags);
  ASSERT_TRUE(s) << renderText(diags.diagnostics(), *checked.sources);
  ASSERT_FALSE(s->stages.empty()) << s->halideSchedule;
  std::string expected = stmtOf(*inPlace, target, "in_place");

  // The converted data, through JSON and back, on a fresh lowering.
  Result<Schedule> reread = Schedule::fromJson(*json::parse(s->toJson().dump(), nullptr));
  ASSERT_TRUE(reread) << reread.failure().message;
  std::optional<LoweredPipeline> fresh = lowerPipeline(p, diags);
  ASSERT_TRUE(fresh);
  ASSERT_TRUE(applySchedule(*fresh, *reread, diags)) << renderText(diags.diagnostics(), *checked.sources);
  EXPECT_EQ(stmtOf(*fresh, target, "converted"), expected);
}

INSTANTIATE_TEST_SUITE_P(Autoschedulers, FromHalide,
                         ::testing::Values(Case{"examples/blur3.fov", "mullapudi2016"}, Case{"examples/unsharp.fov", "mullapudi2016"},
                                           Case{"bench/apps/harris.fov", "mullapudi2016"}, Case{"bench/apps/pyrdown3.fov", "mullapudi2016"},
                                           Case{"examples/blur3.fov", "adams2019"}, Case{"examples/histogram.fov", "adams2019"}),
                         caseName);

}  // namespace
}  // namespace fovea::test
