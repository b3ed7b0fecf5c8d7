// The IR's one tree walk (ir.h): every pass that looks through expressions goes through here.
#include "sema/ir.h"

namespace fovea::ir {

void visit(const ExprPtr& e, const std::function<bool(const Expr&)>& f) {
  if (!e || !f(*e)) return;
  for (const ExprPtr& a : e->args) visit(a, f);
}

void visit(const Definition& d, const std::function<bool(const Expr&)>& f) {
  visit(d.value, f);
  for (const ExprPtr& a : d.lhs) visit(a, f);
  if (d.domain) {
    for (const ExprPtr& a : d.domain->mins) visit(a, f);
    for (const ExprPtr& a : d.domain->extents) visit(a, f);
  }
}

void visit(const Stage& s, const std::function<bool(const Expr&)>& f) {
  visit(s.pure, f);
  for (const Definition& u : s.updates) visit(u, f);
  visit(s.boundaryValue, f);
  for (const ExprPtr& e : s.extents) visit(e, f);
}

bool any(const ExprPtr& e, const std::function<bool(const Expr&)>& pred) {
  bool found = false;
  visit(e, [&](const Expr& n) {
    found = found || pred(n);
    return !found;
  });
  return found;
}

ExprPtr rewrite(const ExprPtr& e, const std::function<ExprPtr(ExprPtr)>& f) {
  if (!e) return e;
  std::vector<ExprPtr> args;
  bool changed = false;
  for (const ExprPtr& a : e->args) {
    args.push_back(rewrite(a, f));
    changed = changed || args.back() != a;
  }
  if (!changed) return f(e);
  auto copy = std::make_shared<Expr>(*e);
  copy->args = std::move(args);
  return f(copy);
}

}  // namespace fovea::ir
