#include "schedule/plan.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include <fmt/format.h>

namespace fovea {
namespace {

bool isVarAt(const ir::ExprPtr& a, size_t position) { return a->kind == ir::ExprKind::Var && a->index == static_cast<int>(position); }

/// var + constant, constant + var, var - constant at the variable's own position.
bool isShiftedVarAt(const ir::ExprPtr& a, size_t position) {
  if (isVarAt(a, position)) return true;
  if (a->kind != ir::ExprKind::Binary || (a->binaryOp != ir::BinaryOp::Add && a->binaryOp != ir::BinaryOp::Sub)) return false;
  const ir::ExprPtr& l = a->args[0];
  const ir::ExprPtr& r = a->args[1];
  if (isVarAt(l, position) && r->kind == ir::ExprKind::Const) return true;
  return a->binaryOp == ir::BinaryOp::Add && isVarAt(r, position) && l->kind == ir::ExprKind::Const;
}


/// `a * var + k` (or `var * a`, with or without `+ k` / `- k`) at the variable's own position, a a
/// positive integer constant: a downsampling read. Returns a (1 for a shifted var), 0 otherwise.
int64_t scaleAt(const ir::ExprPtr& a, size_t position) {
  if (isShiftedVarAt(a, position)) return 1;
  // (var + k) / a: upsampling, a consumer row reads one or two producer rows: planned like a
  // stencil.
  if (a->kind == ir::ExprKind::Binary && a->binaryOp == ir::BinaryOp::Div && isShiftedVarAt(a->args[0], position) &&
      a->args[1]->kind == ir::ExprKind::Const && !isFloat(a->args[1]->type) && a->args[1]->intValue >= 1 && a->args[1]->intValue <= 64) {
    return 1;
  }
  const ir::Expr* e = a.get();
  if (e->kind == ir::ExprKind::Binary && (e->binaryOp == ir::BinaryOp::Add || e->binaryOp == ir::BinaryOp::Sub)) {
    const ir::ExprPtr& l = e->args[0];
    const ir::ExprPtr& r = e->args[1];
    if (r->kind == ir::ExprKind::Const) e = l.get();
    else if (e->binaryOp == ir::BinaryOp::Add && l->kind == ir::ExprKind::Const) e = r.get();
    else return 0;
  }
  if (e->kind != ir::ExprKind::Binary || e->binaryOp != ir::BinaryOp::Mul) return 0;
  const ir::ExprPtr& l = e->args[0];
  const ir::ExprPtr& r = e->args[1];
  const ir::ExprPtr& c = l->kind == ir::ExprKind::Const ? l : r;
  const ir::ExprPtr& v = l->kind == ir::ExprKind::Const ? r : l;
  if (c->kind != ir::ExprKind::Const || isFloat(c->type) || c->intValue < 1 || c->intValue > 64 || !isVarAt(v, position)) return 0;
  return c->intValue;
}

Access combine(Access a, Access b) { return static_cast<Access>(std::max(static_cast<int>(a), static_cast<int>(b))); }

/// What evaluating an expression once costs, in operations: arithmetic, casts, selects and
/// reads 1 each, transcendental functions 10, variables and constants nothing, and the index
/// arithmetic of a stencil read (x + 1) nothing (it folds into the address). A read through a
/// boundary condition also pays its clamp (a min and a max per dimension) and reads the input
/// where it lies (strided for interleaved color): storing it once de-interleaves it.
double opCost(const ir::Pipeline& p, const ir::ExprPtr& e) {
  double cost = 0;
  ir::visit(e, [&](const ir::Expr& n) {
    switch (n.kind) {
      case ir::ExprKind::Const:
      case ir::ExprKind::Var:
      case ir::ExprKind::RVar:
      case ir::ExprKind::Param:
      case ir::ExprKind::Extent: return true;
      default: break;
    }
    cost += 1;
    if (n.kind == ir::ExprKind::Intrinsic) {
      switch (n.intrinsic) {
        case ir::Intrinsic::Sqrt:
        case ir::Intrinsic::Exp:
        case ir::Intrinsic::Log:
        case ir::Intrinsic::Pow:
        case ir::Intrinsic::Sin:
        case ir::Intrinsic::Cos:
        case ir::Intrinsic::Tan:
        case ir::Intrinsic::Atan2: cost += 9; break;
        default: break;
      }
    }
    if (n.kind == ir::ExprKind::Call && p.stages[n.index].kind == ir::StageKind::Boundary) cost += 2.0 * static_cast<double>(n.args.size());
    // A regular read's index arithmetic is address computation, not work.
    return !(n.kind == ir::ExprKind::Call && accessOf(n) != Access::Irregular);
  });
  return cost;
}

/// The constant offset of a stencil or affine argument (var + k, k + var, var - k, a * var + k); 0
/// for a plain var or a * var.
int64_t offsetOf(const ir::ExprPtr& a) {
  // (var + k) / d reaches k / d rows away, rounded away from the variable.
  if (a->kind == ir::ExprKind::Binary && a->binaryOp == ir::BinaryOp::Div && a->args[1]->kind == ir::ExprKind::Const &&
      a->args[1]->intValue >= 1) {
    int64_t k = offsetOf(a->args[0]), d = a->args[1]->intValue;
    return k >= 0 ? (k + d - 1) / d : -((-k + d - 1) / d);
  }
  if (a->kind != ir::ExprKind::Binary || (a->binaryOp != ir::BinaryOp::Add && a->binaryOp != ir::BinaryOp::Sub)) return 0;
  const ir::ExprPtr& l = a->args[0];
  const ir::ExprPtr& r = a->args[1];
  if (r->kind == ir::ExprKind::Const) return a->binaryOp == ir::BinaryOp::Sub ? -r->intValue : r->intValue;
  return l->kind == ir::ExprKind::Const ? l->intValue : 0;
}

/// How one consumer reads one producer.
struct Read {
  Access access = Access::Pointwise;
  std::set<std::vector<int64_t>> offsets;  ///< distinct stencil offsets (pointwise: one, all zero)
  size_t gathers = 0;                      ///< call sites at computed positions
  int64_t rowsUp = 0, rowsDown = 0;        ///< the farthest rows read above and below (dimension 1)
  int64_t rowScale = 1;                    ///< producer rows per consumer row (2 for a read at 2 * y + k)
  size_t taps() const { return offsets.size() + gathers; }
};

struct StageInfo {
  std::vector<size_t> consumers;           ///< distinct consumer stages, in order of first read
  std::map<size_t, Read> reads;            ///< per consumer
  Access access = Access::Pointwise;       ///< the worst way any consumer reads it
  bool readInUpdate = false;               ///< read by an update (order matters: keep it materialized)
};

/// Records one read of a producer by `consumer`.
void note(const ir::Expr& e, size_t consumer, size_t consumerDims, bool inUpdate, std::vector<StageInfo>& info) {
  StageInfo& p = info[e.index];
  if (std::find(p.consumers.begin(), p.consumers.end(), consumer) == p.consumers.end()) p.consumers.push_back(consumer);
  Read& read = p.reads[consumer];
  Access a = accessOf(e, consumerDims);
  read.access = combine(read.access, a);
  p.access = combine(p.access, a);
  p.readInUpdate = p.readInUpdate || inUpdate;
  if (a == Access::Irregular) {
    ++read.gathers;
  } else {
    std::vector<int64_t> offsets;
    for (const ir::ExprPtr& arg : e.args) offsets.push_back(offsetOf(arg));
    if (offsets.size() >= 2) {
      read.rowsUp = std::max(read.rowsUp, -offsets[1]);
      read.rowsDown = std::max(read.rowsDown, offsets[1]);
      read.rowScale = std::max(read.rowScale, scaleAt(e.args[1], 1));
    }
    read.offsets.insert(std::move(offsets));
  }
}

void collect(const ir::ExprPtr& root, size_t consumer, size_t consumerDims, bool inUpdate, std::vector<StageInfo>& info) {
  ir::visit(root, [&](const ir::Expr& n) {
    if (n.kind == ir::ExprKind::Call && static_cast<size_t>(n.index) != consumer) note(n, consumer, consumerDims, inUpdate, info);
    return true;
  });
}

/// A stage whose definitions read other stages: a computed one, or a boundary condition over a
/// computed stage (one over an input is a clamp of the input's reads, folded into its readers).
bool readsStages(const ir::Stage& st) { return st.kind == ir::StageKind::Computed || (st.kind == ir::StageKind::Boundary && st.input < 0); }

std::vector<StageInfo> analyze(const ir::Pipeline& p) {
  std::vector<StageInfo> info(p.stages.size());
  for (size_t s = 0; s < p.stages.size(); ++s) {
    const ir::Stage& st = p.stages[s];
    if (!readsStages(st)) continue;
    collect(st.pure.value, s, st.dims.size(), false, info);
    for (const ir::Definition& u : st.updates) {
      collect(u.value, s, st.dims.size(), true, info);
      for (const ir::ExprPtr& a : u.lhs) collect(a, s, st.dims.size(), true, info);
    }
  }
  return info;
}

int lanes(int bits, int vectorBytes) {
  int bytes = std::max(1, bits / 8);
  return std::max(1, std::min(32, vectorBytes / bytes));
}

std::string kib(double bytes) { return fmt::format("{:.0f} KiB", bytes / 1024.0); }

}  // namespace

ReadGraph readGraph(const ir::Pipeline& p) {
  ReadGraph g;
  for (const StageInfo& in : analyze(p)) {
    g.consumers.push_back(in.consumers);
    g.readInUpdate.push_back(in.readInUpdate);
  }
  g.callSites.assign(p.stages.size(), {});
  for (size_t s = 0; s < p.stages.size(); ++s) {
    const ir::Stage& st = p.stages[s];
    if (!readsStages(st)) continue;
    auto count = [&](const ir::ExprPtr& root) {
      ir::visit(root, [&](const ir::Expr& n) {
        if (n.kind == ir::ExprKind::Call && static_cast<size_t>(n.index) != s) ++g.callSites[n.index][s];
        return true;
      });
    };
    count(st.pure.value);
    for (const ir::Definition& u : st.updates) {
      count(u.value);
      for (const ir::ExprPtr& a : u.lhs) count(a);
    }
  }
  // Stages are not in this order in the IR (a function's stages, or a stage defined after a stage
  // that reads it in an update), so the order follows the reads.
  std::vector<int> state(p.stages.size(), 0);  // 0 new, 1 in progress, 2 done
  std::function<void(size_t)> visit = [&](size_t k) {
    if (state[k] != 0) return;
    state[k] = 1;
    for (size_t c : g.consumers[k]) visit(c);
    state[k] = 2;
    g.consumersFirst.push_back(k);
  };
  for (size_t k = p.stages.size(); k-- > 0;) visit(k);
  return g;
}

Access accessOf(const ir::Expr& call, size_t consumerDims) {
  Access a = Access::Pointwise;
  for (size_t i = 0; i < call.args.size(); ++i) {
    if (isVarAt(call.args[i], i)) continue;
    if (i >= consumerDims && i > 0 && call.args[i]->kind == ir::ExprKind::Const) continue;  // a slice
    int64_t scale = scaleAt(call.args[i], i);
    if (scale == 0) return Access::Irregular;
    a = combine(a, scale == 1 ? Access::Stencil : Access::Affine);
  }
  return a;
}

const char* toString(Access a) {
  switch (a) {
    case Access::Pointwise: return "pointwise";
    case Access::Stencil: return "stencil";
    case Access::Affine: return "affine";
    case Access::Irregular: return "gather";
  }
  return "gather";
}

Schedule planHeuristicSchedule(const ir::Pipeline& p, const PlanContext& context) {
  const CostModel& model = context.model;
  std::vector<StageInfo> info = analyze(p);
  std::vector<bool> isOutput(p.stages.size(), false);
  for (const ir::Output& o : p.outputs) {
    if (o.stage >= 0) isOutput[o.stage] = true;
  }
  // Bytes one point of a stage's domain holds, over its non-row dimensions at the estimates
  // (x at the estimated width, the third dimension as color channels, further ones 1).
  auto rowBytes = [&](size_t k) {
    const ir::Stage& s = p.stages[k];
    double bytes = std::max(1, bitsOf(s.type) / 8);
    if (!s.dims.empty()) bytes *= model.width;
    if (s.dims.size() >= 3) bytes *= model.channels;
    return bytes;
  };

  // Decide placements from the outputs backward: a producer's consumers are decided first.
  std::vector<Placement> placement(p.stages.size(), Placement::Root);
  std::vector<std::string> reason(p.stages.size());
  std::vector<size_t> stripOwner(p.stages.size(), SIZE_MAX);  // the Root stage whose loops compute it
  // For a stage computed in another's loops (inlined or per strip): how many times each point is
  // evaluated per point of its owner (inlined into stencils multiplies), and the rows above and
  // below an owner's strip it must cover.
  std::vector<double> evaluations(p.stages.size(), 1.0);
  // How many stages are inlined one into the next from a stage up to the stage it is stored in.
  std::vector<int> inlineRun(p.stages.size(), 0);
  std::vector<int64_t> haloUp(p.stages.size(), 0), haloDown(p.stages.size(), 0);
  // For a stage computed in another's loops: its rows per row of the owner (reads at 2 * y + k).
  std::vector<int64_t> rowScale(p.stages.size(), 1);
  auto ownersOf = [&](const std::vector<size_t>& consumers) {
    std::vector<size_t> owners;
    for (size_t c : consumers) {
      size_t owner = placement[c] == Placement::Root ? c : stripOwner[c];
      if (std::find(owners.begin(), owners.end(), owner) == owners.end()) owners.push_back(owner);
    }
    return owners;
  };
  auto measureReads = [&](size_t k) {
    double n = 0;
    for (size_t c : info[k].consumers) {
      const Read& r = info[k].reads.at(c);
      bool nested = placement[c] != Placement::Root;
      n += static_cast<double>(r.taps()) * (placement[c] == Placement::Inline ? evaluations[c] : 1.0);
      // A consumer's halo rows are r.rowScale rows each of this stage.
      haloUp[k] = std::max(haloUp[k], r.rowsUp + (nested ? r.rowScale * haloUp[c] : 0));
      haloDown[k] = std::max(haloDown[k], r.rowsDown + (nested ? r.rowScale * haloDown[c] : 0));
      rowScale[k] = std::max(rowScale[k], r.rowScale * (nested ? rowScale[c] : 1));
    }
    evaluations[k] = std::max(1.0, n);
  };
  auto inlineHere = [&](size_t k, std::string why) {
    placement[k] = Placement::Inline;
    for (size_t c : info[k].consumers) inlineRun[k] = std::max(inlineRun[k], placement[c] == Placement::Inline ? inlineRun[c] + 1 : 1);
    reason[k] = std::move(why);
    std::vector<size_t> owners = ownersOf(info[k].consumers);
    if (owners.size() == 1) stripOwner[k] = owners[0];
  };
  const ReadGraph graph = readGraph(p);
  std::vector<size_t> copies(p.stages.size(), 1);
  for (size_t k : graph.consumersFirst) {
    const ir::Stage& s = p.stages[k];
    const StageInfo& in = info[k];
    if (s.kind == ir::StageKind::Input) continue;
    measureReads(k);
    size_t copied = 0;
    for (const auto& [c, sites] : graph.callSites[k]) copied += sites * (placement[c] == Placement::Inline ? copies[c] : 1);
    copies[k] = std::max<size_t>(copied, 1);
    if (isOutput[k]) {
      reason[k] = "output";
      continue;
    }
    if (!s.updates.empty()) {
      reason[k] = "reduction: computed in full before its consumers";
      continue;
    }
    if (s.kind == ir::StageKind::Boundary) {
      inlineHere(k, "boundary condition: a clamp folded into each read");
      continue;
    }
    if (in.readInUpdate) {
      reason[k] = "read by an update: computed in full once";
      continue;
    }
    // A 1-D table read in loops of more dimensions (per-column weights and indices of a resize,
    // a per-row offset): inlined, it is evaluated again at every point of the other dimensions;
    // stored, once per point of its own. Unless it costs no more than the load that reads it
    // back, it is computed in full once. (A 2-D stage read by a 3-D one, a luma read by each
    // channel, is left to the rules below: in full it would cost a pass over the image.)
    {
      std::vector<size_t> owners = ownersOf(in.consumers);
      bool known = !owners.empty() && std::find(owners.begin(), owners.end(), SIZE_MAX) == owners.end();
      size_t fewest = SIZE_MAX;
      for (size_t o : owners) fewest = std::min(fewest, known ? p.stages[o].dims.size() : 0);
      double cost = opCost(p, s.pure.value);
      if (known && s.dims.size() == 1 && s.dims.size() < fewest && cost > model.loadCost) {
        reason[k] = fmt::format("a table over {} of its readers' {} dimensions, {:g} ops a point: computed in full once, not at every point of the others",
                                s.dims.size(), fewest, cost);
        continue;
      }
    }
    // Inline when evaluating the expression at every read costs no more than storing it once
    // and loading it at every read.
    // A stage read at its own points is evaluated once anyway: only the extra evaluations of a
    // stencil count. A gathered stage may cover a domain unlike its consumer's (a lookup table):
    // every evaluation counts.
    double cost = opCost(p, s.pure.value);
    double recompute = cost * (in.access == Access::Irregular ? evaluations[k] : evaluations[k] - 1.0);
    double store = model.storeCost + model.loadCost * evaluations[k];
    int run = 0;
    for (size_t c : in.consumers) run = std::max(run, placement[c] == Placement::Inline ? inlineRun[c] + 1 : 1);
    bool fewCopies = copies[k] <= model.maxInlineCopies;
    if (recompute <= store && run <= model.maxInlineRun && fewCopies) {
      inlineHere(k, fmt::format("{}, read {:g}x per point, {:g} ops: recomputing ({:g}) costs no more than storing ({:g}): inlined",
                                toString(in.access), evaluations[k], cost, recompute, store));
      continue;
    }
    std::vector<size_t> owners = ownersOf(in.consumers);
    bool ownersKnown = std::find(owners.begin(), owners.end(), SIZE_MAX) == owners.end();
    bool twoDimensional = s.dims.size() >= 2 && ownersKnown && owners.size() == 1 && p.stages[owners[0]].dims.size() >= 2;
    int64_t halo = haloUp[k] + haloDown[k];
    // The halo is counted in this stage's rows. (Counted in the owner's rows instead, pyrdown3's
    // first level joins the strips too: 8-row strips recomputing 44%, 0.71 -> 1.3 ms.)
    if (in.access != Access::Irregular && twoDimensional && halo <= model.maxHaloRows) {
      placement[k] = Placement::At;
      stripOwner[k] = owners[0];
      continue;  // the reason names the strip size, chosen below
    }
    if (recompute <= store && !fewCopies) {
      reason[k] = fmt::format("inlined, its expression would be copied {} times into the stage that holds it: stored, so that compiling stays fast",
                              copies[k]);
    } else if (recompute <= store) {
      reason[k] = fmt::format("{} stages are inlined into one another above it: stored, so that compiling stays fast", run - 1);
    } else if (in.access != Access::Irregular && twoDimensional) {
      reason[k] = fmt::format("stencil {} rows tall: recomputing its halo per strip costs more than storing it: computed in full", halo);
    } else {
      reason[k] = in.consumers.size() > 1 ? "consumers in different loops: computed in full once" : "gathered at computed positions: computed in full";
    }
  }

  // Rows per strip of each stage computed in full: the tallest strip whose producers' footprint
  // (their rows plus halo, at the estimated width) fits the cache, that still leaves enough
  // strips to keep every core busy. The halo rows are recomputed by every strip.
  std::vector<int> rows(p.stages.size(), 0);
  std::vector<double> footprint(p.stages.size(), 0.0);
  for (size_t k = 0; k < p.stages.size(); ++k) {
    if (p.stages[k].kind == ir::StageKind::Input || placement[k] != Placement::Root || p.stages[k].dims.size() < 2) continue;
    auto footprintAt = [&](int r) {
      double bytes = 0;
      for (size_t m = 0; m < p.stages.size(); ++m) {
        if (placement[m] == Placement::At && stripOwner[m] == k) {
          bytes += rowBytes(m) * static_cast<double>(rowScale[m] * r + haloUp[m] + haloDown[m]);
        }
      }
      return bytes;
    };
    int chosen = model.minStripRows;
    for (int r = model.maxStripRows; r >= model.minStripRows; r /= 2) {
      if (model.height / r < model.minStrips) continue;
      if (footprintAt(r) <= model.cacheBytes) {
        chosen = r;
        break;
      }
    }
    rows[k] = chosen;
    footprint[k] = footprintAt(chosen);
  }
  for (size_t k = 0; k < p.stages.size(); ++k) {
    if (placement[k] != Placement::At) continue;
    size_t owner = stripOwner[k];
    int64_t halo = haloUp[k] + haloDown[k], own = rowScale[k] * rows[owner];
    reason[k] = fmt::format("{} read in the loops of one stage: computed per strip of {} rows ({} rows of its own, {} halo rows recomputed: "
                            "{:.0f}%; the strip's producers hold {})",
                            toString(info[k].access), rows[owner], own, halo, 100.0 * static_cast<double>(halo) / static_cast<double>(own),
                            kib(footprint[owner]));
  }

  // The widest type a stage computes with, through the stages inlined into it, the positions it
  // reads included (i32: a boundary condition clamps every lane's index): its vectors are as many
  // lanes as one native register holds of that type. Wider ones cost compile time and registers:
  // on the u8 Gaussian 32 lanes compiled in 31 s, 16 in 9-11 s, and ran no faster; the u16 blur
  // ran 0.66 -> 0.54 ms. (A lookup-table read, gamma_lut, ran 1.3 -> 1.55 ms at 16 lanes.)
  std::vector<int> widest(p.stages.size(), 0);
  std::function<int(size_t)> widestBits = [&](size_t k) {
    if (widest[k] > 0) return widest[k];
    widest[k] = std::max(8, bitsOf(p.stages[k].type));
    ir::visit(p.stages[k], [&](const ir::Expr& n) {
      widest[k] = std::max(widest[k], bitsOf(n.type));
      if (n.kind == ir::ExprKind::Call && static_cast<size_t>(n.index) != k && placement[n.index] == Placement::Inline &&
          p.stages[n.index].kind != ir::StageKind::Input) {
        widest[k] = std::max(widest[k], widestBits(static_cast<size_t>(n.index)));
      }
      return true;
    });
    return widest[k];
  };

  // What each decision means for the loops (docs/backend.md): a stage computed in full is split into
  // strips of rows, run in parallel, its channels inside x (unrolled for interleaved color), and on
  // the CPU gets versions for the dense and interleaved layouts in which x is vectorized; a strip
  // stage is computed in its owner's strip loop, vectorized over x; on a CUDA target a stage in full
  // is tiled into thread blocks and its strip stages are computed per block in shared memory.
  bool colorInput = false;
  for (const ir::Input& in : p.inputs) colorInput = colorInput || in.dims.size() == 3;
  auto varsOf = [&](size_t k) { return k < context.stageVars.size() ? context.stageVars[k] : StageVars{}; };
  // The loop a strip stage is computed in: its owner's strips (or, on the GPU, its blocks).
  auto stripLoop = [&](const StageVars& v) { return context.gpu ? v.fresh(v.pure[0] + "_b") : v.fresh(v.pure[1] + "_o"); };
  auto rootLoops = [&](StageSchedule& st, const StageVars& v, int vector, int stripRows, bool output, int dims, bool layouts) {
    Loops& m = st.pure();
    const std::vector<std::string>& a = v.pure;
    if (context.gpu) {
      if (a.size() < 2) return;
      std::string xb = v.fresh(a[0] + "_b"), yb = v.fresh(a[1] + "_b"), xt = v.fresh(a[0] + "_t"), yt = v.fresh(a[1] + "_t");
      m.steps.push_back({LoopStep::Kind::Split, a[0], xb, xt, model.gpuTile, Tail::Guard});
      m.steps.push_back({LoopStep::Kind::Split, a[1], yb, yt, model.gpuTile, Tail::Guard});
      m.order = {xt, yt, xb, yb};
      m.gpuBlocks = {xb, yb};
      m.gpuThreads = {xt, yt};
      return;
    }
    if (a.size() < 2) return;
    std::string yInner = a[1], yOuter = a[1];
    if (stripRows > 1) {
      yOuter = v.fresh(a[1] + "_o");
      yInner = v.fresh(a[1] + "_i");
      m.steps.push_back({LoopStep::Kind::Split, a[1], yOuter, yInner, stripRows, Tail::Guard});
    }
    m.parallel = {yOuter};
    // An output's channels go inside x, unrolled for interleaved color: dense loads and stores
    // (measured 1.1-1.6x on halve, unsharp, blur3 at 1920x1080).
    bool channelsInside = output && dims == 3 && a.size() == 3;
    if (channelsInside) m.order = stripRows > 1 ? std::vector<std::string>{a[2], a[0], yInner, yOuter} : std::vector<std::string>{a[2], a[0], a[1]};
    auto vectorizeX = [&](Loops& l) {
      if (vector <= 1) return;
      std::string xv = v.fresh(a[0] + "_v");
      l.steps.push_back({LoopStep::Kind::Split, a[0], a[0], xv, vector, Tail::Guard});
      l.vectorized.push_back(xv);
    };
    // A stage with layout versions is vectorized in those versions only: the general version, for
    // layouts no one should meet, stays scalar and quick to compile.
    if (!layouts) {
      vectorizeX(m);
      return;
    }
    if (colorInput || (output && dims == 3)) {
      LayoutVersion interleaved{"interleaved", {}};
      vectorizeX(interleaved.loops);
      if (channelsInside && model.channels > 1) {
        std::string cu = v.fresh(a[2] + "_u");
        interleaved.loops.steps.push_back({LoopStep::Kind::Split, a[2], a[2], cu, model.channels, Tail::Guard});
        interleaved.loops.unrolled.push_back(cu);
      }
      st.layouts.push_back(std::move(interleaved));
    }
    LayoutVersion dense{"dense", {}};
    vectorizeX(dense.loops);
    st.layouts.push_back(std::move(dense));
  };

  Schedule out;
  out.strategy = "heuristic";
  out.target = context.target;
  for (size_t k = 0; k < p.stages.size(); ++k) {
    const ir::Stage& s = p.stages[k];
    if (s.kind == ir::StageKind::Input) continue;
    StageSchedule st;
    StageVars vars = varsOf(k);
    st.stage = context.stageNames[k];
    st.placement = placement[k];
    st.reason = reason[k];
    bool image = s.dims.size() >= 2 && vars.pure.size() >= 2;
    int vector = placement[k] != Placement::Inline && image ? lanes(widestBits(k), context.vectorBytes) : 0;
    if (placement[k] == Placement::At) {
      size_t owner = stripOwner[k];
      StageVars ov = varsOf(owner);
      bool ownerSplit = context.gpu ? p.stages[owner].dims.size() >= 2 : rows[owner] > 1;
      if (ownerSplit && ov.pure.size() >= 2) {
        st.computeAt = {context.stageNames[owner], stripLoop(ov)};
      } else {
        st.placement = Placement::Root;  // the owner has no strips: in full rather than per pixel
      }
      if (context.gpu) {
        if (!vars.pure.empty()) st.pure().gpuThreads = vars.pure.size() >= 2 ? std::vector<std::string>{vars.pure[0], vars.pure[1]} : std::vector<std::string>{vars.pure[0]};
        if (st.placement == Placement::At) st.memory = "gpu_shared";
      } else if (vector > 1) {
        std::string xv = vars.fresh(vars.pure[0] + "_v");
        st.pure().steps.push_back({LoopStep::Kind::Split, vars.pure[0], vars.pure[0], xv, vector, Tail::Guard});
        st.pure().vectorized.push_back(xv);
      }
    }
    if (placement[k] == Placement::Root && image) {
      bool layouts = !context.gpu && (isOutput[k] || !p.inputs.empty());
      rootLoops(st, vars, vector, rows[k], isOutput[k], static_cast<int>(s.dims.size()), layouts);
    }
    // A reduction over a 2-D (or larger) domain is split into per-row-band partial results that
    // run in parallel (if its update is associative; otherwise it stays serial).
    if (placement[k] == Placement::Root && !context.gpu) {
      for (size_t u = 0; u < s.updates.size() && u < vars.rvars.size(); ++u) {
        const std::vector<std::string>& rv = vars.rvars[u];
        const std::vector<ir::ExprPtr>& lhs = s.updates[u].lhs;
        // A window too large to unroll (fold_windows) at the stage's own point (a bilateral
        // filter's sums): each vector of pixels runs the whole window, rows in parallel.
        bool ownPoint = !rv.empty() && lhs.size() == vars.pure.size() && vars.pure.size() >= 2 && vector > 1;
        for (size_t d = 0; ownPoint && d < lhs.size(); ++d) {
          ownPoint = lhs[d]->kind == ir::ExprKind::Var && lhs[d]->index == static_cast<int>(d);
        }
        if (ownPoint) {
          while (st.definitions.size() < u + 2) st.definitions.emplace_back();
          Loops& l = st.definitions[u + 1];
          std::string xv = vars.fresh(vars.pure[0] + "_w");
          l.steps.push_back({LoopStep::Kind::Split, vars.pure[0], vars.pure[0], xv, vector, Tail::Guard});
          l.order.push_back(xv);
          // A third dimension of at most 4 points (a sum per channel and one of the weights)
          // runs inside the window, unrolled: the window point's weight is computed once.
          if (vars.pure.size() >= 3 && s.extents.size() >= 3 && s.extents[2] && s.extents[2]->kind == ir::ExprKind::Const &&
              s.extents[2]->intValue >= 2 && s.extents[2]->intValue <= 4) {
            std::string cu = vars.fresh(vars.pure[2] + "_u");
            l.steps.push_back({LoopStep::Kind::Split, vars.pure[2], vars.pure[2], cu, static_cast<int>(s.extents[2]->intValue), Tail::Guard});
            l.order.push_back(cu);
            l.unrolled = {cu};
          }
          l.order.insert(l.order.end(), rv.begin(), rv.end());
          l.order.push_back(vars.pure[0]);
          l.vectorized = {xv};
          // Strips of rows named as the pure definition's, so that producers placed at the
          // stage's strips are computed in the update's strip too.
          if (rows[k] > 1) {
            std::string yo = stripLoop(vars), yi = vars.fresh(vars.pure[1] + "_i");
            l.steps.push_back({LoopStep::Kind::Split, vars.pure[1], yo, yi, rows[k], Tail::Guard});
            l.parallel = {yo};
          } else {
            l.parallel = {vars.pure[1]};
          }
          continue;
        }
        // An update that keeps its second variable (a scatter into a slice per row, as a
        // bilateral grid's splat: `grid(x, y, bin(...), c) += ...`) runs its rows in parallel
        // as they are: every row writes its own slice. Further variables (the grid's `c`) go
        // inside the domain, next to the values they share.
        if (vars.pure.size() >= 2 && lhs.size() >= 2 && lhs[1]->kind == ir::ExprKind::Var && !rv.empty()) {
          while (st.definitions.size() < u + 2) st.definitions.emplace_back();
          Loops& l = st.definitions[u + 1];
          for (size_t d = 2; d < lhs.size() && d < vars.pure.size(); ++d) {
            if (lhs[d]->kind == ir::ExprKind::Var) l.order.push_back(vars.pure[d]);
          }
          l.order.insert(l.order.end(), rv.begin(), rv.end());
          if (lhs[0]->kind == ir::ExprKind::Var) l.order.push_back(vars.pure[0]);
          l.order.push_back(vars.pure[1]);
          l.parallel = {vars.pure[1]};
          continue;
        }
        if (rv.size() < 2) continue;
        while (st.definitions.size() < u + 2) st.definitions.emplace_back();
        st.definitions[u + 1].rfactor = RFactor{rv.back(), vars.fresh(fmt::format("band{}", u)), true};
      }
    }
    out.stages.push_back(std::move(st));
  }
  // Outputs that copy an input or a stage returned twice have Funcs of their own.
  for (size_t o = 0; o < p.outputs.size(); ++o) {
    if (out.find(context.outputNames[o])) continue;
    const ir::Stage& s = p.stages[p.outputs[o].stage];
    StageSchedule st;
    st.stage = context.outputNames[o];
    st.reason = "output (a copy)";
    StageVars vars = o < context.outputVars.size() ? context.outputVars[o] : StageVars{};
    if (s.dims.size() >= 2 && vars.pure.size() >= 2) {
      int rowsPer = model.maxStripRows;
      while (rowsPer > model.minStripRows && model.height / rowsPer < model.minStrips) rowsPer /= 2;
      rootLoops(st, vars, lanes(bitsOf(s.type), context.vectorBytes), rowsPer, true, static_cast<int>(s.dims.size()), !context.gpu);
    }
    out.stages.push_back(std::move(st));
  }
  return out;
}

namespace {

StageSchedule referenceStage(const std::string& name, const char* why) {
  StageSchedule st;
  st.stage = name;
  st.placement = Placement::Root;
  st.reason = why;
  return st;
}

}  // namespace

Schedule planReferenceSchedule(const ir::Pipeline& p, const PlanContext& context) {
  Schedule out;
  out.strategy = "none";
  out.target = context.target;
  for (size_t k = 0; k < p.stages.size(); ++k) {
    if (p.stages[k].kind == ir::StageKind::Input) continue;
    out.stages.push_back(referenceStage(context.stageNames[k], "reference: everything in full"));
  }
  for (size_t o = 0; o < p.outputs.size(); ++o) {
    if (!out.find(context.outputNames[o])) {
      out.stages.push_back(referenceStage(context.outputNames[o], "reference: output copy"));
    }
  }
  return out;
}

}  // namespace fovea
