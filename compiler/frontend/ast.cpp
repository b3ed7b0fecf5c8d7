#include "frontend/ast.h"

namespace fovea {

const char* ast::toString(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: return "+";
    case BinaryOp::Sub: return "-";
    case BinaryOp::Mul: return "*";
    case BinaryOp::Div: return "/";
    case BinaryOp::Mod: return "%";
    case BinaryOp::Lt: return "<";
    case BinaryOp::Le: return "<=";
    case BinaryOp::Gt: return ">";
    case BinaryOp::Ge: return ">=";
    case BinaryOp::Eq: return "==";
    case BinaryOp::Ne: return "!=";
    case BinaryOp::And: return "&&";
    case BinaryOp::Or: return "||";
  }
  return "?";
}

const char* ast::toString(UpdateOp op) {
  switch (op) {
    case UpdateOp::Assign: return "=";
    case UpdateOp::Add: return "+=";
    case UpdateOp::Sub: return "-=";
    case UpdateOp::Mul: return "*=";
    case UpdateOp::Div: return "/=";
    case UpdateOp::Min: return "min=";
    case UpdateOp::Max: return "max=";
  }
  return "?";
}

}  // namespace fovea
