#include "testing/jit.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "codegen/targets.h"
#include "lower/lower.h"
#include "schedule/apply_schedule.h"
#include "schedule/choose.h"
#include "sema/evaluate.h"

namespace fovea::test {

Halide::Buffer<> interleaved(Halide::Type t, int width, int height, int channels) {
  return Halide::Buffer<>(Halide::Runtime::Buffer<void>::make_interleaved(t, width, height, channels));
}

Halide::Buffer<uint8_t> loadImage(const std::string& name, bool gray) {
  cv::Mat m = cv::imread(std::string(FOVEA_EXAMPLES_DIR) + "/images/" + name, gray ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
  if (m.empty()) throw std::runtime_error("cannot read test image " + name);
  if (!gray) cv::cvtColor(m, m, cv::COLOR_BGR2RGB);
  Halide::Buffer<uint8_t> out = gray ? Halide::Buffer<uint8_t>(m.cols, m.rows)
                                     : Halide::Buffer<uint8_t>(Halide::Runtime::Buffer<uint8_t>::make_interleaved(m.cols, m.rows, 3));
  for (int y = 0; y < m.rows; ++y) {
    for (int x = 0; x < m.cols; ++x) {
      if (gray) {
        out(x, y) = m.at<uint8_t>(y, x);
      } else {
        for (int c = 0; c < 3; ++c) out(x, y, c) = m.at<cv::Vec3b>(y, x)[c];
      }
    }
  }
  return out;
}

JitRun runJit(const std::string& source, const std::vector<Halide::Buffer<>>& inputs, const std::map<std::string, double>& params,
              const std::string& schedule, const std::string& name, const std::string& path) {
  JitRun run;
  CheckResult checked = checkSource(source, path);
  if (checked.errors) {
    run.error = checked.text();
    return run;
  }
  const ir::Pipeline* p = nullptr;
  for (const ir::Pipeline& candidate : checked.program.pipelines) {
    if (name.empty() || candidate.name == name) p = &candidate;
  }
  if (!p) {
    run.error = "no such pipeline";
    return run;
  }
  DiagnosticEngine diags(*checked.sources);
  Halide::Target target = hostTarget();
  auto lowered = lowerPipeline(*p, diags);
  std::optional<Schedule> s = lowered ? chooseSchedule(schedule, *p, *lowered, target, diags) : std::nullopt;
  if (!lowered || !s || !applySchedule(*lowered, *s, diags)) {
    run.error = renderText(diags.diagnostics(), *checked.sources);
    return run;
  }
  SizeContext sizes;
  for (const Halide::Buffer<>& b : inputs) {
    std::vector<int64_t> extents;
    for (int d = 0; d < b.dimensions(); ++d) extents.push_back(b.dim(d).extent());
    sizes.inputExtents.push_back(extents);
  }
  Halide::ParamMap map;
  for (size_t i = 0; i < p->params.size() && i < lowered->params.size(); ++i) {
    auto it = params.find(p->params[i].name);
    double v = it != params.end() ? it->second : (p->params[i].defaultValue ? constantValue(*p->params[i].defaultValue) : 0.0);
    sizes.params.push_back(v);
    bindParam(map, lowered->params[i], p->params[i].type, v);
  }
  for (size_t i = 0; i < inputs.size() && i < lowered->inputs.size(); ++i) map.set(lowered->inputs[i], inputs[i]);
  for (const ir::Output& o : p->outputs) {
    std::vector<int> extents;
    for (const ir::ExprPtr& e : o.size) extents.push_back(static_cast<int>(evaluateInteger(*e, sizes).value_or(1)));
    // Color outputs are interleaved, as the inputs usually are.
    if (extents.size() == 3 && extents[2] <= 4) {
      run.outputs.push_back(interleaved(halideType(o.type), extents[0], extents[1], extents[2]));
    } else {
      run.outputs.emplace_back(halideType(o.type), extents);
    }
  }
  try {
    Halide::Realization r(run.outputs);
    lowered->pipeline().realize(r, target, map);
  } catch (const Halide::Error& e) {
    run.error = e.what();
  }
  return run;
}

}  // namespace fovea::test
