#pragma once
// Internal to compiler/frontend (the only place that sees ANTLR): locations of tokens, the syntax
// error strategy, and the parse-tree-to-AST builder, shared by parser.cpp, syntax_errors.cpp and
// ast_builder.cpp. Never include this outside compiler/frontend.

#include <set>
#include <string>
#include <vector>

#include "FoveaLexer.h"
#include "FoveaParser.h"
#include "antlr4-runtime.h"
#include "frontend/ast.h"
#include "support/diagnostics.h"

namespace fovea::frontend_detail {

using fovea_antlr::FoveaLexer;
using fovea_antlr::FoveaParser;
using antlr4::Token;

/// The lexer channel of `///` doc comments.
constexpr size_t kDocChannel = 2;

/// Number of code points in UTF-8 text.
uint32_t codePoints(const std::string& s);
/// The span of a token (columns count code points, as ANTLR does).
SourceLoc tokenLoc(FileId file, const Token* t);
/// The zero-width point just after a token (where a missing ';' belongs).
SourceLoc afterToken(FileId file, const Token* t);

/// Reports syntax errors as diagnostics in the language's own terms and remembers the rule
/// contexts they happened in, so the AST builder can leave out exactly the statements that did not
/// parse. At most one error per statement: the first explains it, the rest would be noise.
class FoveaErrorStrategy : public antlr4::DefaultErrorStrategy {
 public:
  /// `statementOf[i]`: the statement token i belongs to; `statementEnd[i]`: the last token of it.
  FoveaErrorStrategy(FileId file, DiagnosticEngine& diags, const std::vector<size_t>& statementOf,
                     const std::vector<size_t>& statementEnd, std::set<size_t> lexicalErrorStatements);

  std::vector<antlr4::ParserRuleContext*> errorContexts;

 protected:
  void reportNoViableAlternative(antlr4::Parser* p, const antlr4::NoViableAltException& e) override;
  void reportInputMismatch(antlr4::Parser* p, const antlr4::InputMismatchException& e) override;
  void reportFailedPredicate(antlr4::Parser* p, const antlr4::FailedPredicateException& e) override;
  void reportUnwantedToken(antlr4::Parser* p) override;
  void reportMissingToken(antlr4::Parser* p) override;

 private:
  void report(antlr4::Parser* p, Token* offending, const antlr4::misc::IntervalSet& expected, bool missing);
  const Token* previousToken(antlr4::Parser* p, const Token* offending);

  FileId file_;
  DiagnosticEngine& diags_;
  const std::vector<size_t>& statementOf_;
  const std::vector<size_t>& statementEnd_;
  std::set<size_t> lexicalErrorStatements_;
  size_t suppressThrough_ = SIZE_MAX;
};

/// Builds the module from the parse tree, leaving out declarations and statements that contain a
/// syntax error (their names go to brokenNames).
ast::Module buildModule(FileId file, antlr4::CommonTokenStream& tokens, FoveaParser::ModuleContext* tree,
                        const std::vector<antlr4::ParserRuleContext*>& errorContexts);

}  // namespace fovea::frontend_detail
