#pragma once
/// The syntax tree of a Fovea module, as written: names are not resolved and nothing is typed yet
/// (that is sema's job). Plain structs with a Kind tag; every node carries its SourceLoc.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/source.h"

namespace fovea::ast {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

enum class ExprKind {
  IntLit,    ///< 42, 0xFF
  FloatLit,  ///< 1.5, 2e3
  BoolLit,   ///< true, false
  Name,      ///< a reference to a variable, stage, parameter, constant, ...
  Ellipsis,  ///< `...` in an argument list: the remaining dimensions
  Call,      ///< callee(args): stage access, function call, builtin or cast
  Member,    ///< base.name: input.width, r.x
  Unary,     ///< -a, +a, !a
  Binary,    ///< a op b
};

enum class UnaryOp { Neg, Plus, Not };
enum class BinaryOp { Add, Sub, Mul, Div, Mod, Lt, Le, Gt, Ge, Eq, Ne, And, Or };

/// One expression node; which fields are used depends on `kind`.
struct Expr {
  ExprKind kind;
  SourceLoc loc;
  uint64_t intValue = 0;      ///< IntLit (the literal's magnitude; a leading '-' is a Unary)
  bool intOverflow = false;   ///< IntLit too large for 64 bits
  double floatValue = 0;      ///< FloatLit
  bool boolValue = false;     ///< BoolLit
  std::string name;           ///< Name, Member (the member's name)
  SourceLoc nameLoc;          ///< Member: where the member's name is
  UnaryOp unaryOp = UnaryOp::Neg;
  BinaryOp binaryOp = BinaryOp::Add;
  ExprPtr lhs;                ///< Unary operand, Binary left, Call callee, Member base
  ExprPtr rhs;                ///< Binary right
  std::vector<ExprPtr> args;  ///< Call arguments

  explicit Expr(ExprKind k, SourceLoc l) : kind(k), loc(l) {}
};

/// `+=` etc. `Assign` is `=`.
enum class UpdateOp { Assign, Add, Sub, Mul, Div, Min, Max };

/// `over r in input` (source set) or `over r in [0 .. n, 0 .. m]` (ranges).
struct OverClause {
  std::string var;
  SourceLoc varLoc;
  std::string source;  ///< the buffer whose extent is the domain; empty when ranges are given
  SourceLoc sourceLoc;
  std::vector<std::pair<ExprPtr, ExprPtr>> ranges;  ///< [min, max) per dimension
  SourceLoc loc;
};

enum class StmtKind {
  Define,  ///< f(x, y) = e;   f(e1, e2) += e over r in ...;
  Bind,    ///< name = stage-valued expression;
  Let,     ///< let name = scalar expression;
  Return,  ///< return e;   return (a, b);
};

struct Stmt {
  StmtKind kind = StmtKind::Define;
  SourceLoc loc;
  std::string name;  ///< Define, Bind, Let: the name defined
  SourceLoc nameLoc;
  std::vector<ExprPtr> lhsArgs;  ///< Define: the index expressions (Name or Ellipsis for a pure definition)
  UpdateOp op = UpdateOp::Assign;
  SourceLoc opLoc;
  ExprPtr value;                   ///< Define, Bind, Let: right-hand side
  std::optional<OverClause> over;  ///< Define: a reduction domain
  std::vector<ExprPtr> size;       ///< Define: `size (w, h)`, the extents of the leading dimensions
  SourceLoc sizeLoc;
  std::vector<ExprPtr> values;     ///< Return: one or more values
};

struct Block {
  std::vector<Stmt> stmts;
  std::vector<std::string> brokenNames;  ///< names defined by statements that did not parse
  bool hasSyntaxErrors = false;
  SourceLoc loc;
  SourceLoc closeLoc;  ///< the closing brace
};

/// `name: u8[x, y, c]` (buffer) or `name: f32 = 1.0 in [0.0, 1.0]` (scalar).
struct Param {
  std::string name;
  SourceLoc nameLoc;
  std::string typeName;
  SourceLoc typeLoc;
  bool isBuffer = false;
  std::vector<std::string> dims;
  std::vector<SourceLoc> dimLocs;
  ExprPtr defaultValue;
  ExprPtr rangeMin, rangeMax;
  SourceLoc loc;
};

/// One pipeline output: `u8[x, y, c] size (...)`, optionally named.
struct Output {
  std::string name;  ///< empty for a single unnamed output
  SourceLoc nameLoc;
  std::string typeName;
  SourceLoc typeLoc;
  std::vector<std::string> dims;
  std::vector<SourceLoc> dimLocs;
  std::vector<ExprPtr> size;  ///< empty: the first input's extent
  SourceLoc loc;
};

enum class DeclKind { Import, Const, Fn, Pipeline, Model };

struct Decl {
  DeclKind kind;
  SourceLoc loc;
  std::string name;  ///< Const, Fn, Pipeline, Model
  SourceLoc nameLoc;
  std::string doc;   ///< `///` comment lines attached to the declaration

  // Import: either a stdlib module path (std.filters) or a quoted file path.
  std::string importPath;
  bool importIsFile = false;

  // Const
  std::string constType;
  SourceLoc constTypeLoc;
  ExprPtr value;

  // Model: `model NAME = FORMAT("PATH");` (FORMAT is onnx)
  std::string modelFormat;
  SourceLoc modelFormatLoc;
  std::string modelPath;  ///< as written (relative to the declaring file)
  SourceLoc modelPathLoc;

  // Fn: parameters, each with the options it accepts (`interp: nearest | bilinear`; the one name
  // `border` stands for the boundary conditions) and a default value, where declared.
  std::vector<std::string> fnParams;
  std::vector<SourceLoc> fnParamLocs;
  std::vector<std::vector<std::string>> fnParamOptions;  ///< empty: a stage or scalar parameter
  std::vector<SourceLoc> fnParamOptionLocs;
  std::vector<ExprPtr> fnParamDefaults;                  ///< null: the argument is required

  // Pipeline
  std::vector<Param> params;
  std::vector<Output> outputs;

  Block body;  ///< Fn, Pipeline
};

/// One parsed source file.
struct Module {
  FileId file = 0;
  std::vector<Decl> decls;
  std::vector<std::string> brokenNames;  ///< names of declarations that did not parse
  bool hasSyntaxErrors = false;
  bool hasFailedImports = false;  ///< an import could not be loaded: its names are unknown
};


}  // namespace fovea::ast
