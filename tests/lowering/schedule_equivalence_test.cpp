// Schedule equivalence: every pipeline of every example, application and valid language test gives
// the same result under the reference schedule (`none`), the heuristic and Halide's autoschedulers
// (Mullapudi2016 everywhere; Adams2019 and Li2018 on the examples), on deterministic inputs of the
// declared types and shapes. The schedule fuzzer is here too: random valid schedules drawn from the
// schedule space (`random:SEED`, schedule/sample.h), three per example and application, one per
// language test. Floats must agree within 1e-4 relative for the heuristic and the autoschedulers,
// 1e-5 of the output's largest magnitude for random schedules (vector code may fuse a multiply-add or reassociate where the reference
// does not: a few ulps, never more; the autoschedulers' partial sums reassociate more), NaN with NaN.
// Integers must match exactly. One exception, for pipelines that compute in float: a value made by
// rounding a float (u8_sat(f), i16_sat(f), round) can differ by one step where the float sits
// within a few ulps of a rounding tie (31.5000002 rounded by one order of operations, 31.4999998
// by the other), and so can whatever is computed from it; at most 1 value in 10,000 may differ,
// and by at most 1.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <cstring>
#include <random>

#include "api/compiler.h"
#include "testing/jit.h"
#include "support/files.h"

namespace fovea::test {
namespace {
namespace fs = std::filesystem;

struct Case {
  std::string path;
  std::string pipeline;
  std::string schedule;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.path << " " << c.pipeline << " " << c.schedule; }

std::vector<Case> listCases() {
  std::vector<Case> out;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(FOVEA_EXAMPLES_DIR)) {
    if (e.path().extension() == ".fov") files.push_back(e.path());
  }
  for (const auto& e : fs::directory_iterator(fs::path(FOVEA_TEST_DIR).parent_path() / "bench" / "apps")) {
    if (e.path().extension() == ".fov") files.push_back(e.path());
  }
  for (const char* dir : {"valid", "imports"}) {
    for (const auto& e : fs::directory_iterator(fs::path(FOVEA_TEST_DIR) / "frontend" / "cases" / dir)) {
      if (e.path().extension() == ".fov") files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    CheckResult r = checkFile(f.string());
    if (r.errors) continue;  // error cases are not run
    bool example = f.parent_path() == fs::path(FOVEA_EXAMPLES_DIR);
    bool app = f.parent_path().filename() == "apps";
    for (const ir::Pipeline& p : r.program.pipelines) {
      // Pipelines that call models run as segments through the runtime (tests/runtime/models_test).
      if (!p.models.empty()) continue;
      out.push_back({f.string(), p.name, "heuristic"});
      for (int seed = 1; seed <= (example || app ? 3 : 1); ++seed) out.push_back({f.string(), p.name, "random:" + std::to_string(seed)});
      if (app) continue;  // the applications' autoscheduler runs are measured by bench/, not tested here
      out.push_back({f.string(), p.name, "mullapudi2016"});
      // The other autoschedulers search longer: the examples are enough to keep them honest.
      if (example) {
        out.push_back({f.string(), p.name, "adams2019"});
        out.push_back({f.string(), p.name, "li2018"});
      }
    }
  }
  return out;
}

Halide::Buffer<> makeInput(const ir::Input& in, std::mt19937& rng, const std::string& schedule) {
  // Odd sizes for Fovea's schedules. Halide's autoschedulers split loops assuming the extents
  // they were given estimates for (1920x1080) are at least their tile sizes: they get larger
  // (still odd) inputs.
  // Adams2019 even assumes the estimates themselves (its tiles can exceed 643 columns).
  static const int small[] = {37, 29, 3, 2};
  static const int big[] = {643, 481, 3, 2};
  static const int estimated[] = {1920, 1080, 3, 2};
  bool ours = schedule == "heuristic" || schedule.rfind("random:", 0) == 0;
  const int* extents = ours ? small : schedule == "adams2019" ? estimated : big;
  std::vector<int> sizes;
  for (size_t d = 0; d < in.dims.size(); ++d) sizes.push_back(extents[d]);
  Halide::Buffer<> b(halideType(in.type), sizes);
  std::uniform_real_distribution<double> unit(0.05, 1.0);
  b.get()->for_each_element([&](const int* pos) {
    double u = unit(rng);
    halide_buffer_t* hb = b.raw_buffer();
    int64_t offset = 0;
    for (int d = 0; d < hb->dimensions; ++d) offset += int64_t{pos[d] - hb->dim[d].min} * hb->dim[d].stride;
    void* p = hb->host + offset * hb->type.bytes();
    switch (in.type) {
      case ScalarType::U8: *static_cast<uint8_t*>(p) = static_cast<uint8_t>(u * 255); break;
      case ScalarType::U16: *static_cast<uint16_t*>(p) = static_cast<uint16_t>(u * 65535); break;
      case ScalarType::U32: *static_cast<uint32_t*>(p) = static_cast<uint32_t>(u * 1e6); break;
      case ScalarType::I8: *static_cast<int8_t*>(p) = static_cast<int8_t>(u * 250 - 125); break;
      case ScalarType::I16: *static_cast<int16_t*>(p) = static_cast<int16_t>(u * 6e4 - 3e4); break;
      case ScalarType::I32: *static_cast<int32_t*>(p) = static_cast<int32_t>(u * 2e6 - 1e6); break;
      case ScalarType::F32: *static_cast<float*>(p) = static_cast<float>(u * 2); break;
      case ScalarType::F64: *static_cast<double*>(p) = u * 2; break;
      case ScalarType::Bool: break;
    }
  });
  return b;
}

/// The largest finite magnitude of a float buffer (1 for integers and empty buffers).
double magnitude(const Halide::Buffer<>& a) {
  double m = 1.0;
  if (a.type().code() != halide_type_float) return m;
  const halide_buffer_t* h = a.raw_buffer();
  a.get()->for_each_element([&](const int* pos) {
    int64_t offset = 0;
    for (int d = 0; d < h->dimensions; ++d) offset += int64_t{pos[d] - h->dim[d].min} * h->dim[d].stride;
    const uint8_t* p = h->host + offset * h->type.bytes();
    double v = h->type.bits == 32 ? *reinterpret_cast<const float*>(p) : *reinterpret_cast<const double*>(p);
    if (std::isfinite(v)) m = std::max(m, std::fabs(v));
  });
  return m;
}

/// `scale`: differences are relative to max(scale, |value|).
bool sameValues(const Halide::Buffer<>& a, const Halide::Buffer<>& b, bool floatMath, double tolerance, double scale, std::string& where) {
  if (a.dimensions() != b.dimensions()) {
    where = "different dimensions";
    return false;
  }
  bool same = true;
  int64_t flips = 0, total = 0;
  const halide_buffer_t* ha = a.raw_buffer();
  const halide_buffer_t* hbuf = b.raw_buffer();
  a.get()->for_each_element([&](const int* pos) {
    if (!same) return;
    ++total;
    auto at = [&](const halide_buffer_t* h) {
      int64_t offset = 0;
      for (int d = 0; d < h->dimensions; ++d) offset += int64_t{pos[d] - h->dim[d].min} * h->dim[d].stride;
      return h->host + offset * h->type.bytes();
    };
    const uint8_t* pa = at(ha);
    const uint8_t* pb = at(hbuf);
    if (ha->type.code == halide_type_float) {
      double x = ha->type.bits == 32 ? *reinterpret_cast<const float*>(pa) : *reinterpret_cast<const double*>(pa);
      double y = ha->type.bits == 32 ? *reinterpret_cast<const float*>(pb) : *reinterpret_cast<const double*>(pb);
      if (std::isnan(x) && std::isnan(y)) return;
      if (std::fabs(x - y) <= tolerance * std::max(scale, std::fabs(x))) return;  // false for a NaN on one side
      if (floatMath && std::fabs(x - y) <= 1.0) {
        ++flips;
        return;
      }
      where = std::to_string(x) + " vs " + std::to_string(y);
      same = false;
    } else if (std::memcmp(pa, pb, ha->type.bytes()) != 0) {
      int64_t x = 0, y = 0;
      std::memcpy(&x, pa, ha->type.bytes());
      std::memcpy(&y, pb, ha->type.bytes());
      if (floatMath && std::llabs(x - y) == 1) {
        ++flips;
        return;
      }
      where = "integer value differs (" + std::to_string(x) + " vs " + std::to_string(y) + ")";
      same = false;
    }
    if (!same) {
      for (int d = 0; d < ha->dimensions; ++d) where += (d ? "," : " at ") + std::to_string(pos[d]);
    }
  });
  if (same && flips * 10000 > total) {
    where = std::to_string(flips) + " of " + std::to_string(total) + " values differ by a rounding step: more than rounding ties explain";
    return false;
  }
  return same;
}

class ScheduleEquivalence : public ::testing::TestWithParam<Case> {};

TEST_P(ScheduleEquivalence, MatchesReference) {
  const Case& c = GetParam();
  Result<std::string> text = readTextFile(c.path);
  ASSERT_TRUE(text);
  CheckResult checked = checkSource(*text, c.path);
  const ir::Pipeline* p = nullptr;
  for (const ir::Pipeline& candidate : checked.program.pipelines) {
    if (candidate.name == c.pipeline) p = &candidate;
  }
  ASSERT_TRUE(p);
  std::mt19937 rng(1234);
  std::vector<Halide::Buffer<>> inputs;
  for (const ir::Input& in : p->inputs) inputs.push_back(makeInput(in, rng, c.schedule));
  JitRun reference = runJit(*text, inputs, {}, "none", c.pipeline, c.path);
  ASSERT_TRUE(reference.error.empty()) << reference.error;
  JitRun heuristic = runJit(*text, inputs, {}, c.schedule, c.pipeline, c.path);
  ASSERT_TRUE(heuristic.error.empty()) << heuristic.error;
  ASSERT_EQ(reference.outputs.size(), heuristic.outputs.size());
  bool floatMath = false;
  for (const ir::Stage& s : p->stages) floatMath = floatMath || isFloat(s.type);
  for (size_t o = 0; o < reference.outputs.size(); ++o) {
    std::string where;
    // Random schedules: 1e-5 of the output's largest magnitude (a value near zero made by
    // cancellation, a Laplacian of values in the hundreds, carries the error of its terms).
    bool random = c.schedule.rfind("random:", 0) == 0;
    double tolerance = random ? 1e-5 : 1e-4, scale = random ? magnitude(reference.outputs[o]) : 1.0;
    EXPECT_TRUE(sameValues(reference.outputs[o], heuristic.outputs[o], floatMath, tolerance, scale, where)) << "output " << o << ": " << where;
  }
}

std::string caseName(const ::testing::TestParamInfo<Case>& info) {
  // The application suite's programs may share a name with an example (unsharp): "app_" tells them apart.
  fs::path path(info.param.path);
  std::string name = (path.parent_path().filename() == "apps" ? "app_" : "") + path.stem().string() + "_" + info.param.pipeline + "_" +
                     info.param.schedule;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Pipelines, ScheduleEquivalence, ::testing::ValuesIn(listCases()), caseName);

TEST(ScheduleFuzzerFindings, TwoLaneGuardedVectorOfAParitySelect) {
  // Found by the fuzzer on local_laplacian (random:1): Halide 14 computed the last column of a
  // 37-wide stage wrong when its x loop was split by 2 with a guarded tail and vectorized, and
  // the lanes' parity chose a select's branch (upsampling). Such a loop is unrolled instead.
  const std::string source = R"(pipeline upt(input: f32[x, y]) -> f32[x, y] size (input.width, input.height) {
    src = boundary(input, edge);
    h(x, y) = src(x, y) * 2.0;
    ux(x, y) = select(x % 2 == 0, 0.25 * h((x - 2) / 2, y) + 0.75 * h(x / 2, y), 0.75 * h(x / 2, y) + 0.25 * h((x + 2) / 2, y));
    out(x, y) = ux(x, y) + 1.0;
    return out;
})";
  fs::path schedule = fs::temp_directory_path() / "fovea_two_lane_guard.json";
  std::ofstream(schedule) << R"({"version": 2, "strategy": "fuzzer finding", "stages": [
    {"stage": "h", "compute": "root"},
    {"stage": "ux", "compute": "root", "definitions": [{"steps": [{"split": "x", "outer": "x", "inner": "x_i", "factor": 2, "tail": "guard"}], "vectorized": ["x_i"]}]},
    {"stage": "upt", "compute": "root"}]})";
  for (int width : {37, 36, 1}) {
    Halide::Buffer<float> in(width, 5);
    in.for_each_element([&](int x, int y) { in(x, y) = static_cast<float>((x * 7 + y * 3) % 13); });
    JitRun got = runJit(source, {in}, {}, schedule.string(), "upt");
    ASSERT_TRUE(got.error.empty()) << got.error;
    Halide::Buffer<float> out = got.outputs[0];
    auto h = [&](int x, int y) { return 2.0f * in(std::clamp(x, 0, width - 1), y); };
    for (int y = 0; y < 5; ++y) {
      for (int x = 0; x < width; ++x) {
        // Euclidean halves, as the language's.
        auto half = [](int v) { return v >= 0 ? v / 2 : -((1 - v) / 2); };
        float want = (x % 2 == 0 ? 0.25f * h(half(x - 2), y) + 0.75f * h(half(x), y) : 0.75f * h(half(x), y) + 0.25f * h(half(x + 2), y)) + 1.0f;
        EXPECT_EQ(out(x, y), want) << "width " << width << " at " << x << "," << y;
      }
    }
  }
  fs::remove(schedule);
}

}  // namespace
}  // namespace fovea::test
