#pragma once
/// The checked IR: what sema produces and lowering consumes. Every name is resolved, every
/// expression typed, functions are instantiated (their stages appear in the pipeline), and the
/// implicit conversions of the promotion rules are explicit Cast nodes.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <functional>
#include "sema/types.h"
#include "support/source.h"

namespace fovea::ir {

struct Expr;
/// Expressions are immutable and shared (a `let` is substituted at every use).
using ExprPtr = std::shared_ptr<const Expr>;

enum class ExprKind {
  Const,      ///< a constant; `literal` for integer literals that have not met a typed operand yet
  Var,        ///< a pure dimension variable of the stage being defined (`index` = dimension)
  RVar,       ///< a reduction variable (`index` = dimension of the update's domain)
  Param,      ///< a scalar pipeline parameter (`index` into Pipeline::params)
  Extent,     ///< the extent of dimension `dim` of pipeline input `index` (i32)
  Call,       ///< the value of stage `index` at `args` (i32 each)
  Cast,       ///< C-like conversion to `type` (wrap, truncate toward zero)
  SatCast,    ///< saturating conversion: round half to even, then clamp (OpenCV's saturate_cast)
  Unary,      ///< Neg or Not of args[0]
  Binary,     ///< args[0] op args[1]; both operands already have the same type
  Select,     ///< args[0] ? args[1] : args[2]
  Intrinsic,  ///< a math function of args
};

enum class UnaryOp { Neg, Not };
enum class BinaryOp { Add, Sub, Mul, Div, Mod, Min, Max, Lt, Le, Gt, Ge, Eq, Ne, And, Or };
enum class Intrinsic { Abs, Sqrt, Exp, Log, Pow, Sin, Cos, Tan, Atan2, Floor, Ceil, Round, Lerp, Clamp };

struct Expr {
  ExprKind kind;
  ScalarType type;
  SourceLoc loc;
  int64_t intValue = 0;  ///< Const (integers and bool)
  double floatValue = 0; ///< Const (floats)
  bool literal = false;  ///< an integer or float literal that has not met a typed operand yet
  int index = -1;        ///< Var, RVar, Param, Extent, Call
  int dim = -1;          ///< Extent
  int owner = -1;        ///< Var, RVar: the definition that introduced it (sema rejects a variable used in another)
  UnaryOp unaryOp = UnaryOp::Neg;
  BinaryOp binaryOp = BinaryOp::Add;
  Intrinsic intrinsic = Intrinsic::Abs;
  std::vector<ExprPtr> args;
  SourceLoc refLoc;      ///< Call: where the called stage was named in the pipeline (for fix-its)
};

/// A reduction domain: `over r in input` or `over r in [a .. b, ...]`.
struct Domain {
  std::string name;
  std::vector<std::string> dimNames;
  std::vector<ExprPtr> mins;
  std::vector<ExprPtr> extents;
  int sourceInput = -1;  ///< the pipeline input whose extent this is, or -1 for explicit ranges
  SourceLoc loc;
};

/// One definition of a stage: the pure definition or an update.
struct Definition {
  std::vector<ExprPtr> lhs;  ///< pure definition: Var(0..n-1); update: any index expressions
  ExprPtr value;             ///< the full right-hand side (an update's `f(..) + e` already expanded)
  std::optional<Domain> domain;
  SourceLoc loc;
};

enum class BoundaryKind { Edge, Reflect, Reflect101, Wrap, Constant };
const char* toString(BoundaryKind k);

enum class StageKind {
  Input,     ///< a pipeline buffer input
  Boundary,  ///< a boundary condition over an input: defined everywhere
  Computed,  ///< defined by a pure definition and optional updates
  Model,     ///< the output of a model (Pipeline::models[model]) run on whole stages (modelArgs)
};

/// A model a pipeline calls (`model m = onnx("m.onnx");`), with what its file declares.
struct ModelTensor {
  std::string name;
  ScalarType type = ScalarType::F32;
  std::vector<int64_t> shape;  ///< ONNX order, outermost first (Fovea's dims reversed); -1: unknown
};
struct Model {
  std::string name;    ///< as declared
  std::string format;  ///< "onnx"
  std::string path;    ///< the file, resolved against the declaring file's directory
  std::vector<ModelTensor> inputs, outputs;
  SourceLoc loc;
};

struct Stage {
  std::string name;  ///< unique within the pipeline; instantiated functions are "fn.stage"
  StageKind kind = StageKind::Computed;
  ScalarType type = ScalarType::I32;
  std::vector<std::string> dims;
  size_t namedDims = 0;  ///< Computed: dimensions named in the pure definition (the rest came from `...`)
  /// The extent of each dimension where it is known (null where not), from 0: an input's own, a
  /// boundary's source's, a computed stage's `size (...)` or those of the stages it reads at plain
  /// variables. Scalar expressions of extents, parameters and constants.
  std::vector<ExprPtr> extents;
  SourceLoc loc;
  int input = -1;  ///< Input: index into Pipeline::inputs; Boundary: the input it extends, -1 for a stage
                   ///< (a boundary's pure value reads its source, input or stage, at its variables)
  BoundaryKind boundary = BoundaryKind::Edge;
  ExprPtr boundaryValue;  ///< Boundary::Constant
  Definition pure;
  std::vector<Definition> updates;
  int model = -1;               ///< Model: index into Pipeline::models
  std::vector<int> modelArgs;   ///< Model: the stages given to the model, one per model input
};

struct Param {
  std::string name;
  ScalarType type;
  ExprPtr defaultValue;  ///< may be null
  ExprPtr min, max;      ///< may be null
  SourceLoc loc;
};

struct Input {
  std::string name;
  ScalarType type;
  std::vector<std::string> dims;
  int stage = -1;
  SourceLoc loc;
};

struct Output {
  std::string name;
  ScalarType type;
  std::vector<std::string> dims;
  std::vector<ExprPtr> size;  ///< one per dimension; Extent()s of the first input by default
  int stage = -1;
  SourceLoc loc;
};

/// Where a declared argument of the pipeline's C signature comes from, in declaration order.
struct Argument {
  bool isBuffer = false;
  int index = -1;  ///< into inputs or params
};

struct Pipeline {
  std::string name;
  std::string doc;
  SourceLoc loc;
  std::vector<Argument> arguments;
  std::vector<Param> params;
  std::vector<Input> inputs;
  std::vector<Output> outputs;
  std::vector<Stage> stages;
  std::vector<Model> models;
};

/// Everything sema checked: the pipelines of the main file (imported files contribute functions
/// and constants).
struct Program {
  std::vector<Pipeline> pipelines;
};

/// The one walk over IR expressions: `f` sees `e` and then, when it returns true, the expressions
/// below it (parents first). Null expressions are skipped.
void visit(const ExprPtr& e, const std::function<bool(const Expr&)>& f);
/// visit() of every expression of a definition: its value, its update indices, its domain's bounds.
void visit(const Definition& d, const std::function<bool(const Expr&)>& f);
/// visit() of every expression of a stage: its definitions, a constant boundary's value, its extents.
void visit(const Stage& s, const std::function<bool(const Expr&)>& f);
/// Whether `e` or any expression below it satisfies `pred`.
bool any(const ExprPtr& e, const std::function<bool(const Expr&)>& pred);
/// A copy of `e` in which every node (operands first) was passed through `f`, which returns the
/// node to keep (its argument, or a changed copy).
ExprPtr rewrite(const ExprPtr& e, const std::function<ExprPtr(ExprPtr)>& f);

/// How an operator is written: "+", "min", "&&".
const char* toString(BinaryOp op);

/// A readable dump of a pipeline (`fovea check --dump-ir`), also used by tests.
std::string dump(const Pipeline& p);
std::string dump(const Expr& e, const Pipeline& p);

}  // namespace fovea::ir
