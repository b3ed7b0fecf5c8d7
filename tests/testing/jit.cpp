#include "testing/jit.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "api/compiler.h"
#include "codegen/targets.h"
#include "support/files.h"

namespace fovea::test {

Halide::Buffer<> interleaved(Halide::Type t, int width, int height, int channels) {
  return Halide::Buffer<>(Halide::Runtime::Buffer<void>::make_interleaved(t, width, height, channels));
}

std::string appSource(const std::string& name) {
  Result<std::string> text = readTextFile(std::string(FOVEA_TEST_DIR) + "/../bench/apps/" + name + ".fov");
  if (!text) throw std::runtime_error(text.failure().message);
  return *text;
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
  compiler::Result<compiler::Program> program = compiler::checkSource(source, path, compiler::Options{FOVEA_STDLIB_DIR, {}, {}});
  if (!program) {
    run.error = program.failure().render();
    return run;
  }
  compiler::Result<const ir::Pipeline*> p = program->pipeline(name);
  if (!p && name.empty() && !program->ir().pipelines.empty()) p = &program->ir().pipelines.back();  // several: the last
  if (!p) {
    run.error = p.failure().render();
    return run;
  }
  compiler::Result<std::unique_ptr<compiler::JitPipeline>> jit = compiler::jit(*program, **p, schedule, hostTarget());
  if (!jit) {
    run.error = jit.failure().render();
    return run;
  }
  std::vector<Image> in, out;
  for (const Halide::Buffer<>& b : inputs) in.push_back(*b.get());
  try {
    // Outputs sized and laid out as the runtime does (color interleaved, as the inputs usually are).
    (*jit)->run(in, params, out);
  } catch (const std::exception& e) {
    run.error = e.what();
    return run;
  }
  for (const Image& o : out) run.outputs.emplace_back(Image(o));
  return run;
}

}  // namespace fovea::test
