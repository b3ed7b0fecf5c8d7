#pragma once
// `fovea run FILE.fov`: the pipeline lowered, scheduled and JIT-compiled in this process.

#include <memory>

#include <Halide.h>

#include "driver/run_engine.h"
#include "sema/ir.h"
#include "support/diagnostics.h"

namespace fovea::driver {

/// The signature `fovea run` works with, from the script (before anything is compiled).
RunSignature signatureOf(const ir::Pipeline& p);

/// Lowers, schedules (`strategy`) and JIT-compiles `p` for `target`. Diagnostics go to `diags`;
/// nullptr when something failed. `compileMs` gets the JIT compile time.
std::unique_ptr<RunEngine> makeJitEngine(const ir::Pipeline& p, const std::string& strategy, const Halide::Target& target, DiagnosticEngine& diags,
                                         double& compileMs);

}  // namespace fovea::driver
