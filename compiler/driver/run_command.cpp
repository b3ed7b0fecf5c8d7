// `fovea run FILE.fov -i IN.png -o OUT.png`: JIT-compile a pipeline, run it on images, time it.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "codegen/targets.h"
#include "driver/commands.h"
#include "driver/load.h"
#include "lower/lower.h"
#include "schedule/apply_schedule.h"
#include "schedule/choose.h"
#include "sema/evaluate.h"
#include "support/json.h"

namespace fovea::driver {
namespace {
namespace fs = std::filesystem;

}  // namespace

void helpRunCommand() {
  fmt::print(
      "usage: fovea run FILE.fov [options] -i IN.png [-i IN2.png ...] -o OUT.png [-o OUT2 ...]\n\n"
      "JIT-compiles a pipeline, runs it on images (read and written with OpenCV) and prints how long\n"
      "it took. Buffer inputs take the -i images in declaration order; outputs go to the -o paths in\n"
      "declaration order. Color images are given to the pipeline as RGB (c = 0, 1, 2), interleaved\n"
      "as OpenCV stores them. An output goes to an image file when the format holds its type exactly\n"
      "(u8 and u16; f32 in .tif, .exr or .pfm) and it is gray or has 1 to 4 channels; any output may be\n"
      "written to a .json path instead (lossless). Outputs are written to a temporary name and renamed.\n"
      "The target must run on this machine (same architecture, only CPU features it has).\n\n"
      "options:\n"
      "  --pipeline NAME     the pipeline to run (needed when the file defines several)\n"
      "  --set NAME=VALUE    a scalar parameter (others take their defaults)\n"
      "  --schedule S        heuristic (default) | none | mullapudi2016 | adams2019 | li2018 | FILE.json\n"
      "  --target T          JIT target (default host)\n"
      "  --repeat N          timed runs after a warm-up (default 10); prints the median\n"
      "  --stdlib=DIR        where 'import std.<name>;' looks\n"
      "  -h, --help          show this help\n\n"
      "exit status: 0 success, 1 errors in the script, its inputs or its run, 2 usage errors\n");
}

namespace {

std::optional<int> cvDepth(ScalarType t) {
  switch (t) {
    case ScalarType::U8: return CV_8U;
    case ScalarType::U16: return CV_16U;
    case ScalarType::I8: return CV_8S;
    case ScalarType::I16: return CV_16S;
    case ScalarType::I32: return CV_32S;
    case ScalarType::F32: return CV_32F;
    case ScalarType::F64: return CV_64F;
    case ScalarType::U32:
    case ScalarType::Bool: return std::nullopt;
  }
  return std::nullopt;
}

/// A buffer over an interleaved cv::Mat: x, y and (for 3-D) c with stride 1.
Halide::Buffer<> wrapMat(cv::Mat& m, ScalarType type, size_t dims) {
  std::vector<halide_dimension_t> d;
  d.push_back({0, m.cols, m.channels(), 0});
  d.push_back({0, m.rows, static_cast<int32_t>(m.step1()), 0});
  if (dims == 3) d.push_back({0, m.channels(), 1, 0});
  return Halide::Buffer<>(halideType(type), m.data, static_cast<int>(dims), d.data());
}

int fail(const std::string& message) {
  fmt::print(stderr, "fovea run: {}\n", message);
  return 1;
}

/// Reads an input image and makes it fit the input's declaration (type, channels).
std::optional<cv::Mat> readInput(const std::string& path, const ir::Input& in, std::string& error) {
  cv::Mat m = cv::imread(path, cv::IMREAD_UNCHANGED);
  if (m.empty()) {
    error = fmt::format("cannot read image '{}' (missing, unreadable, or not an image format OpenCV knows)", path);
    return std::nullopt;
  }
  if (in.dims.size() < 2 || in.dims.size() > 3) {
    error = fmt::format("input '{}' has {} dimension{}; `fovea run` feeds images to 2-D (gray) or 3-D (color) inputs", in.name, in.dims.size(),
                        in.dims.size() == 1 ? "" : "s");
    return std::nullopt;
  }
  if (in.dims.size() == 2 && m.channels() != 1) {
    fmt::print(stderr, "fovea run: note: '{}' is gray (2-D); the {}-channel image is converted to gray\n", in.name, m.channels());
    cv::cvtColor(m, m, m.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
  }
  if (in.dims.size() == 3 && m.channels() == 1) {
    fmt::print(stderr, "fovea run: note: '{}' has a channel dimension; the gray image gives it 1 channel\n", in.name);
  }
  if (m.channels() == 3) cv::cvtColor(m, m, cv::COLOR_BGR2RGB);
  if (m.channels() == 4) cv::cvtColor(m, m, cv::COLOR_BGRA2RGBA);
  std::optional<int> depth = cvDepth(in.type);
  if (!depth) {
    error = fmt::format("input '{}' is {}, which no image holds", in.name, toString(in.type));
    return std::nullopt;
  }
  if (m.depth() != *depth) {
    fmt::print(stderr, "fovea run: note: '{}' is {}; the image's values are converted to it unscaled\n", in.name, toString(in.type));
    m.convertTo(m, CV_MAKETYPE(*depth, m.channels()));
  }
  if (!m.isContinuous()) m = m.clone();
  return m;
}

/// Halide names buffer dimensions by number and prefixes "Error: "; say it with the script's names:
/// "Input buffer input is accessed at 3, which is beyond the max (2) in dimension 2" gains
/// "(dimension 2 is 'c' of input 'input')".
std::string explainRunError(std::string message, const ir::Pipeline& p) {
  if (message.rfind("Error: ", 0) == 0) message = message.substr(7);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  size_t at = message.find(" in dimension ");
  if (at == std::string::npos) return message;
  int dim = std::atoi(message.c_str() + at + 14);
  auto describe = [&](const std::string& buffer, const std::vector<std::string>& dims, const char* what) -> std::string {
    if (message.find(" buffer " + buffer + " ") == std::string::npos || dim < 0 || dim >= static_cast<int>(dims.size())) return "";
    return fmt::format(" (dimension {} is '{}' of {} '{}')", dim, dims[dim], what, buffer);
  };
  for (const ir::Input& in : p.inputs) {
    if (std::string note = describe(in.name, in.dims, "input"); !note.empty()) return message + note;
  }
  for (const ir::Output& out : p.outputs) {
    if (std::string note = describe(out.name, out.dims, "output"); !note.empty()) return message + note;
  }
  return message;
}

bool writeAtomically(const std::string& path, const std::function<bool(const std::string&)>& write, std::string& error) {
  fs::path target(path);
  fs::path tmp = target.parent_path() / (".tmp-" + std::to_string(::getpid()) + "-" + target.filename().string());
  bool ok = false;
  try {
    ok = write(tmp.string());
  } catch (const cv::Exception& e) {
    error = e.what();
  }
  std::error_code ec;
  if (!ok) {
    fs::remove(tmp, ec);
    if (error.empty()) error = "could not be written";
    return false;
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    error = ec.message();
    return false;
  }
  return true;
}

json::Value bufferToJson(const std::string& name, ScalarType type, const Halide::Buffer<>& b) {
  json::Value out = json::Value::object();
  out.set("output", name);
  out.set("type", toString(type));
  json::Value extents = json::Value::array();
  for (int d = 0; d < b.dimensions(); ++d) extents.push(b.dim(d).extent());
  out.set("extents", std::move(extents));
  json::Value data = json::Value::array();
  const halide_buffer_t* hb = b.raw_buffer();
  b.get()->for_each_element([&](const int* pos) {
    int64_t offset = 0;
    for (int d = 0; d < hb->dimensions; ++d) offset += int64_t{pos[d] - hb->dim[d].min} * hb->dim[d].stride;
    const void* p = hb->host + offset * hb->type.bytes();
    double v = 0;
    switch (type) {
      case ScalarType::Bool: v = *static_cast<const bool*>(p); break;
      case ScalarType::U8: v = *static_cast<const uint8_t*>(p); break;
      case ScalarType::U16: v = *static_cast<const uint16_t*>(p); break;
      case ScalarType::U32: v = *static_cast<const uint32_t*>(p); break;
      case ScalarType::I8: v = *static_cast<const int8_t*>(p); break;
      case ScalarType::I16: v = *static_cast<const int16_t*>(p); break;
      case ScalarType::I32: v = *static_cast<const int32_t*>(p); break;
      case ScalarType::F32: v = *static_cast<const float*>(p); break;
      case ScalarType::F64: v = *static_cast<const double*>(p); break;
    }
    data.push(v);
  });
  out.set("data", std::move(data));
  return out;
}

/// Whether an output is written as an image: the path is not .json, the format holds the type
/// exactly (8- and 16-bit unsigned anywhere; floats in TIFF, EXR and PFM only), and the shape is
/// gray or 1-4 channels. Everything else is JSON, which loses nothing.
bool isImageOutput(const ir::Output& o, const std::vector<int64_t>& extents, const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (ext == ".json") return false;
  bool exact = o.type == ScalarType::U8 || o.type == ScalarType::U16 ||
               (o.type == ScalarType::F32 && (ext == ".tif" || ext == ".tiff" || ext == ".exr" || ext == ".pfm"));
  if (!exact) return false;
  if (o.dims.size() == 2) return true;
  return o.dims.size() == 3 && extents[2] >= 1 && extents[2] <= 4;
}

}  // namespace

int runRun(const std::vector<std::string>& args) {
  std::string file, pipelineName, strategy = "heuristic", targetSpec = "host", stdlibDir = defaultStdlibDir();
  std::vector<std::string> inputs, outputs;
  std::map<std::string, std::string> sets;
  int repeat = 10;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      helpRunCommand();
      return 0;
    }
    std::optional<std::string> v;
    if (a == "-i" || a == "-o" || a == "--pipeline" || a == "--set" || a == "--schedule" || a == "--target" || a == "--repeat") {
      if (i + 1 >= args.size()) return usageError("run", fmt::format("{} needs a value", a));
      v = args[++i];
    }
    if (a == "-i") inputs.push_back(*v);
    else if (a == "-o") outputs.push_back(*v);
    else if (a == "--pipeline") pipelineName = *v;
    else if (a == "--schedule") strategy = *v;
    else if (a == "--target") targetSpec = *v;
    else if (a == "--repeat") {
      try {
        repeat = std::stoi(*v);
      } catch (...) {
        repeat = -1;
      }
      if (repeat < 1 || repeat > 100000) return usageError("run", "--repeat needs a count from 1 to 100000");
    } else if (a == "--set") {
      size_t eq = v->find('=');
      if (eq == std::string::npos || eq == 0) return usageError("run", fmt::format("--set needs NAME=VALUE, not '{}'", *v));
      sets[v->substr(0, eq)] = v->substr(eq + 1);
    } else if (a.rfind("--stdlib=", 0) == 0) {
      stdlibDir = a.substr(9);
    } else if (a.size() > 1 && a[0] == '-') {
      return usageError("run", fmt::format("unknown option '{}'", a));
    } else if (file.empty()) {
      file = a;
    } else {
      return usageError("run", fmt::format("one script at a time ('{}' and '{}')", file, a));
    }
  }
  if (file.empty()) return usageError("run", "no script given");

  std::string readError;
  CheckedFile checked = checkFileAndReport(file, stdlibDir, readError);
  if (!readError.empty()) return usageError("run", fmt::format("cannot read '{}': {}", file, readError));
  if (!checked.ok) return 1;
  std::string error;
  const ir::Pipeline* p = selectPipeline(checked.program, pipelineName, error);
  if (!p) return usageError("run", error);
  if (inputs.size() != p->inputs.size()) {
    return usageError("run", fmt::format("'{}' has {} buffer input{}; give one -i image for each", p->name, p->inputs.size(),
                                         p->inputs.size() == 1 ? "" : "s"));
  }
  if (outputs.size() != p->outputs.size()) {
    return usageError("run", fmt::format("'{}' has {} output{}; give one -o path for each", p->name, p->outputs.size(),
                                         p->outputs.size() == 1 ? "" : "s"));
  }
  std::vector<Halide::Target> targets = parseTargets(targetSpec, error);
  if (targets.size() != 1) return usageError("run", targets.empty() ? error : "--target takes one target for a JIT run");
  Halide::Target target = targets[0];
  if (std::string why = whyNotRunnableHere(target); !why.empty()) return usageError("run", why + "; a JIT run executes here");
  // Check where the outputs go before compiling anything.
  for (size_t o = 0; o < outputs.size(); ++o) {
    std::error_code ec;
    std::string ext = fs::path(outputs[o]).extension().string();
    if (outputs[o].empty() || fs::is_directory(outputs[o], ec)) return usageError("run", fmt::format("output path '{}' is not a file name", outputs[o]));
    if (ext != ".json" && !cv::haveImageWriter(outputs[o])) {
      return usageError("run", fmt::format("cannot write '{}': use an image format OpenCV writes (.png, .tif, .jpg, ...) or .json", outputs[o]));
    }
  }

  // Parameters: --set values, else defaults.
  SizeContext sizes;
  for (const ir::Param& param : p->params) {
    double value = 0;
    if (auto it = sets.find(param.name); it != sets.end()) {
      try {
        size_t used = 0;
        value = std::stod(it->second, &used);
        if (used != it->second.size()) throw std::invalid_argument("trailing text");
      } catch (...) {
        return usageError("run", fmt::format("--set {}: '{}' is not a number", param.name, it->second));
      }
      sets.erase(it);
    } else if (param.defaultValue) {
      value = constantValue(*param.defaultValue);
    } else {
      return usageError("run", fmt::format("parameter '{}' has no default; give it with --set {}=VALUE", param.name, param.name));
    }
    if (param.min && param.max) {
      double lo = constantValue(*param.min), hi = constantValue(*param.max);
      if (value < lo || value > hi) return fail(fmt::format("parameter '{}' = {} is outside its range [{}, {}]", param.name, value, lo, hi));
    }
    sizes.params.push_back(value);
  }
  if (!sets.empty()) return usageError("run", fmt::format("'{}' has no parameter '{}'", p->name, sets.begin()->first));

  std::vector<cv::Mat> inputMats;
  for (size_t i = 0; i < inputs.size(); ++i) {
    auto m = readInput(inputs[i], p->inputs[i], error);
    if (!m) return fail(error);
    inputMats.push_back(*m);
    std::vector<int64_t> extents = {m->cols, m->rows};
    if (p->inputs[i].dims.size() == 3) extents.push_back(m->channels());
    sizes.inputExtents.push_back(extents);
  }

  DiagnosticEngine diags(*checked.sources);
  auto lowered = lowerPipeline(*p, diags);
  std::optional<Schedule> schedule = lowered ? chooseSchedule(strategy, *p, *lowered, target, diags) : std::nullopt;
  if (!lowered || !schedule || !applySchedule(*lowered, *schedule, diags)) {
    fmt::print(stderr, "{}", renderText(diags.diagnostics(), *checked.sources));
    return 1;
  }

  // Outputs: images where an image file can hold them, buffers otherwise.
  std::vector<cv::Mat> outputMats(p->outputs.size());
  std::vector<Halide::Buffer<>> outputBuffers;
  std::vector<std::vector<int64_t>> outputExtents;
  for (size_t o = 0; o < p->outputs.size(); ++o) {
    const ir::Output& out = p->outputs[o];
    std::vector<int64_t> extents;
    for (const ir::ExprPtr& e : out.size) {
      auto v = evaluateInteger(*e, sizes);
      if (!v || *v <= 0 || *v > (int64_t{1} << 30)) return fail(fmt::format("output '{}' would have an invalid size ({})", out.name, v ? *v : -1));
      extents.push_back(*v);
    }
    outputExtents.push_back(extents);
    if (isImageOutput(out, extents, outputs[o])) {
      int channels = out.dims.size() == 3 ? static_cast<int>(extents[2]) : 1;
      outputMats[o].create(static_cast<int>(extents[1]), static_cast<int>(extents[0]), CV_MAKETYPE(*cvDepth(out.type), channels));
      outputBuffers.push_back(wrapMat(outputMats[o], out.type, out.dims.size()));
    } else {
      std::string ext = fs::path(outputs[o]).extension().string();
      if (ext != ".json") {
        return usageError("run", fmt::format("output '{}' is {}[{}], which an image file cannot hold exactly; write it to a .json path",
                                             out.name, toString(out.type), fmt::join(out.dims, ", ")));
      }
      std::vector<int> e(extents.begin(), extents.end());
      outputBuffers.emplace_back(halideType(out.type), e);
    }
  }

  Halide::ParamMap params;
  for (size_t i = 0; i < p->inputs.size(); ++i) params.set(lowered->inputs[i], wrapMat(inputMats[i], p->inputs[i].type, p->inputs[i].dims.size()));
  for (size_t i = 0; i < p->params.size(); ++i) bindParam(params, lowered->params[i], p->params[i].type, sizes.params[i]);

  Halide::Pipeline pipeline = lowered->pipeline();
  std::vector<double> times;
  double compileMs = 0;
  try {
    auto start = std::chrono::steady_clock::now();
    pipeline.compile_jit(target);
    compileMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    Halide::Realization realization(outputBuffers);
    pipeline.realize(realization, target, params);  // warm-up
    for (int r = 0; r < repeat; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      pipeline.realize(realization, target, params);
      times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
  } catch (const Halide::Error& e) {
    return fail(fmt::format("'{}' failed: {}", p->name, explainRunError(e.what(), *p)));
  }
  std::sort(times.begin(), times.end());

  for (size_t o = 0; o < p->outputs.size(); ++o) {
    const ir::Output& out = p->outputs[o];
    std::string writeError;
    bool written;
    if (!outputMats[o].empty()) {
      cv::Mat m = outputMats[o];
      if (m.channels() == 3) cv::cvtColor(m, m, cv::COLOR_RGB2BGR);
      if (m.channels() == 4) cv::cvtColor(m, m, cv::COLOR_RGBA2BGRA);
      std::string ext = fs::path(outputs[o]).extension().string();
      written = writeAtomically(outputs[o], [&](const std::string& tmp) { return cv::imwrite(tmp + ext, m) && (fs::rename(tmp + ext, tmp), true); },
                                writeError);
    } else {
      json::Value doc = bufferToJson(out.name, out.type, outputBuffers[o]);
      written = writeAtomically(outputs[o], [&](const std::string& tmp) {
        std::ofstream f(tmp);
        f << doc.dump(-1) << '\n';
        return static_cast<bool>(f);
      }, writeError);
    }
    if (!written) return fail(fmt::format("cannot write output '{}' to '{}': {}", out.name, outputs[o], writeError));
  }
  double median = times[times.size() / 2];
  // Throughput in input pixels: what a user's frame rate depends on.
  std::string rate;
  if (!sizes.inputExtents.empty() && sizes.inputExtents[0].size() >= 2) {
    double pixels = static_cast<double>(sizes.inputExtents[0][0]) * static_cast<double>(sizes.inputExtents[0][1]);
    rate = fmt::format(" ({:.1f} MPix/s)", pixels / (median * 1e3));
  }
  fmt::print("{}: {} ({} schedule, {}) compiled in {:.0f} ms; {} run{}: median {:.3f} ms, min {:.3f} ms{}\n", file, p->name,
             schedule->strategy, target.to_string(), compileMs, repeat, repeat == 1 ? "" : "s", median, times.front(), rate);
  return 0;
}


}  // namespace fovea::driver
