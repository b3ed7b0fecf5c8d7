// `fovea run FILE.fov|DIR -i IN.png -o OUT.png` (or a batch of images): run a pipeline, JIT-compiled
// from a script or loaded from a compiled library through the runtime, and time it.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "codegen/targets.h"
#include "driver/batch.h"
#include "driver/commands.h"
#include "driver/image_files.h"
#include "driver/image_read.h"
#include "support/files.h"

namespace fovea::driver {
namespace {
namespace fs = std::filesystem;

}  // namespace

void helpRunCommand() {
  fmt::print(
      "usage: fovea run FILE.fov|DIR [options] -i IN.png [-i IN2.png ...] -o OUT.png [-o OUT2 ...]\n"
      "       fovea run FILE.fov|DIR [options] --input-dir DIR --output-dir DIR [--jobs N]\n\n"
      "Runs a pipeline on images and prints how long it took: a script is JIT-compiled; a directory\n"
      "written by `fovea compile` (or a NAME.manifest.json, a libNAME.so) is loaded through Fovea's\n"
      "runtime, as a product would. Buffer inputs take the -i images in declaration order; outputs go\n"
      "to the -o paths in declaration order.\n\n"
      "Images read: {},\n"
      "recognized by their first bytes. A file that is damaged or truncated (a decoder warning, a\n"
      "checksum, fewer bytes than its header promises) is an error, and nothing is computed from it. Color images are given to the pipeline as RGB (c = 0, 1, 2),\n"
      "interleaved; a color image given to a 2-D input is converted to gray, and values are converted\n"
      "to the input's type only where every value is kept (u8 to u16 or f32, u16 to f32).\n\n"
      "Images written: .png (u8, u16), .tif (u8, u16, f32), .pgm/.ppm/.pnm (u8, u16), .pfm (f32),\n"
      ".bmp and .webp (u8), .jpg (u8, lossy); gray or 1, 3 or 4 channels as each format allows. Any\n"
      "output may go to a .json path instead (every value; floats in their shortest exact form, non-\n"
      "finite values as \"NaN\", \"Infinity\", \"-Infinity\"). Outputs are written to a temporary name\n"
      "and renamed, so a failure never leaves a partial file.\n\n"
      "Batch: every image of --input-dir goes through the pipeline (one buffer input) on --jobs threads\n"
      "(default: one per core), reading, running and writing overlapping; outputs keep the image's name\n"
      "(NAME.OUTPUT.ext when there are several) and its format where that holds the output (else .png,\n"
      ".tif or .json), or the --ext format. A progress bar shows images done, rate and time left; a\n"
      "summary gives throughput and latency. An image that fails is reported and skipped, the rest\n"
      "complete, and the exit status is 1.\n\n"
      "options:\n"
      "  --pipeline NAME     the pipeline to run (needed when the file or directory has several)\n"
      "  --set NAME=VALUE    a scalar parameter: a number, or true/false for bool (others: defaults)\n"
      "  --schedule S        scripts: heuristic (default) | none | mullapudi2016 | adams2019 | li2018 | FILE.json\n"
      "  --target T          scripts: JIT target (default host)\n"
      "  --repeat N          timed runs after a warm-up (default 10); prints the median\n"
      "  --input-dir DIR     batch: the images to process\n"
      "  --output-dir DIR    batch: where the outputs go (created if missing)\n"
      "  --jobs N            batch: images processed at once\n"
      "  --ext .EXT          batch: the format of every output (.png, .tif, .json, ...)\n"
      "  --dump-after PASS   scripts: print what a pass produced ({}), on stdout\n"
      "  --stdlib=DIR        where 'import std.<name>;' looks\n"
      "  -h, --help          show this help\n\n"
      "exit status: 0 success; 1 errors in the script, its images, its run or where outputs go;\n"
      "2 usage errors (options, --set values the pipeline does not take, outputs no format holds)\n",
      readableImageFormats(), compiler::passNames());
}

namespace {

int fail(const std::string& message) { return driver::fail("run", message); }

/// A --set value: a number (for bool parameters also true or false).

}  // namespace

int runRun(const std::vector<std::string>& args) {
  std::string file, pipelineName, strategy = "heuristic", targetSpec = "host";
  compiler::Options options{defaultStdlibDir(), {}, {}};
  std::vector<std::string> inputs, outputs;
  std::map<std::string, std::string> sets;
  BatchOptions batch;
  int repeat = 10;
  bool scheduleGiven = false, targetGiven = false;
  auto count = [](const std::string& v, int lo, int hi) {
    try {
      size_t used = 0;
      int n = std::stoi(v, &used);
      return used == v.size() && n >= lo && n <= hi ? n : -1;
    } catch (...) {
      return -1;
    }
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      helpRunCommand();
      return 0;
    }
    std::optional<std::string> v;
    if (a == "-i" || a == "-o" || a == "--pipeline" || a == "--set" || a == "--schedule" || a == "--target" || a == "--repeat" || a == "--input-dir" ||
        a == "--output-dir" || a == "--jobs" || a == "--ext" || a == "--dump-after") {
      if (i + 1 >= args.size()) return usageError("run", fmt::format("{} needs a value", a));
      v = args[++i];
    }
    if (a == "-i") inputs.push_back(*v);
    else if (a == "-o") outputs.push_back(*v);
    else if (a == "--pipeline") pipelineName = *v;
    else if (a == "--schedule") strategy = *v, scheduleGiven = true;
    else if (a == "--target") targetSpec = *v, targetGiven = true;
    else if (a == "--input-dir") batch.inputDir = *v;
    else if (a == "--output-dir") batch.outputDir = *v;
    else if (a == "--ext") batch.extension = v->empty() || (*v)[0] == '.' ? *v : "." + *v;
    else if (a == "--repeat") {
      repeat = count(*v, 1, 100000);
      if (repeat < 0) return usageError("run", "--repeat needs a count from 1 to 100000");
    } else if (a == "--jobs") {
      batch.jobs = count(*v, 1, 1024);
      if (batch.jobs < 0) return usageError("run", "--jobs needs a count from 1 to 1024");
    } else if (a == "--set") {
      size_t eq = v->find('=');
      if (eq == std::string::npos || eq == 0) return usageError("run", fmt::format("--set needs NAME=VALUE, not '{}'", *v));
      std::string name = v->substr(0, eq);
      if (sets.count(name)) return usageError("run", fmt::format("--set {} is given twice ('{}' and '{}')", name, sets[name], v->substr(eq + 1)));
      sets[name] = v->substr(eq + 1);
    } else if (a == "--dump-after") {
      if (std::string error = addDumpAfter(*v, options); !error.empty()) return usageError("run", error);
    } else if (a.rfind("--stdlib=", 0) == 0) {
      options.stdlibDir = a.substr(9);
    } else if (a.size() > 1 && a[0] == '-') {
      return usageError("run", fmt::format("unknown option '{}'", a));
    } else if (file.empty()) {
      file = a;
    } else {
      return usageError("run", fmt::format("one script or library at a time ('{}' and '{}')", file, a));
    }
  }
  if (file.empty()) return usageError("run", "no script or compiled library given");
  bool batchMode = !batch.inputDir.empty() || !batch.outputDir.empty();
  if (batchMode && (batch.inputDir.empty() || batch.outputDir.empty())) return usageError("run", "a batch needs both --input-dir and --output-dir");
  if (batchMode && (!inputs.empty() || !outputs.empty())) return usageError("run", "give either -i/-o (one image) or --input-dir/--output-dir (a batch)");
  if (!batchMode && batch.jobs > 0) return usageError("run", "--jobs is for batches (--input-dir, --output-dir)");
  if (!batchMode && !batch.extension.empty()) return usageError("run", "--ext is for batches (--input-dir, --output-dir)");

  // The engine: a compiled library through the runtime, or the script JIT-compiled.
  std::unique_ptr<RunEngine> engine;
  std::optional<compiler::Program> program;
  const ir::Pipeline* p = nullptr;
  std::optional<Halide::Target> jitTarget;
  std::string error;
  bool artifact = isArtifactPath(file);
  if (artifact) {
    if (scheduleGiven || targetGiven) return usageError("run", "--schedule and --target apply to scripts; a compiled library has its own");
    Result<std::unique_ptr<RunEngine>> opened = openArtifact(file, pipelineName);
    if (!opened) return report("run", opened.failure());
    engine = std::move(*opened);
  } else {
    compiler::Result<compiler::Program> loaded = compiler::load(file, options);
    if (!loaded) return report("run", loaded.failure());
    program = std::move(*loaded);
    printWarnings(*program);
    compiler::Result<const ir::Pipeline*> selected = program->pipeline(pipelineName);
    if (!selected) return report("run", selected.failure());
    p = *selected;
    compiler::Result<Halide::Target> target = compiler::jitTarget(targetSpec);
    if (!target) return report("run", target.failure());
    jitTarget = *target;
    if (!p->models.empty()) {
      compiler::Result<std::unique_ptr<RunEngine>> opened = openScript(*program, *p, strategy, *jitTarget);
      if (!opened) return report("run", opened.failure());
      engine = std::move(*opened);
      artifact = true;
    }
  }
  // The contract, before compiling: from the loaded library, or from the script.
  Signature contract = engine ? engine->contract() : compiler::signatureOf(*p);
  RunSignature sig = runSignatureOf(contract);
  if (batchMode && sig.inputs.size() != 1) {
    return usageError("run", fmt::format("a batch feeds one image to a pipeline with one buffer input; '{}' has {}", sig.pipeline, sig.inputs.size()));
  }
  if (!batchMode && inputs.size() != sig.inputs.size()) {
    return usageError("run", fmt::format("'{}' has {} buffer input{}; give one -i image for each", sig.pipeline, sig.inputs.size(),
                                         sig.inputs.size() == 1 ? "" : "s"));
  }
  if (!batchMode && outputs.size() != sig.outputs.size()) {
    return usageError("run", fmt::format("'{}' has {} output{}; give one -o path for each", sig.pipeline, sig.outputs.size(),
                                         sig.outputs.size() == 1 ? "" : "s"));
  }
  // Check where the outputs go before compiling or reading anything.
  for (size_t o = 0; o < outputs.size(); ++o) {
    const std::string& out = outputs[o];
    std::error_code ec;
    if (out.empty() || fs::is_directory(out, ec)) return usageError("run", fmt::format("output path '{}' is a directory, not a file name", out));
    for (size_t k = 0; k < o; ++k) {
      if (fs::weakly_canonical(outputs[k], ec) == fs::weakly_canonical(out, ec)) {
        return usageError("run", fmt::format("outputs '{}' and '{}' would both be written to '{}'", sig.outputs[k].name, sig.outputs[o].name, out));
      }
    }
    if (std::string why = imageOutputProblem(sig.outputs[o], -1, out); !why.empty() && why != "a .json path") {
      return usageError("run", fmt::format("cannot write '{}': {}; write it to a .json path", out, why));
    }
    std::string dir = fs::path(out).parent_path().string();
    if (std::string why = whyNotWritableDirectory(dir.empty() ? "." : dir); !why.empty()) {
      return fail(fmt::format("cannot write '{}': directory '{}' {}", out, dir.empty() ? "." : dir, why));
    }
  }
  if (batchMode && !batch.extension.empty()) {
    for (const RunTensor& out : sig.outputs) {
      if (std::string why = imageOutputProblem(out, -1, "x" + batch.extension); !why.empty() && why != "a .json path") {
        return usageError("run", fmt::format("--ext {}: {}; use --ext .json", batch.extension, why));
      }
    }
  }

  // Parameters: --set values, checked as the runtime checks them (name, type, range).
  Result<Params> resolved = paramsFromSets(sets, contract);
  if (!resolved) return report("run", resolved.failure());
  Params named = *resolved;

  // Read the single run's images before compiling: a bad image fails fast.
  std::vector<InputImage> images;
  std::string notes;
  for (size_t i = 0; i < inputs.size(); ++i) {
    Result<InputImage> image = readInputImage(inputs[i], sig.inputs[i], &notes);
    if (!image) return report("run", image.failure());
    images.push_back(std::move(*image));
  }
  if (!notes.empty()) fmt::print(stderr, "fovea run: note: {}", notes);

  double compileMs = 0;
  if (!engine) {
    compiler::Result<std::unique_ptr<RunEngine>> opened = openScript(*program, *p, strategy, *jitTarget, &compileMs);
    if (!opened) return report("run", opened.failure());
    engine = std::move(*opened);
  }
  if (batchMode) {
    batch.params = named;
    return runBatch(*engine, batch);
  }

  std::vector<RuntimeBuffer> in, out;
  for (const InputImage& image : images) in.push_back(image.buffer);
  std::vector<double> times;
  try {
    engine->run(in, named, out);  // warm-up (and outputs allocated)
    for (int r = 0; r < repeat; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      engine->run(in, named, out);
      times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
  } catch (const std::exception& e) {  // RunFailure, or std::bad_alloc for an output too large
    return fail(e.what());
  }
  std::sort(times.begin(), times.end());
  for (size_t o = 0; o < sig.outputs.size(); ++o) {
    if (std::string why = imageOutputProblem(sig.outputs[o], outputChannels(sig.outputs[o], out[o]), outputs[o]); !why.empty() && why != "a .json path") {
      return usageError("run", fmt::format("cannot write '{}': {}; write it to a .json path", outputs[o], why));
    }
  }
  for (size_t o = 0; o < sig.outputs.size(); ++o) {
    if (Status written = writeOutput(outputs[o], sig.outputs[o], out[o]); !written) {
      return fail(fmt::format("cannot write output '{}' to '{}': {}", sig.outputs[o].name, outputs[o], written.failure().message));
    }
  }
  double median = times[times.size() / 2];
  // Throughput in input pixels: what a user's frame rate depends on.
  std::string rate;
  if (!in.empty() && in[0].dimensions() >= 2) {
    double pixels = static_cast<double>(in[0].dim(0).extent()) * static_cast<double>(in[0].dim(1).extent());
    rate = fmt::format(" ({:.1f} MPix/s)", pixels / (median * 1e3));
  }
  std::string compiled = artifact ? "loaded" : fmt::format("compiled in {:.1f} s", compileMs / 1000);
  fmt::print("{}: {} ({}) {}; {} run{}: median {:.3f} ms, min {:.3f} ms{}\n", file, sig.pipeline, engine->what(), compiled, repeat, repeat == 1 ? "" : "s",
             median, times.front(), rate);
  return 0;
}

}  // namespace fovea::driver
