#pragma once
/// A window reduction is a stencil: an update at the stage's own point over a small constant domain
/// (`s(x, y) += e(x + r.x, y + r.y) over r in [-1 .. 2, -1 .. 2]`, windowed max/min, box sums) is
/// unrolled into the stage's pure definition, in the domain's order (r.x innermost, as the update
/// runs), so that it is scheduled, fused and vectorized like any stencil. The values are exactly the
/// update's: the same operations in the same order.
///
///     ir::Pipeline p = foldWindows(checked);   // stages with such updates have none left
///
/// An update is folded when its left-hand side is the stage's own variables, it reads the stage
/// only at that point, its domain is explicit, constant and at most kMaxWindowPoints points, and
/// the unrolled expression would have at most kMaxFoldedNodes nodes (points times the update's
/// value, summed over the updates).
/// A stage is folded only when all its updates are; others keep theirs (histograms, scans).

#include "sema/ir.h"

namespace fovea {

constexpr int64_t kMaxWindowPoints = 49;  // a 7x7 window
constexpr int64_t kMaxFoldedNodes = 1200;  // a 7x7 window of 24-node terms; a 5x5 bilateral weight (~75) is not folded

ir::Pipeline foldWindows(const ir::Pipeline& p);

}  // namespace fovea
