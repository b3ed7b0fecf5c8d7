#include "sema/fn_checks.h"

#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include "sema/builtins.h"
#include "sema/types.h"
#include "support/suggest.h"

namespace fovea::sema_detail {
namespace {

/// Names a function body defines itself: parameters, stages, bindings.
std::set<std::string> localNames(const ast::Decl& fn) {
  std::set<std::string> names(fn.fnParams.begin(), fn.fnParams.end());
  for (const ast::Stmt& s : fn.body.stmts) {
    if (!s.name.empty()) names.insert(s.name);
  }
  for (const std::string& b : fn.body.brokenNames) names.insert(b);
  return names;
}

void visit(const ast::Expr& e, const std::function<void(const ast::Expr&)>& f) {
  f(e);
  if (e.lhs) visit(*e.lhs, f);
  if (e.rhs) visit(*e.rhs, f);
  for (const ast::ExprPtr& a : e.args) visit(*a, f);
}

void visitStmt(const ast::Stmt& s, const std::function<void(const ast::Expr&)>& f) {
  for (const ast::ExprPtr& a : s.lhsArgs) visit(*a, f);
  if (s.value) visit(*s.value, f);
  for (const ast::ExprPtr& v : s.values) visit(*v, f);
  for (const ast::ExprPtr& v : s.size) visit(*v, f);
  if (s.over) {
    for (const auto& [lo, hi] : s.over->ranges) {
      visit(*lo, f);
      visit(*hi, f);
    }
  }
}

}  // namespace

std::set<std::string> checkFunctionRecursion(const std::vector<ast::Module>& modules, DiagnosticEngine& diags) {
  std::map<std::string, const ast::Decl*> fns;
  for (const ast::Module& m : modules) {
    for (const ast::Decl& d : m.decls) {
      if (d.kind == ast::DeclKind::Fn) fns.emplace(d.name, &d);
    }
  }
  // Edges: function -> (callee, call site).
  std::map<std::string, std::vector<std::pair<std::string, SourceLoc>>> calls;
  for (const auto& [name, fn] : fns) {
    std::set<std::string> locals = localNames(*fn);
    for (const ast::Stmt& s : fn->body.stmts) {
      visitStmt(s, [&](const ast::Expr& e) {
        if (e.kind == ast::ExprKind::Call && e.lhs->kind == ast::ExprKind::Name && !locals.count(e.lhs->name) && fns.count(e.lhs->name)) {
          calls[name].emplace_back(e.lhs->name, e.lhs->loc);
        }
      });
    }
  }
  std::set<std::string> onCycle;
  std::map<std::string, int> color;  // 0 unvisited, 1 on stack, 2 done
  std::vector<std::pair<std::string, SourceLoc>> stack;
  std::function<void(const std::string&)> dfs = [&](const std::string& name) {
    color[name] = 1;
    for (const auto& [callee, loc] : calls[name]) {
      if (color[callee] == 1) {
        std::string path = fmt::format("'{}'", callee);
        auto start = std::find_if(stack.begin(), stack.end(), [&](const auto& p) { return p.first == callee; });
        std::vector<std::string> members;
        for (auto it = start; it != stack.end(); ++it) {
          if (it != start) path += fmt::format(" calls '{}'", it->first);
          members.push_back(it->first);
        }
        if (start == stack.end() || members.size() == 1 || (members.size() >= 1 && name == callee)) {
          path = fmt::format("'{}' calls itself", callee);
        } else {
          path += fmt::format(" calls '{}'", callee);
        }
        Diagnostic& d = diags.error(loc, fmt::format("recursive function: {}; functions are inlined and cannot recurse", path));
        d.note(fns.at(callee)->nameLoc, fmt::format("'{}' defined here", callee));
        for (const std::string& m : members) onCycle.insert(m);
        onCycle.insert(name);
        continue;
      }
      if (color[callee] == 0) {
        stack.emplace_back(callee, loc);
        dfs(callee);
        stack.pop_back();
      }
    }
    color[name] = 2;
  };
  for (const auto& [name, _] : fns) {
    if (color[name] != 0) continue;
    stack.emplace_back(name, SourceLoc{});
    dfs(name);
    stack.pop_back();
  }
  return onCycle;
}

void checkFunctionNames(const ast::Decl& fn, const std::map<std::string, const ast::Decl*>& globals, DiagnosticEngine& diags) {
  std::set<std::string> globalNames;
  for (const auto& [name, _] : globals) globalNames.insert(name);
  std::set<std::string> locals = localNames(fn);
  std::map<std::string, std::vector<std::string>> pureVars;  // stage -> its variable names
  for (const ast::Stmt& s : fn.body.stmts) {
    if (s.kind != ast::StmtKind::Define || pureVars.count(s.name)) continue;
    for (const ast::ExprPtr& a : s.lhsArgs) {
      if (a->kind == ast::ExprKind::Name) pureVars[s.name].push_back(a->name);
    }
  }
  bool hasReturn = std::any_of(fn.body.stmts.begin(), fn.body.stmts.end(), [](const ast::Stmt& s) { return s.kind == ast::StmtKind::Return; });
  if (!hasReturn && !fn.body.hasSyntaxErrors) {
    diags.error(fn.body.closeLoc.valid() ? fn.body.closeLoc : fn.nameLoc, fmt::format("'{}' has no return; end it with 'return <stage>;'", fn.name))
        .note(fn.nameLoc, fmt::format("'{}' declared here", fn.name));
  }
  // Option parameters: the names they accept, defaults after the required parameters only.
  std::set<std::string> optionNames;
  bool sawDefault = false;
  for (size_t i = 0; i < fn.fnParams.size(); ++i) {
    const std::vector<std::string>& options = i < fn.fnParamOptions.size() ? fn.fnParamOptions[i] : std::vector<std::string>{};
    const ast::Expr* def = i < fn.fnParamDefaults.size() ? fn.fnParamDefaults[i].get() : nullptr;
    bool border = options.size() == 1 && options[0] == "border";
    if (border) {
      for (const char* b : {"edge", "reflect", "reflect101", "wrap", "constant"}) optionNames.insert(b);
    } else {
      optionNames.insert(options.begin(), options.end());
    }
    std::set<std::string> seen;
    for (const std::string& o : options) {
      if (!seen.insert(o).second) diags.error(fn.fnParamOptionLocs[i], fmt::format("option '{}' of '{}' is listed twice", o, fn.fnParams[i]));
    }
    if (def) {
      sawDefault = true;
      if (!options.empty() && !border && (def->kind != ast::ExprKind::Name || !seen.count(def->name))) {
        diags.error(def->loc, fmt::format("the default of '{}' must be one of its options: {}", fn.fnParams[i], fmt::join(options, ", ")));
      }
    } else if (sawDefault) {
      diags.error(fn.fnParamLocs[i], fmt::format("parameter '{}' needs a default: it follows a parameter that has one", fn.fnParams[i]));
    }
  }
  // A bare name given to another function's option parameter is one of that parameter's names.
  std::set<const ast::Expr*> optionArgs;
  for (const ast::Stmt& s : fn.body.stmts) {
    visitStmt(s, [&](const ast::Expr& e) {
      if (e.kind != ast::ExprKind::Call || e.lhs->kind != ast::ExprKind::Name || locals.count(e.lhs->name)) return;
      auto callee = globals.find(e.lhs->name);
      if (callee == globals.end() || callee->second->kind != ast::DeclKind::Fn) return;
      const std::vector<std::vector<std::string>>& options = callee->second->fnParamOptions;
      for (size_t i = 0; i < e.args.size() && i < options.size(); ++i) {
        const ast::Expr& a = *e.args[i];
        if (a.kind == ast::ExprKind::Name && std::find(options[i].begin(), options[i].end(), a.name) != options[i].end()) optionArgs.insert(&a);
      }
    });
  }
  std::vector<std::string> candidates(locals.begin(), locals.end());
  candidates.insert(candidates.end(), optionNames.begin(), optionNames.end());
  candidates.insert(candidates.end(), globalNames.begin(), globalNames.end());
  for (const std::string& b : builtinNames()) candidates.push_back(b);
  for (const ast::Stmt& s : fn.body.stmts) {
    std::set<std::string> vars;
    if (auto it = pureVars.find(s.name); it != pureVars.end()) vars.insert(it->second.begin(), it->second.end());
    if (s.over) vars.insert(s.over->var);
    visitStmt(s, [&](const ast::Expr& e) {
      if (e.kind != ast::ExprKind::Name) return;
      const std::string& n = e.name;
      if (vars.count(n) || locals.count(n) || globalNames.count(n) || isBuiltinFunction(n) || parseBoundaryKind(n)) return;
      if (optionNames.count(n) || optionArgs.count(&e)) return;
      std::vector<std::string> all = candidates;
      all.insert(all.end(), vars.begin(), vars.end());
      if (auto best = closestMatch(n, all)) {
        diags.error(e.loc, fmt::format("undefined name '{}'; did you mean '{}'?", n, *best)).fixit(e.loc, *best);
      } else {
        diags.error(e.loc, fmt::format("undefined name '{}'", n));
      }
    });
  }
}

}  // namespace fovea::sema_detail
