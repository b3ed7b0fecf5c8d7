// What the runtime adds per call: a trivial pipeline (8x8 copy) called directly through its C
// function, and through fovea::Pipeline (checks, size rules, argument packing), outputs reused or
// allocated per call. Run: build/bench/runtime_overhead --benchmark_repetitions=10
#include <benchmark/benchmark.h>

#include "fovea/runtime.hpp"
#include "identity.h"

namespace {

fovea::Image input() {
  fovea::Image in(halide_type_of<uint8_t>(), 8, 8);
  Halide::Runtime::Buffer<uint8_t>(in).fill(3);
  return in;
}

void Direct(benchmark::State& state) {
  fovea::Image in = input();
  fovea::Image out(halide_type_of<uint8_t>(), 8, 8);
  for (auto _ : state) {
    if (identity(in.raw_buffer(), out.raw_buffer()) != 0) state.SkipWithError("call failed");
  }
}

void Runtime(benchmark::State& state) {
  fovea::Pipeline p = fovea::Pipeline::fromLinked(identity_fovea_pipeline());
  std::vector<fovea::Image> in = {input()}, out;
  for (auto _ : state) p.run(in, {}, out);
}

void RuntimeNewOutputs(benchmark::State& state) {
  fovea::Pipeline p = fovea::Pipeline::fromLinked(identity_fovea_pipeline());
  std::vector<fovea::Image> in = {input()};
  for (auto _ : state) benchmark::DoNotOptimize(p.run(in));
}

BENCHMARK(Direct);
BENCHMARK(Runtime);
BENCHMARK(RuntimeNewOutputs);

}  // namespace

BENCHMARK_MAIN();
