#pragma once
/// Builds typed IR expressions: applies the promotion rules, inserts casts, and folds constants.
/// It knows nothing of the syntax tree; sema calls it with already-checked operands.
///
///     ExprBuilder b(report);
///     ir::ExprPtr sum = b.binary(ir::BinaryOp::Add, lhs, rhs, loc);   // null after an error

#include <functional>
#include <string>

#include "sema/ir.h"

namespace fovea {

class ExprBuilder {
 public:
  /// Called for each user error found while building (e.g. a literal that does not fit).
  using Reporter = std::function<void(SourceLoc, const std::string&)>;
  explicit ExprBuilder(Reporter report) : report_(std::move(report)) {}

  ir::ExprPtr intLiteral(int64_t value, SourceLoc loc) const;
  ir::ExprPtr floatLiteral(double value, SourceLoc loc) const;
  ir::ExprPtr boolConst(bool value, SourceLoc loc) const;
  ir::ExprPtr typedConst(ScalarType type, int64_t ivalue, double fvalue, SourceLoc loc) const;

  /// Converts `e` to `type` the way an implicit conversion does: literals must fit; anything else
  /// is a Cast node (callers decide whether the conversion is allowed).
  ir::ExprPtr convert(const ir::ExprPtr& e, ScalarType type) const;
  /// Gives an untyped literal its default type (i32 or f32) and checks that it fits.
  ir::ExprPtr settle(const ir::ExprPtr& e) const;
  /// The type two operands meet at, taking literals into account.
  ScalarType commonType(const ir::ExprPtr& a, const ir::ExprPtr& b) const;
  ScalarType commonTypeOf(const std::vector<ir::ExprPtr>& operands) const;
  static bool isLiteral(const ir::ExprPtr& e) { return e && e->kind == ir::ExprKind::Const && e->literal; }

  ir::ExprPtr cast(ScalarType type, const ir::ExprPtr& e, SourceLoc loc) const;
  ir::ExprPtr saturatingCast(ScalarType type, const ir::ExprPtr& e, SourceLoc loc) const;
  ir::ExprPtr unary(ir::UnaryOp op, const ir::ExprPtr& e, SourceLoc loc) const;
  ir::ExprPtr binary(ir::BinaryOp op, const ir::ExprPtr& a, const ir::ExprPtr& b, SourceLoc loc) const;
  ir::ExprPtr select(const ir::ExprPtr& c, const ir::ExprPtr& a, const ir::ExprPtr& b, SourceLoc loc) const;
  /// Math builtins; `name` is only used in messages.
  ir::ExprPtr intrinsic(ir::Intrinsic op, std::vector<ir::ExprPtr> args, SourceLoc loc, const std::string& name) const;

  static bool isConst(const ir::ExprPtr& e) { return e && e->kind == ir::ExprKind::Const; }

 private:
  void error(SourceLoc loc, const std::string& message) const { report_(loc, message); }
  ir::ExprPtr toFloat(const ir::ExprPtr& e) const;

  Reporter report_;
};

/// Wraps an integer to the range of `type`, as a C conversion does.
int64_t wrapInteger(int64_t value, ScalarType type);

}  // namespace fovea
