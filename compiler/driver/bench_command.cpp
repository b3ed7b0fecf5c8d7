// `fovea bench FILE.fov|DIR`: how fast a pipeline runs here: latency percentiles after a warm-up,
// throughput, peak memory, compile time, and (--floor) the time a memcpy of the same bytes takes,
// measured in the same run.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>

#include <fmt/format.h>

#include "driver/commands.h"
#include "driver/image_files.h"
#include "fovea/json.h"

namespace fovea::driver {
namespace {

constexpr double kMinSeconds = 1.0;   // timed runs go on until this much time has passed ...
constexpr int kMinRuns = 10;          // ... and at least this many ran
constexpr int kMaxRuns = 2000;
constexpr double kMaxSeconds = 20.0;  // a slow pipeline stops after this long (with kMinRuns at least)

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

/// The value at quantile q of sorted values (nearest rank).
double quantile(const std::vector<double>& sorted, double q) {
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

/// `random:WxH[xC][:type]`: an image of uniform random values (fixed seed), in the input's type
/// unless one is named; floats in [0, 1).
Result<RuntimeBuffer> randomInput(const std::string& spec, const RunTensor& in) {
  std::string body = spec.substr(7);
  std::string typeName;
  if (size_t colon = body.find(':'); colon != std::string::npos) {
    typeName = body.substr(colon + 1);
    body = body.substr(0, colon);
  }
  std::vector<int> extents;
  size_t at = 0;
  while (at <= body.size()) {
    size_t x = body.find('x', at);
    std::string part = body.substr(at, x == std::string::npos ? std::string::npos : x - at);
    char* end = nullptr;
    long v = std::strtol(part.c_str(), &end, 10);
    if (part.empty() || *end != '\0' || v < 1 || v > 65536) {
      return Failure::usage(fmt::format("--input {}: expected random:WIDTHxHEIGHT[xCHANNELS][:TYPE] with extents from 1 to 65536", spec));
    }
    extents.push_back(static_cast<int>(v));
    if (x == std::string::npos) break;
    at = x + 1;
  }
  if (extents.size() < 2 || extents.size() > 3) {
    return Failure::usage(fmt::format("--input {}: give a width and a height, and channels for a color input", spec));
  }
  if (extents.size() == 2 && in.dims.size() == 3) extents.push_back(1);
  if (extents.size() != in.dims.size()) {
    return Failure::usage(fmt::format("--input {}: input '{}' has {} dimensions ({}), the image {}", spec, in.name, in.dims.size(),
                                      fmt::join(in.dims, ", "), extents.size()));
  }
  ScalarType type = in.type;
  if (!typeName.empty()) {
    std::optional<ScalarType> t = parseScalarType(typeName);
    if (!t) {
      return Failure::usage(fmt::format("--input {}: '{}' is not a type (u8, u16, u32, i8, i16, i32, f32, f64, bool)", spec, typeName));
    }
    type = *t;
  }
  RuntimeBuffer b = extents.size() == 3 && extents[2] <= 4 ? RuntimeBuffer::make_interleaved(runtimeType(type), extents[0], extents[1], extents[2])
                                                           : RuntimeBuffer(runtimeType(type), extents);
  std::mt19937_64 rng(12345);
  auto* bytes = static_cast<uint8_t*>(b.data());
  size_t n = b.number_of_elements();
  if (type == ScalarType::F32 || type == ScalarType::F64) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (size_t i = 0; i < n; ++i) {
      if (type == ScalarType::F32) reinterpret_cast<float*>(bytes)[i] = static_cast<float>(u(rng));
      else reinterpret_cast<double*>(bytes)[i] = u(rng);
    }
  } else if (type == ScalarType::Bool) {
    for (size_t i = 0; i < n; ++i) bytes[i] = static_cast<uint8_t>(rng() & 1);
  } else {
    for (size_t i = 0; i < b.size_in_bytes(); ++i) bytes[i] = static_cast<uint8_t>(rng());
  }
  return b;
}

struct Stats {
  std::vector<double> ms;  ///< sorted
  double min() const { return ms.front(); }
  double median() const { return quantile(ms, 0.5); }
  double p90() const { return quantile(ms, 0.9); }
  double p99() const { return quantile(ms, 0.99); }
};

/// Runs `f` after a warm-up until kMinSeconds passed and kMinRuns ran (kMaxRuns, kMaxSeconds at most).
template <class F>
Stats measure(F&& f) {
  for (int i = 0; i < 2; ++i) f();  // warm-up: first-run allocations, thread pool start, caches
  Stats s;
  auto start = Clock::now();
  while (s.ms.size() < static_cast<size_t>(kMaxRuns)) {
    auto t0 = Clock::now();
    f();
    s.ms.push_back(msSince(t0));
    double total = msSince(start) / 1000;
    if (total >= kMaxSeconds || (total >= kMinSeconds && s.ms.size() >= static_cast<size_t>(kMinRuns))) break;
  }
  std::sort(s.ms.begin(), s.ms.end());
  return s;
}

size_t bytesOf(const std::vector<RuntimeBuffer>& buffers) {
  size_t n = 0;
  for (const RuntimeBuffer& b : buffers) n += b.number_of_elements() * b.type().bytes();
  return n;
}

}  // namespace

void helpBenchCommand() {
  fmt::print(
      "usage: fovea bench FILE.fov|DIR [options]\n\n"
      "Measures a pipeline on this machine: a script is compiled here (JIT, or a library when it calls\n"
      "models), a directory written by `fovea compile` is loaded through the runtime as a product loads\n"
      "it. After a warm-up it runs until at least {:.0f} s and {} runs have passed (at most {} runs or\n"
      "{:.0f} s) and reports latency (min, median, p90, p99), throughput (megapixels of the first input\n"
      "and images per second at the median), peak memory (the process's resident set) and the compile time.\n\n"
      "options:\n"
      "  --pipeline NAME          the pipeline (needed when the file or directory has several)\n"
      "  --input IMG              an image file for the next buffer input, or\n"
      "  --input random:WxH[xC][:type]   random values (fixed seed; floats in [0, 1)); default for\n"
      "                           every input: random:1920x1080, x3 for a 3-D input, of its type\n"
      "  --set NAME=VALUE         a scalar parameter (others take their defaults)\n"
      "  --schedule S             scripts: heuristic (default) | none | mullapudi2016 | adams2019 | li2018 | FILE.json\n"
      "  --target T               scripts: the target (default host)\n"
      "  --threads N              worker threads of the compiled code (Halide's HL_NUM_THREADS; default: one per core)\n"
      "  --floor                  also time a memcpy moving the bytes the pipeline reads and writes\n"
      "                           ((read + written) / 2 bytes copied), and give the ratio\n"
      "  --json                   print one JSON object instead of text\n"
      "  --stdlib=DIR             where 'import std.<name>;' looks\n"
      "  -h, --help               show this help\n\n"
      "exit status: 0 success, 1 errors in the script, its inputs or its run, 2 usage errors\n",
      kMinSeconds, kMinRuns, kMaxRuns, kMaxSeconds);
}

int runBench(const std::vector<std::string>& args) {
  std::string file, pipelineName, strategy = "heuristic", targetSpec = "host";
  compiler::Options options{defaultStdlibDir(), {}, {}};
  std::vector<std::string> inputSpecs;
  std::map<std::string, std::string> sets;
  int threads = 0;
  bool json = false, floor = false, scheduleGiven = false, targetGiven = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      helpBenchCommand();
      return 0;
    }
    std::optional<std::string> v;
    if (a == "--pipeline" || a == "--input" || a == "--set" || a == "--schedule" || a == "--target" || a == "--threads") {
      if (i + 1 >= args.size()) return usageError("bench", fmt::format("{} needs a value", a));
      v = args[++i];
    }
    if (a == "--pipeline") pipelineName = *v;
    else if (a == "--input") inputSpecs.push_back(*v);
    else if (a == "--schedule") strategy = *v, scheduleGiven = true;
    else if (a == "--target") targetSpec = *v, targetGiven = true;
    else if (a == "--threads") {
      char* end = nullptr;
      long n = std::strtol(v->c_str(), &end, 10);
      if (v->empty() || *end != '\0' || n < 1 || n > 256) return usageError("bench", "--threads needs a count from 1 to 256");
      threads = static_cast<int>(n);
    } else if (a == "--set") {
      size_t eq = v->find('=');
      if (eq == std::string::npos || eq == 0) return usageError("bench", fmt::format("--set needs NAME=VALUE, not '{}'", *v));
      if (!sets.emplace(v->substr(0, eq), v->substr(eq + 1)).second) return usageError("bench", fmt::format("--set {} is given twice", v->substr(0, eq)));
    } else if (a == "--json") json = true;
    else if (a == "--floor") floor = true;
    else if (a.rfind("--stdlib=", 0) == 0) options.stdlibDir = a.substr(9);
    else if (a.size() > 1 && a[0] == '-') return usageError("bench", fmt::format("unknown option '{}'", a));
    else if (file.empty()) file = a;
    else return usageError("bench", fmt::format("one script or library at a time ('{}' and '{}')", file, a));
  }
  if (file.empty()) return usageError("bench", "no script or compiled library given");
  // Halide's thread pool reads this when it starts (the first run), in the JIT and in every library.
  if (threads > 0) setenv("HL_NUM_THREADS", std::to_string(threads).c_str(), 1);

  std::unique_ptr<RunEngine> engine;
  double compileMs = 0;
  std::string error, what;
  if (isArtifactPath(file)) {
    if (scheduleGiven || targetGiven) return usageError("bench", "--schedule and --target apply to scripts; a compiled library has its own");
    Result<std::unique_ptr<RunEngine>> opened = openArtifact(file, pipelineName);
    if (!opened) return report("bench", opened.failure());
    engine = std::move(*opened);
  } else {
    compiler::Result<compiler::Program> program = compiler::load(file, options);
    if (!program) return report("bench", program.failure());
    if (!json) printWarnings(*program);
    compiler::Result<const ir::Pipeline*> p = program->pipeline(pipelineName);
    if (!p) return report("bench", p.failure());
    compiler::Result<Halide::Target> target = compiler::jitTarget(targetSpec);
    if (!target) return report("bench", target.failure());
    compiler::Result<std::unique_ptr<RunEngine>> opened = openScript(*program, **p, strategy, *target, &compileMs);
    if (!opened) return report("bench", opened.failure());
    engine = std::move(*opened);
  }
  const RunSignature& sig = engine->signature();
  if (inputSpecs.size() > sig.inputs.size()) {
    return usageError("bench", fmt::format("'{}' has {} buffer input{}; {} --input given", sig.pipeline, sig.inputs.size(), sig.inputs.size() == 1 ? "" : "s",
                                           inputSpecs.size()));
  }
  Result<Params> params = paramsFromSets(sets, engine->contract());
  if (!params) return report("bench", params.failure());
  std::vector<RuntimeBuffer> inputs;
  std::vector<InputImage> images;  // own the pixels of inputs read from files
  std::vector<std::string> described;
  for (size_t i = 0; i < sig.inputs.size(); ++i) {
    const RunTensor& in = sig.inputs[i];
    std::string spec = i < inputSpecs.size() ? inputSpecs[i] : in.dims.size() == 3 ? "random:1920x1080x3" : in.dims.size() == 2 ? "random:1920x1080" : "";
    if (spec.empty()) return usageError("bench", fmt::format("input '{}' has {} dimensions: give it with --input", in.name, in.dims.size()));
    if (spec.rfind("random:", 0) == 0) {
      Result<RuntimeBuffer> b = randomInput(spec, in);
      if (!b) return report("bench", b.failure());
      inputs.push_back(*b);
    } else {
      Result<InputImage> image = readInputImage(spec, in);
      if (!image) return report("bench", image.failure());
      images.push_back(std::move(*image));
      inputs.push_back(images.back().buffer);
    }
    std::vector<int> extents;
    for (int d = 0; d < inputs.back().dimensions(); ++d) extents.push_back(inputs.back().dim(d).extent());
    described.push_back(fmt::format("{} {}[{}]", in.name, toString(in.type), fmt::join(extents, "x")));
  }

  std::vector<RuntimeBuffer> outputs;
  Stats stats;
  try {
    stats = measure([&] { engine->run(inputs, *params, outputs); });
  } catch (const std::exception& e) {
    return fail("bench", e.what());
  }
  size_t readBytes = bytesOf(inputs), writtenBytes = bytesOf(outputs);
  double megapixels = inputs.empty() || inputs[0].dimensions() < 2 ? 0 : inputs[0].dim(0).extent() * double(inputs[0].dim(1).extent()) / 1e6;
  std::optional<Stats> copy;
  if (floor) {
    size_t n = std::max<size_t>(1, (readBytes + writtenBytes) / 2);
    std::vector<uint8_t> from(n, 1), to(n, 0);
    copy = measure([&] {
      std::memcpy(to.data(), from.data(), n);
      asm volatile("" : : "r"(to.data()) : "memory");  // the copy is not optimized away
    });
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  double peakMiB = static_cast<double>(usage.ru_maxrss) / 1024.0;
  const char* threadsEnv = std::getenv("HL_NUM_THREADS");
  std::string threadText = threadsEnv ? threadsEnv : "default";

  if (json) {
    json::Value inputsJson = json::Value::array();
    for (const std::string& d : described) inputsJson.push(d);
    json::Value out = json::Value::object({{"pipeline", sig.pipeline},
                                           {"source", file},
                                           {"engine", engine->what()},
                                           {"inputs", std::move(inputsJson)},
                                           {"runs", static_cast<int64_t>(stats.ms.size())},
                                           {"threads", threadText},
                                           {"min_ms", stats.min()},
                                           {"median_ms", stats.median()},
                                           {"p90_ms", stats.p90()},
                                           {"p99_ms", stats.p99()},
                                           {"megapixels_per_s", megapixels / (stats.median() / 1000)},
                                           {"images_per_s", 1000 / stats.median()},
                                           {"peak_memory_mib", peakMiB},
                                           {"compile_ms", compileMs},
                                           {"bytes_read", static_cast<int64_t>(readBytes)},
                                           {"bytes_written", static_cast<int64_t>(writtenBytes)}});
    if (copy) {
      out.set("floor_median_ms", copy->median());
      out.set("fraction_of_floor", copy->median() / stats.median());
    }
    fmt::print("{}\n", out.dump());
    return 0;
  }
  fmt::print("{}: {} ({}){}\n", file, sig.pipeline, engine->what(), compileMs > 0 ? fmt::format(", compiled in {:.2f} s", compileMs / 1000) : "");
  fmt::print("  inputs     {}\n", fmt::join(described, ", "));
  fmt::print("  runs       {} after a warm-up (threads: {})\n", stats.ms.size(), threadText);
  fmt::print("  latency    min {:.3f} ms, median {:.3f} ms, p90 {:.3f} ms, p99 {:.3f} ms\n", stats.min(), stats.median(), stats.p90(), stats.p99());
  fmt::print("  throughput {:.1f} MPix/s, {:.1f} images/s\n", megapixels / (stats.median() / 1000), 1000 / stats.median());
  fmt::print("  memory     peak {:.1f} MiB resident; {:.2f} MB read, {:.2f} MB written per run\n", peakMiB, readBytes / 1e6, writtenBytes / 1e6);
  if (copy) {
    fmt::print("  floor      memcpy of {:.2f} MB: median {:.3f} ms; the pipeline runs at {:.0f}% of the floor's speed\n",
               static_cast<double>(std::max<size_t>(1, (readBytes + writtenBytes) / 2)) / 1e6, copy->median(), 100 * copy->median() / stats.median());
  }
  return 0;
}

}  // namespace fovea::driver
