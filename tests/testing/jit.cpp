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

std::vector<JitRun> runJitEach(const std::string& source, const std::vector<JitCall>& calls, const std::string& schedule,
                               const std::string& name, const std::string& path) {
  std::vector<JitRun> runs(calls.size());
  auto failAll = [&](const std::string& message) {
    for (JitRun& r : runs) r.error = message;
    return runs;
  };
  compiler::Result<compiler::Program> program = compiler::checkSource(source, path, compiler::Options{FOVEA_STDLIB_DIR, {}, {}});
  if (!program) return failAll(program.failure().render());
  compiler::Result<const ir::Pipeline*> p = program->pipeline(name);
  if (!p && name.empty() && !program->ir().pipelines.empty()) p = &program->ir().pipelines.back();  // several: the last
  if (!p) return failAll(p.failure().render());
  compiler::Result<std::unique_ptr<compiler::JitPipeline>> jit = compiler::jit(*program, **p, schedule, hostTarget());
  if (!jit) return failAll(jit.failure().render());
  for (size_t i = 0; i < calls.size(); ++i) {
    std::vector<Image> in, out;
    for (const Halide::Buffer<>& b : calls[i].inputs) in.push_back(*b.get());
    try {
      // Outputs sized and laid out as the runtime does (color interleaved, as the inputs usually are).
      (*jit)->run(in, calls[i].params, out);
    } catch (const std::exception& e) {
      runs[i].error = e.what();
      continue;
    }
    for (const Image& o : out) runs[i].outputs.emplace_back(Image(o));
  }
  return runs;
}

JitRun runJit(const std::string& source, const std::vector<Halide::Buffer<>>& inputs, const std::map<std::string, double>& params,
              const std::string& schedule, const std::string& name, const std::string& path) {
  return runJitEach(source, {JitCall{inputs, params}}, schedule, name, path).front();
}

}  // namespace fovea::test
