#pragma once
/// Finds reads and updates of a computed stage at an index whose range nothing bounds: a position
/// computed from float values or 32-bit integers read from data (`lut(i32(input(x, y) * 1000.0))`,
/// `h(i32(f(x, y))) += 1`) with no clamp, modulo or narrow conversion on the way. A stage is
/// computed over every index it is read at, so Halide must know their range; without one the
/// program cannot be compiled. It is a compile error at the index, with a note on the value it
/// comes from and the fix (clamp the index).
///
/// What counts as bounded follows Halide's own interval analysis: variables, parameters and
/// extents; reads of 8- and 16-bit integers and bools; reads of computed stages whose own pure
/// value is bounded (a table of clamped indices); clamp, min/max against a bound, modulo,
/// conversions to 8- or 16-bit types, and arithmetic of bounded values.
///
///     checkDataIndexBounds(pipeline, diags);

#include "sema/ir.h"
#include "support/diagnostics.h"

namespace fovea {

void checkDataIndexBounds(const ir::Pipeline& pipeline, DiagnosticEngine& diags);

}  // namespace fovea
