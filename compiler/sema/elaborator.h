#pragma once
// Internal to sema: the state of checking one program (Elaborator) and of one of its pipelines
// (PipelineState). Expressions are elaborated in
// elaborate_expr.cpp, statements, stages, functions and pipelines in elaborate_stage.cpp.

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "frontend/ast.h"
#include "sema/expr_builder.h"
#include "sema/ir.h"
#include "support/diagnostics.h"

namespace fovea::sema_detail {

/// What a name or expression denotes.
struct Value {
  enum class Kind { Error, Scalar, Stage, Domain, Function, Builtin, Model, Option, Type };
  Kind kind = Kind::Error;
  ir::ExprPtr expr;        ///< Scalar
  int stage = -1;          ///< Stage
  SourceLoc refLoc;        ///< Stage: where the pipeline named it (fix-its point there)
  const ir::Domain* domain = nullptr;
  const ast::Decl* fn = nullptr;  ///< Function, Model: the declaration
  /// Option: the name chosen (`bilinear`, or a boundary condition for a border parameter: `edge`,
  /// `constant` with its value in `expr`) and the names the parameter accepts; `border` for a
  /// parameter declared `: border`. A bare name compared with an option has an empty `options`.
  std::string option;
  std::vector<std::string> options;
  bool border = false;
  ScalarType type = ScalarType::I32;  ///< Type: a type used as a value (`u8`, `type_of(in)`)

  static Value error() { return {}; }
  static Value scalar(ir::ExprPtr e) {
    Value v;
    if (!e) return v;
    v.kind = Kind::Scalar;
    v.expr = std::move(e);
    return v;
  }
  static Value stageRef(int index, SourceLoc ref) {
    Value v;
    v.kind = Kind::Stage;
    v.stage = index;
    v.refLoc = ref;
    return v;
  }
  bool ok() const { return kind != Kind::Error; }
};

enum class ResolveState { InProgress, Updating, Done };

/// The names of one block: a pipeline body or one instantiation of a function.
struct Scope {
  std::string prefix;    ///< prepended to stage names ("box3.")
  std::string fnName;    ///< empty for a pipeline
  SourceLoc callSite;    ///< where the function was called
  std::map<std::string, Value> bound;  ///< pipeline parameters or function arguments
  std::map<std::string, std::vector<const ast::Stmt*>> defines;
  std::map<std::string, const ast::Stmt*> bindings;  ///< Bind and Let
  std::map<std::string, Value> resolved;
  std::map<std::string, ResolveState> state;
  std::set<std::string> broken;
  std::set<std::string> used;
  std::set<std::string> optionNames;  ///< a function's: the names its option parameters accept
  std::vector<std::string> order;  ///< defined names in source order
  const ast::Stmt* ret = nullptr;
};

/// The definition being elaborated: its pure variables, its reduction domain, and what `...`
/// stands for.
struct DefContext {
  int id = -1;  ///< unique per definition: its variables carry it as their owner
  std::map<std::string, int> pureVars;
  size_t explicitDims = 0;
  bool lhsEllipsis = false;
  std::optional<size_t> ellipsisExtra;
  std::vector<std::string> implicitNames;
  const ir::Domain* domain = nullptr;
  std::string self;         ///< the stage being updated (may read itself)
  int selfStage = -1;       ///< its index
  Scope* selfScope = nullptr;
};

/// Where an expression is evaluated.
struct Env {
  Scope* scope = nullptr;    ///< null in constant expressions
  DefContext* def = nullptr;
};

struct GlobalSymbol {
  const ast::Decl* decl = nullptr;
  size_t module = 0;  ///< index of the module that declares it (0: the main file)
};

/// What checking one pipeline accumulates. Elaborator::elaboratePipeline makes a fresh one for
/// each pipeline; what outlives a pipeline (globals, constants, function instantiations reported)
/// stays in the Elaborator.
struct PipelineState {
  ir::Pipeline* pipeline = nullptr;
  std::map<std::string, Value> instances;  ///< function calls already made
  size_t instanceCount = 0;
  bool stageLimitReported = false;
  std::map<std::string, SourceLoc> stageDefLocs;
  std::set<std::string> stageNames;
  std::map<std::string, int> nextSuffix;  ///< per stage-name base: the next _k to try
  std::map<const ast::Decl*, int> modelIndices;  ///< -1 when the file could not be read
  std::map<int, std::pair<std::vector<int64_t>, std::string>> modelInputShapes;  ///< stage -> the shape a model reads it at, and which model
  std::vector<int> updatingStages;  ///< stages whose updates are being elaborated
  bool headerOk = true;  ///< the parameters checked without error (else missing sizes are not reported)
};

class Elaborator {
 public:
  explicit Elaborator(DiagnosticEngine& diags);

  void addGlobals(const std::vector<ast::Module>& modules);
  ir::Pipeline elaboratePipeline(const ast::Decl& decl);
  const std::set<const ast::Decl*>& instantiatedFunctions() const { return instantiated_; }
  const std::map<std::string, GlobalSymbol>& globals() const { return globals_; }
  /// Uses of a global that already has a reported error yield no further diagnostics.
  void markBroken(const std::string& name) { brokenGlobals_.insert(name); }
  /// After a failed import, a name that is not found may well be one of its: say nothing of it.
  void allowUnknownNames() { allowUnknownNames_ = true; }
  /// Evaluates every constant of every module, so that errors in unused ones are reported too.
  void checkConstants();

  // --- expressions (elaborate_expr.cpp)
  Value eval(const ast::Expr& e, Env& env);
  /// eval() that must produce a scalar; reports what it found otherwise.
  ir::ExprPtr evalScalar(const ast::Expr& e, Env& env);
  /// A stage index expression: any integer becomes i32.
  ir::ExprPtr evalIndex(const ast::Expr& e, Env& env);

 private:
  friend class StageElaborator;
  Value evalName(const ast::Expr& e, Env& env);
  Value evalCall(const ast::Expr& e, Env& env);
  Value evalMember(const ast::Expr& e, Env& env);
  Value evalBuiltinCall(const std::string& name, const ast::Expr& e, Env& env);
  Value evalBoundary(const ast::Expr& e, Env& env);
  /// Builtins that work on compile-time values (options_types.cpp): choose, type_of, sat, is_float, is_stage, dims_of,
  /// and `==` / `!=` between options or types. std::nullopt when `e` is none of these.
  std::optional<Value> evalCompileTimeCall(const std::string& name, const ast::Expr& e, Env& env);
  std::optional<Value> evalCompileTimeComparison(const ast::Expr& e, Env& env);
  /// A name or expression that may denote a type (`u8`, `type_of(s)`) or a bare option name.
  Value evalSymbolic(const ast::Expr& e, Env& env);
  /// The argument of a function's option parameter `param` (or its default when `arg` is null).
  Value evalOptionArgument(const ast::Decl& fn, size_t param, const ast::Expr* arg, Env& env);
  /// A boundary condition written as an argument: a name, constant(v), or a border option value.
  std::optional<Value> evalBorder(const ast::Expr& cond, Env& env, ScalarType valueType, bool report);
  /// The value of a scalar that eval() produced, or a report of what it is instead.
  ir::ExprPtr asScalar(const Value& v, const ast::Expr& e);
  /// A call of a model on whole stages: a new stage of kind Model (model_call.cpp).
  Value evalModelCall(const ast::Decl& model, const ast::Expr& e, Env& env);
  /// The pipeline's entry for a model declaration, reading the model file once; -1 on errors.
  int modelIndex(const ast::Decl& model);
  Value stageAccess(const Value& stage, const ast::Expr& call, Env& env);
  ir::ExprPtr extentOf(const Value& stage, int dim, const std::string& what, SourceLoc loc);
  ir::ExprPtr toIndex(const ir::ExprPtr& e, SourceLoc loc);
  bool isLocallyDefined(const std::string& name, const Env& env) const;
  std::vector<std::string> visibleNames(const Env& env) const;
  Diagnostic& undefinedName(const std::string& name, SourceLoc loc, const Env& env);
  std::string describe(const Value& v) const;
  Value evalConst(const std::string& name, SourceLoc useLoc);

  // --- stages, functions, pipelines (elaborate_stage.cpp)
  Value resolveLocal(Scope& scope, const std::string& name, SourceLoc useLoc, Env& env);
  Value elaborateStage(Scope& scope, const std::string& name);
  void elaborateUpdate(Scope& scope, int stage, const ast::Stmt& s);
  Value elaborateBinding(Scope& scope, const ast::Stmt& s);
  ir::ExprPtr evalScalarValue(const Value& v, const ast::Expr& e);
  bool collectBlock(Scope& scope, const ast::Block& block, const std::string& owner, SourceLoc ownerLoc);
  void finishScope(Scope& scope, bool warnUnused, bool checkUnreached = true);
  Value instantiate(const ast::Decl& fn, const ast::Expr& call, Env& env);
  /// Fills the unknown extents of `stage` from the stages `value` reads at its variables.
  void inferExtents(ir::Stage& stage, const ir::ExprPtr& value);
  std::optional<ir::Domain> elaborateDomain(const ast::OverClause& over, Env& env);
  void reportCycle(Scope& scope, const std::string& name, SourceLoc useLoc);
  std::string uniqueStageName(const std::string& base);
  /// What identifies a call's result: the function and its stage, constant and parameter
  /// arguments; nothing when an argument is any other expression.
  std::optional<std::string> instanceKey(const ast::Decl& fn, const std::vector<Value>& args) const;
  /// Reports variables of another definition (passed in through a function's scalar argument).
  bool checkVariableOwners(const ir::ExprPtr& e, const DefContext& def, const std::string& stage);

  // --- pipeline headers and results (elaborate_pipeline.cpp)
  std::optional<ScalarType> resolveType(const std::string& name, SourceLoc loc);
  void checkDimNames(const std::vector<std::string>& dims, const std::vector<SourceLoc>& locs);
  bool elaborateParams(const ast::Decl& decl, Scope& scope);
  ir::ExprPtr constantParamValue(const ast::ExprPtr& e, const ast::Param& param, ScalarType type, const char* what);
  std::vector<std::optional<ScalarType>> elaborateOutputs(const ast::Decl& decl, Scope& scope, bool headerOk);
  /// An output declared without `size`: the returned stage's extents, else the first input's.
  void defaultOutputSize(ir::Output& o, const ast::Output& out, const ir::Stage& s);
  void elaborateReturn(const ast::Decl& decl, Scope& scope, const std::vector<std::optional<ScalarType>>& outputTypes);

  /// An error with notes naming each function instantiation it happened in.
  Diagnostic& error(SourceLoc loc, std::string message);

  DiagnosticEngine& diags_;
  ExprBuilder build_;
  std::map<std::string, GlobalSymbol> globals_;
  std::map<std::string, ir::ExprPtr> constValues_;
  std::set<std::string> constsInProgress_;
  std::set<std::string> brokenGlobals_;
  std::set<const ast::Decl*> instantiated_;
  std::vector<Scope*> scopes_;                               ///< active scopes, innermost last
  std::vector<std::pair<Scope*, std::string>> resolving_;    ///< stages being elaborated
  std::vector<const ast::Decl*> fnStack_;
  std::vector<std::unique_ptr<ir::Domain>> domains_;
  std::vector<std::unique_ptr<Scope>> instanceScopes_;
  static constexpr size_t kMaxInstances = 20000;
  /// Halide's lowering and LLVM grow faster than linearly with a pipeline's stages (a 2000-stage
  /// chain compiles in about 30 s per target); past this many, the pipeline is refused.
  static constexpr size_t kMaxStages = 1000;
  int nextDefinitionId_ = 0;
  bool allowUnknownNames_ = false;
  /// The pipeline being checked (null while constants are evaluated): made anew for each one.
  PipelineState* pipe_ = nullptr;
  Diagnostic unreported_;
};

}  // namespace fovea::sema_detail
