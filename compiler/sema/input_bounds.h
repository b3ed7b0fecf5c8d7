#pragma once
/// Finds reads of a pipeline input outside the image: an input read at an offset (in(x - 1, y)),
/// at a computed position, or from a stage that is itself evaluated at an offset, without a
/// boundary condition. Every image would fail at its edges at run time, so it is a compile error,
/// with a fix-it that wraps the input in boundary(input, reflect101).
///
///     checkInputBounds(pipeline, diags);

#include "sema/ir.h"
#include "support/diagnostics.h"

namespace fovea {

void checkInputBounds(const ir::Pipeline& pipeline, DiagnosticEngine& diags);

}  // namespace fovea
