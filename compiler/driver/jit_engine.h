#pragma once
// `fovea run FILE.fov`: the pipeline lowered, scheduled and JIT-compiled in this process.

#include <memory>

#include <Halide.h>

#include "driver/run_engine.h"
#include "sema/ir.h"
#include "support/diagnostics.h"

namespace fovea::driver {

/// The runtime's view of a script's pipeline (from the manifest its library would have), before
/// anything is compiled: what `fovea run` checks parameters and images against.
Signature contractOf(const ir::Pipeline& p);

/// Lowers, schedules (`strategy`) and JIT-compiles `p` for `target`. Diagnostics go to `diags`;
/// nullptr when something failed. `compileMs` gets the JIT compile time.
std::unique_ptr<RunEngine> makeJitEngine(const ir::Pipeline& p, const std::string& strategy, const Halide::Target& target, DiagnosticEngine& diags,
                                         double& compileMs);

}  // namespace fovea::driver
