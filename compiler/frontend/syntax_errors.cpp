// Syntax errors in the language's own terms: token descriptions, expected-token sets turned into
// words, and the error strategy that reports them (one per statement).
#include <algorithm>

#include <fmt/format.h>

#include "frontend/antlr_internal.h"

namespace fovea::frontend_detail {

uint32_t codePoints(const std::string& s) {
  uint32_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

SourceLoc tokenLoc(FileId file, const Token* t) {
  if (!t) return {};
  auto line = static_cast<uint32_t>(t->getLine());
  auto col = static_cast<uint32_t>(t->getCharPositionInLine()) + 1;
  if (t->getType() == Token::EOF) return SourceLoc{file, line, col, line, col + 1};
  std::string text = t->getText();
  uint32_t endLine = line, endCol = col;
  for (unsigned char c : text) {
    if (c == '\n') {
      ++endLine;
      endCol = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++endCol;
    }
  }
  return SourceLoc{file, line, col, endLine, endCol};
}

/// The zero-width point just after a token (where a missing ';' belongs).
SourceLoc afterToken(FileId file, const Token* t) {
  SourceLoc l = tokenLoc(file, t);
  return SourceLoc{file, l.endLine, l.endCol, l.endLine, l.endCol + 1};
}

namespace {

std::string describeToken(const Token* t) {
  if (!t || t->getType() == Token::EOF) return "end of file";
  switch (t->getType()) {
    case FoveaLexer::ID: return fmt::format("name '{}'", t->getText());
    case FoveaLexer::INT:
    case FoveaLexer::FLOAT: return fmt::format("number '{}'", t->getText());
    case FoveaLexer::STRING: return "a string";
    default: break;
  }
  std::string text = t->getText();
  if (codePoints(text) > 20) text = text.substr(0, 20) + "...";
  return fmt::format("'{}'", text);
}

std::string tokenTypeName(size_t type, const antlr4::dfa::Vocabulary& vocabulary) {
  switch (type) {
    case FoveaLexer::ID: return "a name";
    case FoveaLexer::INT: return "an integer";
    case FoveaLexer::FLOAT: return "a number";
    case FoveaLexer::STRING: return "a string";
    case Token::EOF: return "end of file";
    default: break;
  }
  std::string_view literal = vocabulary.getLiteralName(type);
  if (literal.size() >= 2) return std::string(literal);  // already quoted: 'import'
  return std::string(vocabulary.getDisplayName(type));
}

/// Turns an expected-token set into words: "';'", "an expression", "')' or ','".
std::vector<std::string> describeExpected(const antlr4::misc::IntervalSet& set, const antlr4::dfa::Vocabulary& vocabulary) {
  std::vector<size_t> types;
  for (ssize_t t : set.toList()) types.push_back(static_cast<size_t>(t));
  auto has = [&](size_t t) { return std::find(types.begin(), types.end(), t) != types.end(); };
  auto drop = [&](std::initializer_list<size_t> ts) {
    for (size_t t : ts) types.erase(std::remove(types.begin(), types.end(), t), types.end());
  };
  std::vector<std::string> words;
  if (has(FoveaLexer::ID)) drop({FoveaLexer::IN, FoveaLexer::OVER, FoveaLexer::SIZE, FoveaLexer::MODEL});  // contextual keywords are names too
  if (has(FoveaLexer::LET) && has(FoveaLexer::RETURN) && has(FoveaLexer::ID)) {
    words.push_back("a statement");
    drop({FoveaLexer::LET, FoveaLexer::RETURN, FoveaLexer::ID});
  }
  if (has(FoveaLexer::IMPORT) && has(FoveaLexer::PIPELINE)) {
    words.push_back("a declaration (import, const, fn, model or pipeline)");
    drop({FoveaLexer::IMPORT, FoveaLexer::CONST, FoveaLexer::FN, FoveaLexer::PIPELINE, FoveaLexer::MODEL});
  }
  if (has(FoveaLexer::INT) && has(FoveaLexer::FLOAT) && has(FoveaLexer::ID)) {
    words.push_back(has(FoveaLexer::ELLIPSIS) ? "an expression or '...'" : "an expression");
    drop({FoveaLexer::INT, FoveaLexer::FLOAT, FoveaLexer::ID, FoveaLexer::TRUE, FoveaLexer::FALSE, FoveaLexer::LPAREN,
          FoveaLexer::MINUS, FoveaLexer::PLUS, FoveaLexer::NOT, FoveaLexer::ELLIPSIS});
  }
  bool binaryOps = has(FoveaLexer::STAR) && has(FoveaLexer::AND);
  if (binaryOps) {
    // After a complete operand every operator is possible; naming them all helps nobody.
    drop({FoveaLexer::STAR, FoveaLexer::SLASH, FoveaLexer::PERCENT, FoveaLexer::PLUS, FoveaLexer::MINUS,
          FoveaLexer::LT, FoveaLexer::LE, FoveaLexer::GT, FoveaLexer::GE, FoveaLexer::EQ, FoveaLexer::NE,
          FoveaLexer::AND, FoveaLexer::OR, FoveaLexer::DOT, FoveaLexer::LPAREN});
  }
  bool updateOps = has(FoveaLexer::PLUS_ASSIGN) && has(FoveaLexer::MAX_ASSIGN);
  if (updateOps) {
    words.push_back("'=' or an update operator (+=, -=, *=, /=, min=, max=)");
    drop({FoveaLexer::ASSIGN, FoveaLexer::PLUS_ASSIGN, FoveaLexer::MINUS_ASSIGN, FoveaLexer::STAR_ASSIGN,
          FoveaLexer::SLASH_ASSIGN, FoveaLexer::MIN_ASSIGN, FoveaLexer::MAX_ASSIGN});
  }
  // Closing punctuation first: "expected ';' or 'over'" reads better than the reverse.
  std::stable_partition(types.begin(), types.end(), [](size_t t) {
    return t == FoveaLexer::SEMI || t == FoveaLexer::RPAREN || t == FoveaLexer::RBRACK || t == FoveaLexer::RBRACE;
  });
  for (size_t t : types) words.push_back(tokenTypeName(t, vocabulary));
  if (binaryOps && !words.empty()) words.push_back("an operator");
  return words;
}

std::string joinAlternatives(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i) out += i + 1 == words.size() ? " or " : ", ";
    out += words[i];
  }
  return out;
}

}  // namespace

FoveaErrorStrategy::FoveaErrorStrategy(FileId file, DiagnosticEngine& diags, const std::vector<size_t>& statementOf,
                                       const std::vector<size_t>& statementEnd, std::set<size_t> lexicalErrorStatements)
    : file_(file), diags_(diags), statementOf_(statementOf), statementEnd_(statementEnd),
      lexicalErrorStatements_(std::move(lexicalErrorStatements)) {}

void FoveaErrorStrategy::reportNoViableAlternative(antlr4::Parser* p, const antlr4::NoViableAltException& e) {
  report(p, e.getOffendingToken(), p->getExpectedTokens(), false);
}

void FoveaErrorStrategy::reportInputMismatch(antlr4::Parser* p, const antlr4::InputMismatchException& e) {
  report(p, e.getOffendingToken(), e.getExpectedTokens(), false);
}

void FoveaErrorStrategy::reportFailedPredicate(antlr4::Parser* p, const antlr4::FailedPredicateException& e) {
  report(p, e.getOffendingToken(), p->getExpectedTokens(), false);
}

void FoveaErrorStrategy::reportUnwantedToken(antlr4::Parser* p) {
  if (inErrorRecoveryMode(p)) return;
  beginErrorCondition(p);
  report(p, p->getCurrentToken(), getExpectedTokens(p), false);
}

void FoveaErrorStrategy::reportMissingToken(antlr4::Parser* p) {
  if (inErrorRecoveryMode(p)) return;
  beginErrorCondition(p);
  report(p, p->getCurrentToken(), getExpectedTokens(p), true);
}

void FoveaErrorStrategy::report(antlr4::Parser* p, Token* offending, const antlr4::misc::IntervalSet& expectedSet, bool missing) {
  // After a definition's value, `size (...)` may follow too; ';' and 'over' are what is missing.
  antlr4::misc::IntervalSet expected = expectedSet;
  if (expected.contains(static_cast<ssize_t>(FoveaLexer::SEMI)) && expected.contains(static_cast<ssize_t>(FoveaLexer::SIZE))) {
    expected.remove(static_cast<ssize_t>(FoveaLexer::SIZE));
  }
  errorContexts.push_back(p->getContext());
  // One error per statement: the first explains it, what follows in the same statement is
  // usually its echo. A statement that already has a lexical error gets no parser error.
  size_t index = offending ? offending->getTokenIndex() : 0;
  if (index < statementOf_.size() && lexicalErrorStatements_.count(statementOf_[index])) return;
  if (suppressThrough_ != SIZE_MAX && index <= suppressThrough_) return;

  std::vector<std::string> words = describeExpected(expected, p->getVocabulary());
  const Token* previous = previousToken(p, offending);
  bool closer = expected.size() <= 2 && (expected.contains(static_cast<ssize_t>(FoveaLexer::SEMI)) || expected.contains(static_cast<ssize_t>(FoveaLexer::RPAREN)) ||
                                         expected.contains(static_cast<ssize_t>(FoveaLexer::RBRACK)) || expected.contains(static_cast<ssize_t>(FoveaLexer::RBRACE)));
  // A missing ';' or ')' belongs at the end of the line before, where the user forgot it.
  if (closer && previous && offending && (offending->getType() == Token::EOF || offending->getLine() > previous->getLine())) {
    // The parser inserts the missing token and goes on cleanly: nothing to suppress after it.
    SourceLoc at = afterToken(file_, previous);
    Diagnostic& d = diags_.error(at, fmt::format("expected {}", joinAlternatives(words)));
    size_t insert = FoveaLexer::SEMI;
    for (size_t closerType : {FoveaLexer::SEMI, FoveaLexer::RPAREN, FoveaLexer::RBRACK, FoveaLexer::RBRACE}) {
      if (expected.contains(static_cast<ssize_t>(closerType))) {
        insert = closerType;
        break;
      }
    }
    d.fixit(SourceLoc{at.file, at.line, at.col, at.line, at.col}, tokenTypeName(insert, p->getVocabulary()).substr(1, 1));
    return;
  }
  suppressThrough_ = index < statementEnd_.size() ? statementEnd_[index] : SIZE_MAX - 1;
  SourceLoc at = tokenLoc(file_, offending);
  std::string found = describeToken(offending);
  if (words.empty()) {
    diags_.error(at, fmt::format("unexpected {}", found));
  } else if (missing) {
    diags_.error(at, fmt::format("expected {} before {}", joinAlternatives(words), found));
  } else {
    diags_.error(at, fmt::format("expected {}, found {}", joinAlternatives(words), found));
  }
}

const Token* FoveaErrorStrategy::previousToken(antlr4::Parser* p, const Token* offending) {
  if (!offending) return nullptr;
  auto* stream = dynamic_cast<antlr4::BufferedTokenStream*>(p->getTokenStream());
  for (ssize_t i = static_cast<ssize_t>(offending->getTokenIndex()) - 1; stream && i >= 0; --i) {
    Token* t = stream->get(static_cast<size_t>(i));
    if (t->getChannel() == Token::DEFAULT_CHANNEL) return t;
  }
  return nullptr;
}

}  // namespace fovea::frontend_detail
