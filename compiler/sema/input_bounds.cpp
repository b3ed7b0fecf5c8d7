#include "sema/input_bounds.h"

#include <functional>

#include <fmt/format.h>

namespace fovea {
namespace {

bool contains(const ir::ExprPtr& e, ir::ExprKind kind) {
  return ir::any(e, [kind](const ir::Expr& n) { return n.kind == kind; });
}

/// An index that can land outside the consumer's own domain: a variable plus something, or a
/// position computed from another stage's values.
bool shiftsIndex(const ir::ExprPtr& arg) {
  if (contains(arg, ir::ExprKind::Call)) return true;
  bool bare = arg->kind == ir::ExprKind::Var || arg->kind == ir::ExprKind::RVar;
  return !bare && (contains(arg, ir::ExprKind::Var) || contains(arg, ir::ExprKind::RVar));
}

struct Shift {
  const ir::Expr* call = nullptr;  ///< the read that evaluates the stage outside the outputs' domain
  size_t consumer = 0;             ///< the stage making that read
  bool direct = false;             ///< the read itself is at an offset (else the consumer is shifted)
};

struct CallSite {
  const ir::Expr* call;
  const ir::Definition* def;
};

void collectCalls(const ir::ExprPtr& e, const ir::Definition& def, std::vector<CallSite>& out) {
  ir::visit(e, [&](const ir::Expr& n) {
    if (n.kind == ir::ExprKind::Call) out.push_back({&n, &def});
    return true;
  });
}

}  // namespace

void checkInputBounds(const ir::Pipeline& p, DiagnosticEngine& diags) {
  // Calls made by each computed stage, in all its definitions (left-hand sides included).
  std::vector<std::vector<CallSite>> calls(p.stages.size());
  for (size_t s = 0; s < p.stages.size(); ++s) {
    const ir::Stage& stage = p.stages[s];
    if (stage.kind != ir::StageKind::Computed) continue;
    collectCalls(stage.pure.value, stage.pure, calls[s]);
    for (const ir::Definition& u : stage.updates) {
      collectCalls(u.value, u, calls[s]);
      for (const ir::ExprPtr& a : u.lhs) collectCalls(a, u, calls[s]);
    }
  }
  // A stage is "shifted" when it is evaluated outside the domain of the outputs: some consumer
  // reads it at an offset, or a shifted consumer reads it at all. Iterate to a fixed point.
  // `shiftedBy` remembers why: the call that shifted it and the consumer that made it.
  std::vector<Shift> shiftedBy(p.stages.size());
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t s = 0; s < p.stages.size(); ++s) {
      for (const CallSite& site : calls[s]) {
        size_t callee = static_cast<size_t>(site.call->index);
        if (shiftedBy[callee].call || callee == s) continue;
        bool direct = false, inherited = false;
        for (const ir::ExprPtr& a : site.call->args) {
          direct = direct || shiftsIndex(a);
          inherited = inherited || (shiftedBy[s].call && contains(a, ir::ExprKind::Var));
        }
        if (direct || inherited) {
          shiftedBy[callee] = Shift{site.call, s, direct};
          changed = true;
        }
      }
    }
  }
  for (size_t s = 0; s < p.stages.size(); ++s) {
    std::vector<bool> reported(p.stages.size(), false);  // one error per (stage, input) pair
    for (const CallSite& site : calls[s]) {
      const ir::Stage& callee = p.stages[site.call->index];
      if (callee.kind != ir::StageKind::Input || reported[site.call->index]) continue;
      bool offset = false;
      for (const ir::ExprPtr& a : site.call->args) offset = offset || shiftsIndex(a);
      bool viaConsumer = !offset && shiftedBy[s].call != nullptr;
      if (viaConsumer) {
        bool usesVar = false;
        for (const ir::ExprPtr& a : site.call->args) usesVar = usesVar || contains(a, ir::ExprKind::Var);
        viaConsumer = usesVar;
      }
      if (!offset && !viaConsumer) continue;
      reported[site.call->index] = true;
      const std::string& input = callee.name;
      Diagnostic& d = diags.error(site.call->loc,
                                  offset ? fmt::format("'{}' is read at an offset without a boundary condition, so the edges of every "
                                                       "image would read outside it",
                                                       input)
                                         : fmt::format("'{}' is read without a boundary condition by '{}', which is itself read at an "
                                                       "offset, so the edges of every image would read outside it",
                                                       input, p.stages[s].name));
      // Explain the chain from this stage to the read that is really at an offset.
      for (size_t cur = s, steps = 0; viaConsumer && shiftedBy[cur].call && steps < p.stages.size(); ++steps) {
        const Shift& why = shiftedBy[cur];
        if (why.direct) {
          d.note(why.call->loc, fmt::format("'{}' is read at an offset here", p.stages[cur].name));
          break;
        }
        d.note(why.call->loc, fmt::format("'{}' is read here by '{}', which is itself evaluated at offsets", p.stages[cur].name,
                                          p.stages[why.consumer].name));
        cur = why.consumer;
      }
      SourceLoc ref = site.call->refLoc;
      if (ref.valid()) {
        if (ref.line != site.call->loc.line || ref.file != site.call->loc.file) d.note(ref, fmt::format("'{}' is passed here", input));
        d.fixit(ref, fmt::format("boundary({}, reflect101)", input));
      }
    }
  }
}

}  // namespace fovea
