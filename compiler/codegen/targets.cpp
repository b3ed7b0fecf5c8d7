#include "codegen/targets.h"

#include <fstream>
#include <optional>
#include <sstream>

#include <fmt/format.h>

namespace fovea {
namespace {

/// Friendly names as Halide feature lists (on top of x86-64-linux).
std::string friendlyFeatures(const std::string& token) {
  if (token == "generic") return "";
  if (token == "sse41") return "sse41";
  if (token == "avx2") return "avx-avx2-f16c-fma-sse41";
  if (token == "avx512") return "avx-avx2-avx512-avx512_skylake-f16c-fma-sse41";
  if (token == "cuda") return "cuda-cuda_capability_80";
  return "-";  // not a friendly name
}

Result<Halide::Target> parseOne(const std::string& spec) {
  if (spec == "host") return hostTarget();
  if (Halide::Target::validate_target_string(spec)) return Halide::Target(spec);
  // A '-' combination of friendly names: avx2-cuda.
  std::string features;
  bool cpuGiven = false;
  std::stringstream parts(spec);
  for (std::string token; std::getline(parts, token, '-');) {
    std::string f = friendlyFeatures(token);
    if (f == "-") {
      return Failure::usage(fmt::format("unknown target '{}' (use host, generic, sse41, avx2, avx512, cuda, a '-' combination of them, "
                                        "or a Halide target string such as x86-64-linux-avx2)",
                                        spec));
    }
    if (token != "cuda") cpuGiven = true;
    if (!f.empty()) features += "-" + f;
  }
  // `cuda` alone: the GPU code, with an AVX2 host side.
  if (!cpuGiven) features = "-" + friendlyFeatures("avx2") + features;
  std::string full = "x86-64-linux" + features;
  if (!Halide::Target::validate_target_string(full)) {
    return Failure::usage(fmt::format("target '{}' is not valid ({})", spec, full));
  }
  return Halide::Target(full);
}

bool cpuHasFlag(const std::string& flag) {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("flags", 0) != 0) continue;
    std::stringstream words(line);
    for (std::string w; words >> w;) {
      if (w == flag) return true;
    }
    return false;
  }
  return false;
}

}  // namespace

Halide::Target hostTarget() {
  Halide::Target t = Halide::get_host_target();
  if (t.has_feature(Halide::Target::AVX512_SapphireRapids) && !cpuHasFlag("avx512_fp16")) {
    t = t.without_feature(Halide::Target::AVX512_SapphireRapids);
  }
  return t;
}

std::string whyNotRunnableHere(const Halide::Target& t) {
  Halide::Target host = hostTarget();
  if (t.arch != host.arch || t.os != host.os || t.bits != host.bits) {
    return fmt::format("target {} is for another architecture or operating system than this machine ({})", t.to_string(),
                       host.to_string());
  }
  using F = Halide::Target::Feature;
  for (F f : {F::SSE41, F::AVX, F::AVX2, F::FMA, F::FMA4, F::F16C, F::AVX512, F::AVX512_KNL, F::AVX512_Skylake, F::AVX512_Cannonlake,
              F::AVX512_SapphireRapids}) {
    if (t.has_feature(f) && !host.has_feature(f)) {
      return fmt::format("target {} uses CPU features this machine does not have (it is {})", t.to_string(), host.to_string());
    }
  }
  return "";
}

Result<std::vector<Halide::Target>> parseTargets(const std::string& spec) {
  std::vector<Halide::Target> out;
  std::stringstream list(spec);
  for (std::string item; std::getline(list, item, ',');) {
    Result<Halide::Target> t = parseOne(item);
    if (!t) return t.failure();
    out.push_back(*t);
  }
  if (out.empty()) return Failure::usage("no target given");
  return out;
}

int vectorBytes(const Halide::Target& t) {
  if (t.has_feature(Halide::Target::AVX512)) return 64;
  if (t.has_feature(Halide::Target::AVX2) || t.has_feature(Halide::Target::AVX)) return 32;
  return 16;
}

}  // namespace fovea
