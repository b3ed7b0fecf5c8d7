// The compiler API (api/compiler.h) as the commands, the tests and the autotuner use it: the passes
// in order, failures as values, schedules applied to fresh lowerings, and the JIT and a compiled
// library agreeing on every output size.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "api/compiler.h"
#include "codegen/targets.h"

namespace fovea {
namespace {
namespace fs = std::filesystem;

compiler::Options options() { return compiler::Options{FOVEA_STDLIB_DIR, {}, {}}; }

const char* kBlur =
    "pipeline blur(input: u8[x, y]) -> u8[x, y] {\n"
    "  src = boundary(input, edge);\n"
    "  bx(x, y) = (u16(src(x - 1, y)) + u16(src(x, y)) + u16(src(x + 1, y))) / 3;\n"
    "  out(x, y) = u8(bx(x, y));\n"
    "  return out;\n"
    "}\n";

Image ramp(int w, int h) {
  Image b(halide_type_of<uint8_t>(), w, h);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) static_cast<uint8_t*>(b.data())[y * w + x] = static_cast<uint8_t>((x * 7 + y * 3) % 251);
  }
  return b;
}

/// The blur written out by hand (edge border), for the value checks.
uint8_t expectedBlur(const Image& in, int x, int y) {
  auto at = [&](int xx) {
    xx = std::max(0, std::min(in.dim(0).extent() - 1, xx));
    return static_cast<const uint8_t*>(in.data())[y * in.dim(0).extent() + xx];
  };
  return static_cast<uint8_t>((at(x - 1) + at(x) + at(x + 1)) / 3);
}

TEST(CompilerApi, FailuresSayWhoseFaultTheyAre) {
  compiler::Result<compiler::Program> missing = compiler::load("/nonexistent/dir/x.fov", options());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.failure().kind, compiler::Failure::Kind::Usage);
  EXPECT_NE(missing.failure().message.find("cannot read '/nonexistent/dir/x.fov'"), std::string::npos);

  compiler::Result<compiler::Program> broken = compiler::checkSource("pipeline p(input: u8[x]) -> u8[x] {\n  out(x) = inptu(x);\n  return out;\n}\n",
                                                                     "broken.fov", options());
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.failure().kind, compiler::Failure::Kind::Input);
  ASSERT_EQ(broken.failure().diagnostics.size(), 1u);
  EXPECT_NE(broken.failure().render().find("broken.fov:2:12: error: undefined name 'inptu'"), std::string::npos) << broken.failure().render();

  compiler::Result<compiler::Program> program = compiler::checkSource(kBlur, "blur.fov", options());
  ASSERT_TRUE(program) << program.failure().render();
  compiler::Result<const ir::Pipeline*> none = program->pipeline("blurr");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.failure().kind, compiler::Failure::Kind::Usage);
  EXPECT_NE(none.failure().message.find("no pipeline named 'blurr' (the file defines: blur)"), std::string::npos);

  compiler::Result<Schedule> unknown = compiler::plan(*program, **program->pipeline(""), "fastest", hostTarget());
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.failure().render().find("unknown schedule 'fastest'"), std::string::npos) << unknown.failure().render();
}

TEST(CompilerApi, DumpAfterReportsEveryPassInOrder) {
  std::vector<std::string> seen;
  compiler::Options o = options();
  o.dumpAfter = {compiler::Pass::Check, compiler::Pass::Split, compiler::Pass::Fold, compiler::Pass::Lower, compiler::Pass::Plan,
                 compiler::Pass::Apply};
  std::string lowered, scheduled;
  o.dump = [&](compiler::Pass pass, const std::string& what, const std::string& text) {
    seen.push_back(std::string(compiler::toString(pass)) + " " + what);
    if (pass == compiler::Pass::Lower) lowered = text;
    if (pass == compiler::Pass::Apply) scheduled = text;
  };
  compiler::Result<compiler::Program> program = compiler::checkSource(kBlur, "blur.fov", o);
  ASSERT_TRUE(program);
  const ir::Pipeline& p = **program->pipeline("blur");
  compiler::split(*program, p);
  Halide::Target target = hostTarget();
  ASSERT_TRUE(compiler::schedule(*program, p, "heuristic", target));
  std::string on = " for " + target.to_string();
  EXPECT_EQ(seen, (std::vector<std::string>{"check blur", "split blur", "fold blur", "lower blur", "plan blur" + on, "apply blur" + on}));
  // The lowering is Halide's notation of the script; the applied schedule is a loop nest.
  EXPECT_NE(lowered.find("bx(x, y) = "), std::string::npos) << lowered;
  EXPECT_NE(scheduled.find("for (blur.s0.y"), std::string::npos) << scheduled.substr(0, 2000);
  // Unknown pass names are refused by name.
  EXPECT_FALSE(compiler::parsePass("parse"));
  EXPECT_EQ(compiler::passNames(), "check, split, fold, lower, plan, apply");
}

TEST(CompilerApi, PlannedSchedulesApplyToFreshLoweringsAndRecordTheirTarget) {
  compiler::Result<compiler::Program> program = compiler::checkSource(kBlur, "blur.fov", options());
  ASSERT_TRUE(program);
  const ir::Pipeline& p = **program->pipeline("blur");
  Halide::Target sse = (*parseTargets("sse41"))[0], avx512 = (*parseTargets("avx512"))[0];
  compiler::Result<Schedule> planned = compiler::plan(*program, p, "heuristic", avx512);
  ASSERT_TRUE(planned);
  EXPECT_EQ(planned->target, avx512.to_string());
  // The same schedule applied twice, each time to a lowering of its own.
  compiler::Result<compiler::Scheduled> a = compiler::apply(*program, p, *planned, avx512);
  compiler::Result<compiler::Scheduled> b = compiler::apply(*program, p, *planned, avx512);
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(a->notes.empty());
  EXPECT_FALSE(a->lowered.outputs[0].function().same_as(b->lowered.outputs[0].function()));
  // Applied for another target: used as written, with a note naming both.
  compiler::Result<compiler::Scheduled> elsewhere = compiler::apply(*program, p, *planned, sse);
  ASSERT_TRUE(elsewhere);
  ASSERT_EQ(elsewhere->notes.size(), 1u);
  EXPECT_NE(elsewhere->notes[0].find("planned for " + avx512.to_string()), std::string::npos) << elsewhere->notes[0];
  // Planned for each target, the vector widths differ (64 bytes of u8 vs 16).
  compiler::Result<Schedule> forSse = compiler::plan(*program, p, "heuristic", sse);
  ASSERT_TRUE(forSse);
  EXPECT_NE(forSse->hash(), planned->hash());
}

TEST(CompilerApi, AnAutoschedulersScheduleIsConvertedAndAppliesToAFreshLowering) {
  compiler::Result<compiler::Program> program = compiler::checkSource(kBlur, "blur.fov", options());
  ASSERT_TRUE(program);
  const ir::Pipeline& p = **program->pipeline("blur");
  compiler::Result<Schedule> planned = compiler::plan(*program, p, "mullapudi2016", hostTarget());
  ASSERT_TRUE(planned) << planned.failure().render();
  EXPECT_FALSE(planned->halideSchedule.empty());
  ASSERT_FALSE(planned->stages.empty()) << planned->halideSchedule;  // read back as Fovea's data
  const StageSchedule* out = planned->find("blur");
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->placement, Placement::Root);
  ASSERT_FALSE(out->definitions.empty());
  EXPECT_FALSE(out->definitions[0].steps.empty()) << out->summary();
  EXPECT_FALSE(out->definitions[0].parallel.empty()) << out->summary();
  compiler::Result<compiler::Scheduled> applied = compiler::apply(*program, p, *planned, hostTarget());
  ASSERT_TRUE(applied) << applied.failure().render();
  // Without stages (a schedule Fovea could not convert) there is nothing to apply elsewhere.
  Schedule textOnly = *planned;
  textOnly.stages.clear();
  compiler::Result<compiler::Scheduled> refused = compiler::apply(*program, p, textOnly, hostTarget());
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.failure().message.find("could not be converted"), std::string::npos) << refused.failure().message;
}

/// The heuristic schedule of pipeline `name` in `source`, or the failure of checking or planning.
compiler::Result<Schedule> planHeuristic(const char* source, const std::string& name) {
  compiler::Result<compiler::Program> program = compiler::checkSource(source, name + ".fov", options());
  if (!program) return program.failure();
  return compiler::plan(*program, **program->pipeline(name), "heuristic", hostTarget());
}

// Reads at 2 * y + k (a pyramid level) are affine, not gathers: the level is computed in the strips
// of the level it makes, its rows per strip scaled by 2, and the schedule's loops say where.
TEST(CompilerApi, DownsamplingReadsAreFusedLikeStencils) {
  const char* pyramid =
      "pipeline two(input: u8[x, y]) -> u8[x, y] size ((input.width + 3) / 4, (input.height + 3) / 4) {\n"
      "  src = boundary(input, reflect101);\n"
      "  a(x, y) = (u16(src(2 * x - 1, 2 * y)) + 2 * u16(src(2 * x, 2 * y)) + u16(src(2 * x + 1, 2 * y))) / 4;\n"
      "  b(x, y) = u8((a(2 * x, 2 * y - 1) + 2 * a(2 * x, 2 * y) + a(2 * x, 2 * y + 1) + 2) / 4);\n"
      "  return b;\n"
      "}\n";
  compiler::Result<Schedule> planned = planHeuristic(pyramid, "two");
  ASSERT_TRUE(planned) << planned.failure().render();
  const StageSchedule* a = planned->find("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->placement, Placement::At) << a->summary();
  EXPECT_EQ(a->computeAt.stage, "two");
  EXPECT_NE(a->reason.find("affine"), std::string::npos) << a->reason;
  EXPECT_NE(a->reason.find("rows of its own"), std::string::npos) << a->reason;
}

// A 1-D table (per-column weights) read by a 3-D stage is computed once per column, not inlined
// into every pixel and channel; a table as cheap as the load that would read it stays inlined.
TEST(CompilerApi, TablesOverFewerDimensionsAreComputedOnce) {
  const char* source =
      "pipeline t(input: u8[x, y, c]) -> u8[x, y, c] {\n"
      "  wx(x) = i32(round(f32(x) * 0.37 - floor(f32(x) * 0.37)) * 2048.0);\n"
      "  cheap(x) = x + 1;\n"
      "  o(x, y, c) = u8_sat((i32(input(x, y, c)) * wx(x) + cheap(x)) / 2048);\n"
      "  return o;\n"
      "}\n";
  compiler::Result<Schedule> planned = planHeuristic(source, "t");
  ASSERT_TRUE(planned) << planned.failure().render();
  const StageSchedule* wx = planned->find("wx");
  const StageSchedule* cheap = planned->find("cheap");
  ASSERT_NE(wx, nullptr);
  ASSERT_NE(cheap, nullptr);
  EXPECT_EQ(wx->placement, Placement::Root) << wx->summary();
  EXPECT_NE(wx->reason.find("table over 1 of its readers' 3 dimensions"), std::string::npos) << wx->reason;
  EXPECT_EQ(cheap->placement, Placement::Inline) << cheap->summary();
}

TEST(CompilerApi, TheJitRunsWithTheRuntimesChecks) {
  compiler::Result<compiler::Program> program = compiler::checkSource(kBlur, "blur.fov", options());
  ASSERT_TRUE(program);
  auto jit = compiler::jit(*program, **program->pipeline("blur"), "heuristic", hostTarget());
  ASSERT_TRUE(jit) << jit.failure().render();
  Image in = ramp(37, 11);
  std::vector<Image> out;
  (*jit)->run({in}, {}, out);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].dim(0).extent(), 37);
  size_t wrong = 0;
  for (int y = 0; y < 11; ++y) {
    for (int x = 0; x < 37; ++x) wrong += static_cast<const uint8_t*>(out[0].data())[y * 37 + x] != expectedBlur(in, x, y);
  }
  EXPECT_EQ(wrong, 0u);
  // The runtime's messages: a wrong type, an unknown parameter.
  Image f32(halide_type_of<float>(), 4, 4);
  try {
    (*jit)->run({f32}, {}, out);
    ADD_FAILURE() << "an f32 image was accepted by a u8 input";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("input"), std::string::npos) << e.what();
  }
  EXPECT_THROW((*jit)->run({in}, {{"sigma", 1.0}}, out), Error);
}

// A size rule with casts and division (wrapping, truncating toward zero) gives the same output
// size in the JIT (compiler::signatureOf) and in the compiled library the runtime loads.
TEST(CompilerApi, SizeRulesWithCastsAgreeBetweenTheJitAndTheLibrary) {
  const char* source =
      "pipeline shrink(input: u8[x, y], k: f32 = 2.5 in [0.5, 8.0]) -> u8[x, y]\n"
      "    size (i32(f32(input.width) / k) + 1, (input.height - 7) / 2 + i32(u8(input.width + 250))) {\n"
      "  src = boundary(input, edge);\n"
      "  out(x, y) = src(x, y);\n"
      "  return out;\n"
      "}\n";
  compiler::Result<compiler::Program> program = compiler::checkSource(source, "shrink.fov", options());
  ASSERT_TRUE(program) << program.failure().render();
  const ir::Pipeline& p = **program->pipeline("shrink");
  auto jit = compiler::jit(*program, p, "heuristic", hostTarget());
  ASSERT_TRUE(jit) << jit.failure().render();
  fs::path dir = fs::temp_directory_path() / ("fovea_api_" + std::to_string(::getpid()));
  compiler::Result<compiler::Library> library = compiler::emitLibrary(*program, p, {dir.string(), *parseTargets("host"), "heuristic", "", {}});
  ASSERT_TRUE(library) << library.failure().render();
  Pipeline compiled = Pipeline::open(dir.string(), "shrink");
  for (auto [w, h, k] : {std::tuple{40, 9, 2.5}, {13, 30, 0.7}, {7, 8, 8.0}, {101, 3, 3.3}}) {
    Image in = ramp(w, h);
    std::vector<Image> fromJit, fromLibrary;
    (*jit)->run({in}, {{"k", k}}, fromJit);
    compiled.run({in}, {{"k", k}}, fromLibrary);
    // The expected sizes, by C's rules (the language's): f32 division truncated toward zero, u8 wrapping.
    int ew = static_cast<int>(static_cast<float>(w) / static_cast<float>(k)) + 1;
    int eh = (h - 7) / 2 + static_cast<int>(static_cast<uint8_t>(w + 250));
    EXPECT_EQ(fromJit[0].dim(0).extent(), ew) << w << "x" << h << " k=" << k;
    EXPECT_EQ(fromJit[0].dim(1).extent(), eh) << w << "x" << h << " k=" << k;
    EXPECT_EQ(fromLibrary[0].dim(0).extent(), ew) << w << "x" << h << " k=" << k;
    EXPECT_EQ(fromLibrary[0].dim(1).extent(), eh) << w << "x" << h << " k=" << k;
  }
  fs::remove_all(dir);
}

// The library has no process-wide side effects: two programs scheduled, JIT-compiled and run on
// two threads at once give what each gives alone.
TEST(CompilerApi, PipelinesCompileOnSeveralThreadsAtOnce) {
  compiler::Result<compiler::Program> program = compiler::checkSource(kBlur, "blur.fov", options());
  ASSERT_TRUE(program);
  const ir::Pipeline& p = **program->pipeline("blur");
  Image in = ramp(64, 16);
  std::atomic<int> good{0};
  std::vector<std::string> failures(2);
  auto work = [&](int i) {
    auto jit = compiler::jit(*program, p, i == 0 ? "heuristic" : "none", hostTarget());
    if (!jit) {
      failures[i] = jit.failure().render();
      return;
    }
    std::vector<Image> out;
    (*jit)->run({in}, {}, out);
    for (int y = 0; y < 16; ++y) {
      for (int x = 0; x < 64; ++x) {
        if (static_cast<const uint8_t*>(out[0].data())[y * 64 + x] != expectedBlur(in, x, y)) return;
      }
    }
    ++good;
  };
  std::thread a(work, 0), b(work, 1);
  a.join();
  b.join();
  EXPECT_EQ(good.load(), 2) << failures[0] << failures[1];
}

}  // namespace
}  // namespace fovea
