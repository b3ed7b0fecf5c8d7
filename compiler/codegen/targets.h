#pragma once
/// Target names: any Halide target string, or Fovea's friendly names, alone or combined with '-'
/// (`host`, `generic`, `sse41`, `avx2`, `avx512`, `cuda`: `avx2-cuda`), and comma lists for fat
/// libraries that pick the best variant for the CPU at run time.
///
///     Result<std::vector<Halide::Target>> ts = parseTargets("avx512,avx2,sse41,generic");

#include <string>
#include <vector>

#include <Halide.h>

#include "support/result.h"

namespace fovea {

/// The default for `fovea compile`: runs on any x86-64 machine, uses AVX2/AVX-512 where present.
constexpr const char* kDefaultTargets = "avx512,avx2,sse41,generic";

/// Parses a comma list of targets (a Usage failure for a bad name).
Result<std::vector<Halide::Target>> parseTargets(const std::string& spec);

/// The machine this runs on. Halide 14 reports AVX512_SapphireRapids on AMD Zen 4, which lacks
/// the AVX512-FP16 instructions that feature allows (generated code then dies with SIGILL): the
/// feature is kept only where the CPU lists avx512_fp16.
Halide::Target hostTarget();

/// Empty when code for `t` can run on this machine (same architecture, OS and bit width, and only
/// CPU features the machine has); otherwise why not. JIT runs and shared-library linking need it.
std::string whyNotRunnableHere(const Halide::Target& t);

/// The SIMD width in bytes the schedule should use for a target.
int vectorBytes(const Halide::Target& t);

}  // namespace fovea
