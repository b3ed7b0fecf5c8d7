// The only file that sees ANTLR. It checks the raw bytes, lexes, parses with an error strategy that
// speaks the language's own terms, and builds the ast::Module from the parts that parsed.
#include "frontend/parser.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

#include <fmt/format.h>

#include "FoveaLexer.h"
#include "FoveaParser.h"
#include "antlr4-runtime.h"

namespace fovea {
namespace {

using fovea_antlr::FoveaLexer;
using fovea_antlr::FoveaParser;
using antlr4::Token;

constexpr size_t kDocChannel = 2;

// ---------------------------------------------------------------------------------------------
// Bytes: ANTLR's input stream throws on invalid UTF-8, so the text is checked (strictly) first and
// each bad byte is reported and replaced by a space.

size_t utf8SequenceLength(const std::string& s, size_t i) {
  auto at = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = at(i);
  if (c < 0x80) return 1;
  size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? (c <= 0xEF ? 3 : 0) : c >= 0xC2 ? 2 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((at(i + k) & 0xC0) != 0x80) return 0;
  }
  unsigned char c1 = at(i + 1);
  if (c == 0xE0 && c1 < 0xA0) return 0;   // overlong
  if (c == 0xED && c1 >= 0xA0) return 0;  // surrogate
  if (c == 0xF0 && c1 < 0x90) return 0;   // overlong
  if (c == 0xF4 && c1 >= 0x90) return 0;  // beyond U+10FFFF
  return len;
}

/// Returns the text to lex, or nothing when the file is not text at all.
std::optional<std::string> checkBytes(const std::string& text, FileId file, DiagnosticEngine& diags) {
  if (text.find('\0') != std::string::npos) {
    diags.error(SourceLoc{file, 1, 1, 1, 2}, "this is a binary file, not Fovea source text");
    return std::nullopt;
  }
  std::string clean = text;
  uint32_t line = 1, col = 1;
  for (size_t i = 0; i < clean.size();) {
    size_t len = utf8SequenceLength(clean, i);
    if (len == 0) {
      diags.error(SourceLoc{file, line, col, line, col + 1},
                  fmt::format("invalid UTF-8 byte 0x{:02X} (source files must be UTF-8)",
                              static_cast<unsigned char>(clean[i])));
      clean[i] = ' ';
      len = 1;
    }
    if (clean[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
    i += len;
  }
  return clean;
}

// ---------------------------------------------------------------------------------------------
// Locations

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

// ---------------------------------------------------------------------------------------------
// Syntax errors in the language's terms

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
  if (has(FoveaLexer::ID)) drop({FoveaLexer::IN, FoveaLexer::OVER, FoveaLexer::SIZE});  // contextual keywords are names too
  if (has(FoveaLexer::LET) && has(FoveaLexer::RETURN) && has(FoveaLexer::ID)) {
    words.push_back("a statement");
    drop({FoveaLexer::LET, FoveaLexer::RETURN, FoveaLexer::ID});
  }
  if (has(FoveaLexer::IMPORT) && has(FoveaLexer::PIPELINE)) {
    words.push_back("a declaration (import, const, fn or pipeline)");
    drop({FoveaLexer::IMPORT, FoveaLexer::CONST, FoveaLexer::FN, FoveaLexer::PIPELINE});
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

/// Reports syntax errors as diagnostics and remembers which rule contexts they happened in, so the
/// AST builder can leave out exactly the statements that did not parse. At most one error is
/// reported per statement: the first one explains it, the rest would be noise.
class FoveaErrorStrategy : public antlr4::DefaultErrorStrategy {
 public:
  FoveaErrorStrategy(FileId file, DiagnosticEngine& diags, const std::vector<size_t>& statementOf,
                     const std::vector<size_t>& statementEnd, std::set<size_t> lexicalErrorStatements)
      : file_(file), diags_(diags), statementOf_(statementOf), statementEnd_(statementEnd),
        lexicalErrorStatements_(std::move(lexicalErrorStatements)) {}

  std::vector<antlr4::ParserRuleContext*> errorContexts;

 protected:
  void reportNoViableAlternative(antlr4::Parser* p, const antlr4::NoViableAltException& e) override {
    report(p, e.getOffendingToken(), p->getExpectedTokens(), false);
  }
  void reportInputMismatch(antlr4::Parser* p, const antlr4::InputMismatchException& e) override {
    report(p, e.getOffendingToken(), e.getExpectedTokens(), false);
  }
  void reportFailedPredicate(antlr4::Parser* p, const antlr4::FailedPredicateException& e) override {
    report(p, e.getOffendingToken(), p->getExpectedTokens(), false);
  }
  void reportUnwantedToken(antlr4::Parser* p) override {
    if (inErrorRecoveryMode(p)) return;
    beginErrorCondition(p);
    report(p, p->getCurrentToken(), getExpectedTokens(p), false);
  }
  void reportMissingToken(antlr4::Parser* p) override {
    if (inErrorRecoveryMode(p)) return;
    beginErrorCondition(p);
    report(p, p->getCurrentToken(), getExpectedTokens(p), true);
  }

 private:
  void report(antlr4::Parser* p, Token* offending, const antlr4::misc::IntervalSet& expected, bool missing) {
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
      size_t insert = expected.contains(static_cast<ssize_t>(FoveaLexer::SEMI)) ? static_cast<size_t>(FoveaLexer::SEMI)
                                                                                 : static_cast<size_t>(expected.getMinElement());
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

  const Token* previousToken(antlr4::Parser* p, const Token* offending) {
    if (!offending) return nullptr;
    auto* stream = dynamic_cast<antlr4::BufferedTokenStream*>(p->getTokenStream());
    for (ssize_t i = static_cast<ssize_t>(offending->getTokenIndex()) - 1; stream && i >= 0; --i) {
      Token* t = stream->get(static_cast<size_t>(i));
      if (t->getChannel() == Token::DEFAULT_CHANNEL) return t;
    }
    return nullptr;
  }

  FileId file_;
  DiagnosticEngine& diags_;
  const std::vector<size_t>& statementOf_;
  const std::vector<size_t>& statementEnd_;
  std::set<size_t> lexicalErrorStatements_;
  size_t suppressThrough_ = SIZE_MAX;
};

// ---------------------------------------------------------------------------------------------
// Token-level checks before parsing

/// Reports the lexer's error tokens and hides them from the parser. Returns false when the rest of
/// the file cannot be parsed meaningfully (an unterminated comment swallows everything after it).
std::vector<size_t> checkTokens(std::vector<Token*>& tokens, FileId file, DiagnosticEngine& diags) {
  std::vector<size_t> errorTokens;
  bool swallowRest = false;
  for (Token* t : tokens) {
    auto* token = dynamic_cast<antlr4::CommonToken*>(t);
    if (!token || token->getType() == Token::EOF) continue;
    if (swallowRest) {
      token->setChannel(Token::HIDDEN_CHANNEL);
      continue;
    }
    switch (token->getType()) {
      case FoveaLexer::BAD_CHAR: {
        std::string text = token->getText();
        std::string shown = text;
        unsigned char c = text.empty() ? 0 : static_cast<unsigned char>(text[0]);
        if (c < 0x20 || c == 0x7F) shown = fmt::format("\\x{:02X}", c);
        Diagnostic& d = diags.error(tokenLoc(file, token), fmt::format("unexpected character '{}'", shown));
        if (text == "#") d.note(SourceLoc{}, "comments start with '//' in Fovea");
        token->setChannel(Token::HIDDEN_CHANNEL);
        errorTokens.push_back(token->getTokenIndex());
        break;
      }
      case FoveaLexer::UNTERMINATED_STRING:
        diags.error(tokenLoc(file, token), "unterminated string literal: add the closing '\"'");
        token->setType(FoveaLexer::STRING);
        errorTokens.push_back(token->getTokenIndex());
        break;
      case FoveaLexer::UNTERMINATED_COMMENT:
        diags.error(tokenLoc(file, token), "unterminated block comment: '/*' has no matching '*/'");
        token->setChannel(Token::HIDDEN_CHANNEL);
        swallowRest = true;
        errorTokens.push_back(token->getTokenIndex());
        break;
      default: break;
    }
  }
  return errorTokens;
}

/// Nesting deeper than the limit, or a statement longer than the limit, is refused before parsing,
/// since parsing and every later pass recurse over the tree.
bool checkShape(const std::vector<Token*>& tokens, FileId file, DiagnosticEngine& diags, const ParseLimits& limits) {
  size_t depth = 0, prefixRun = 0, statementTokens = 0;
  for (const Token* t : tokens) {
    if (t->getChannel() != Token::DEFAULT_CHANNEL) continue;
    size_t type = t->getType();
    switch (type) {
      case FoveaLexer::LPAREN:
      case FoveaLexer::LBRACK:
      case FoveaLexer::LBRACE: ++depth; break;
      case FoveaLexer::RPAREN:
      case FoveaLexer::RBRACK:
      case FoveaLexer::RBRACE:
        if (depth) --depth;
        break;
      default: break;
    }
    bool prefix = type == FoveaLexer::MINUS || type == FoveaLexer::PLUS || type == FoveaLexer::NOT;
    prefixRun = prefix ? prefixRun + 1 : 0;
    if (depth + prefixRun > limits.maxNesting) {
      diags.error(tokenLoc(file, t), fmt::format("expression nested too deeply (the limit is {} levels)", limits.maxNesting));
      return false;
    }
    statementTokens = type == FoveaLexer::SEMI || type == FoveaLexer::LBRACE || type == FoveaLexer::RBRACE ? 0 : statementTokens + 1;
    if (statementTokens > limits.maxTokensPerStatement) {
      diags.error(tokenLoc(file, t), fmt::format("statement too long (the limit is {} tokens)", limits.maxTokensPerStatement));
      return false;
    }
  }
  return true;
}

/// For each token, the index of the last token of its statement (the next ';', '{' or '}').
std::vector<size_t> statementEnds(const std::vector<Token*>& tokens) {
  std::vector<size_t> out(tokens.size());
  size_t end = tokens.empty() ? 0 : tokens.size() - 1;
  for (size_t i = tokens.size(); i-- > 0;) {
    size_t type = tokens[i]->getType();
    if (tokens[i]->getChannel() == Token::DEFAULT_CHANNEL &&
        (type == FoveaLexer::SEMI || type == FoveaLexer::LBRACE || type == FoveaLexer::RBRACE)) {
      end = i;
    }
    out[i] = end;
  }
  return out;
}

/// For each token, the index of the statement it belongs to (statements end at ';', '{' and '}').
std::vector<size_t> statementIndices(const std::vector<Token*>& tokens) {
  std::vector<size_t> out(tokens.size());
  size_t statement = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    out[i] = statement;
    size_t type = tokens[i]->getType();
    if (tokens[i]->getChannel() == Token::DEFAULT_CHANNEL &&
        (type == FoveaLexer::SEMI || type == FoveaLexer::LBRACE || type == FoveaLexer::RBRACE)) {
      ++statement;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parse tree -> AST

class AstBuilder {
 public:
  AstBuilder(FileId file, antlr4::CommonTokenStream& tokens, const std::vector<antlr4::ParserRuleContext*>& errors,
             DiagnosticEngine& diags)
      : file_(file), tokens_(tokens), errors_(errors), diags_(diags) {}

  ast::Module build(FoveaParser::ModuleContext* ctx) {
    ast::Module module;
    module.file = file_;
    module.hasSyntaxErrors = !errors_.empty();
    for (auto* item : ctx->item()) {
      if (hasErrorWithin(item)) {
        std::string name = declName(item);
        if (!name.empty()) module.brokenNames.push_back(name);
        // A pipeline or fn whose header parsed is still checked; only its broken statements are dropped.
        if (!headerIsBroken(item)) {
          if (auto decl = buildItem(item)) module.decls.push_back(std::move(*decl));
        }
        continue;
      }
      if (auto decl = buildItem(item)) module.decls.push_back(std::move(*decl));
    }
    return module;
  }

 private:
  bool hasErrorWithin(antlr4::ParserRuleContext* ctx) const {
    for (antlr4::RuleContext* e : errors_) {
      for (antlr4::RuleContext* c = e; c; c = dynamic_cast<antlr4::RuleContext*>(c->parent)) {
        if (c == ctx) return true;
      }
    }
    return false;
  }

  /// True when an error lies in the item outside of its body's statements.
  bool headerIsBroken(FoveaParser::ItemContext* item) const {
    antlr4::ParserRuleContext* decl = nullptr;
    FoveaParser::BlockContext* body = nullptr;
    if (auto* fn = item->fnDecl()) {
      decl = fn;
      body = fn->block();
    } else if (auto* p = item->pipelineDecl()) {
      decl = p;
      body = p->block();
    }
    if (!decl || !body || body->LBRACE() == nullptr) return true;
    for (antlr4::RuleContext* e : errors_) {
      bool inDecl = false, inBody = false;
      for (antlr4::RuleContext* c = e; c; c = dynamic_cast<antlr4::RuleContext*>(c->parent)) {
        if (c == body) inBody = true;
        if (c == decl) inDecl = true;
      }
      if (inDecl && !inBody) return true;
    }
    return false;
  }

  static std::string declName(FoveaParser::ItemContext* item) {
    antlr4::ParserRuleContext* id = nullptr;
    if (auto* c = item->constDecl()) id = c->ident().empty() ? nullptr : c->ident(0);
    if (auto* f = item->fnDecl()) id = f->ident().empty() ? nullptr : f->ident(0);
    if (auto* p = item->pipelineDecl()) id = p->ident();
    return id ? id->getText() : std::string();
  }

  SourceLoc loc(const Token* t) const { return tokenLoc(file_, t); }
  SourceLoc loc(antlr4::tree::TerminalNode* n) const { return n ? tokenLoc(file_, n->getSymbol()) : SourceLoc{}; }
  SourceLoc loc(antlr4::ParserRuleContext* ctx) const {
    if (!ctx || !ctx->getStart()) return {};
    SourceLoc begin = tokenLoc(file_, ctx->getStart());
    const Token* stop = ctx->getStop();
    if (!stop || stop->getTokenIndex() < ctx->getStart()->getTokenIndex()) return begin;
    return SourceLoc::join(begin, tokenLoc(file_, stop));
  }
  static std::string text(antlr4::tree::TerminalNode* n) { return n ? n->getText() : std::string(); }
  static std::string text(antlr4::ParserRuleContext* n) { return n ? n->getText() : std::string(); }

  std::string docComment(antlr4::ParserRuleContext* ctx) {
    std::string doc;
    for (Token* t : tokens_.getHiddenTokensToLeft(ctx->getStart()->getTokenIndex(), kDocChannel)) {
      std::string line = t->getText().substr(3);
      if (!line.empty() && line[0] == ' ') line.erase(0, 1);
      doc += line + '\n';
    }
    return doc;
  }

  std::optional<ast::Decl> buildItem(FoveaParser::ItemContext* item) {
    if (auto* c = item->importDecl()) return buildImport(c);
    if (auto* c = item->constDecl()) return buildConst(c);
    if (auto* c = item->fnDecl()) return buildFn(c);
    if (auto* c = item->pipelineDecl()) return buildPipeline(c);
    return std::nullopt;
  }

  ast::Decl newDecl(ast::DeclKind kind, antlr4::ParserRuleContext* ctx) {
    ast::Decl d;
    d.kind = kind;
    d.loc = loc(ctx);
    d.doc = docComment(ctx);
    return d;
  }

  std::optional<ast::Decl> buildImport(FoveaParser::ImportDeclContext* ctx) {
    ast::Decl d = newDecl(ast::DeclKind::Import, ctx);
    if (auto* s = ctx->STRING()) {
      d.importIsFile = true;
      d.importPath = unquote(s->getText());
      d.nameLoc = loc(s);
    } else if (auto* path = ctx->modulePath()) {
      d.importPath = path->getText();
      d.nameLoc = loc(path);
    } else {
      return std::nullopt;
    }
    return d;
  }

  static std::string unquote(const std::string& quoted) {
    std::string out;
    for (size_t i = 1; i + 1 < quoted.size(); ++i) {
      if (quoted[i] == '\\' && i + 2 < quoted.size()) {
        char c = quoted[++i];
        out.push_back(c == 'n' ? '\n' : c == 't' ? '\t' : c);
      } else {
        out.push_back(quoted[i]);
      }
    }
    return out;
  }

  std::optional<ast::Decl> buildConst(FoveaParser::ConstDeclContext* ctx) {
    if (ctx->ident().empty() || !ctx->expr()) return std::nullopt;
    ast::Decl d = newDecl(ast::DeclKind::Const, ctx);
    d.name = text(ctx->ident(0));
    d.nameLoc = loc(ctx->ident(0));
    if (ctx->ident().size() > 1) {
      d.constType = text(ctx->ident(1));
      d.constTypeLoc = loc(ctx->ident(1));
    }
    d.value = buildExpr(ctx->expr());
    return d;
  }

  std::optional<ast::Decl> buildFn(FoveaParser::FnDeclContext* ctx) {
    if (ctx->ident().empty() || !ctx->block()) return std::nullopt;
    ast::Decl d = newDecl(ast::DeclKind::Fn, ctx);
    d.name = text(ctx->ident(0));
    d.nameLoc = loc(ctx->ident(0));
    for (size_t i = 1; i < ctx->ident().size(); ++i) {
      d.fnParams.push_back(text(ctx->ident(i)));
      d.fnParamLocs.push_back(loc(ctx->ident(i)));
    }
    d.body = buildBlock(ctx->block());
    return d;
  }

  std::optional<ast::Decl> buildPipeline(FoveaParser::PipelineDeclContext* ctx) {
    if (!ctx->ident() || !ctx->outputs() || !ctx->block()) return std::nullopt;
    ast::Decl d = newDecl(ast::DeclKind::Pipeline, ctx);
    d.name = text(ctx->ident());
    d.nameLoc = loc(ctx->ident());
    for (auto* p : ctx->param()) d.params.push_back(buildParam(p));
    if (auto* single = ctx->outputs()->outputSpec()) {
      d.outputs.push_back(buildOutput(single));
    } else {
      for (auto* named : ctx->outputs()->namedOutput()) {
        ast::Output out = buildOutput(named->outputSpec());
        out.name = text(named->ident());
        out.nameLoc = loc(named->ident());
        out.loc = loc(named);
        d.outputs.push_back(std::move(out));
      }
    }
    d.body = buildBlock(ctx->block());
    return d;
  }

  ast::Param buildParam(FoveaParser::ParamContext* ctx) {
    ast::Param p;
    p.loc = loc(ctx);
    p.name = text(ctx->ident(0));
    p.nameLoc = loc(ctx->ident(0));
    p.typeName = text(ctx->ident(1));
    p.typeLoc = loc(ctx->ident(1));
    if (auto* dims = ctx->dimList()) {
      p.isBuffer = true;
      for (auto* id : dims->ident()) {
        p.dims.push_back(id->getText());
        p.dimLocs.push_back(loc(id));
      }
    }
    size_t next = 0;
    auto exprs = ctx->expr();
    if (ctx->ASSIGN() && next < exprs.size()) p.defaultValue = buildExpr(exprs[next++]);
    if (ctx->IN() && next + 1 < exprs.size()) {
      p.rangeMin = buildExpr(exprs[next]);
      p.rangeMax = buildExpr(exprs[next + 1]);
    }
    return p;
  }

  ast::Output buildOutput(FoveaParser::OutputSpecContext* ctx) {
    ast::Output out;
    out.loc = loc(ctx);
    out.typeName = text(ctx->ident());
    out.typeLoc = loc(ctx->ident());
    if (auto* dims = ctx->dimList()) {
      for (auto* id : dims->ident()) {
        out.dims.push_back(id->getText());
        out.dimLocs.push_back(loc(id));
      }
    }
    for (auto* e : ctx->expr()) out.size.push_back(buildExpr(e));
    return out;
  }

  ast::Block buildBlock(FoveaParser::BlockContext* ctx) {
    ast::Block block;
    block.loc = loc(ctx);
    block.closeLoc = loc(ctx->RBRACE());
    if (!ctx->RBRACE()) block.closeLoc = loc(ctx->getStop());
    block.hasSyntaxErrors = hasErrorWithin(ctx);
    for (auto* s : ctx->stmt()) {
      if (hasErrorWithin(s)) {
        if (auto* first = s->getStart(); first && first->getType() == FoveaLexer::ID) block.brokenNames.push_back(first->getText());
        if (auto* let = dynamic_cast<FoveaParser::LetStmtContext*>(s); let && let->ident()) block.brokenNames.push_back(let->ident()->getText());
        continue;
      }
      if (auto stmt = buildStmt(s)) block.stmts.push_back(std::move(*stmt));
    }
    return block;
  }

  static ast::Stmt newStmt(ast::StmtKind kind, SourceLoc at) {
    ast::Stmt s;
    s.kind = kind;
    s.loc = at;
    return s;
  }

  std::optional<ast::Stmt> buildStmt(FoveaParser::StmtContext* ctx) {
    if (auto* c = dynamic_cast<FoveaParser::DefineStmtContext*>(ctx)) {
      ast::Stmt s = newStmt(ast::StmtKind::Define, loc(ctx));
      s.name = text(c->ident());
      s.nameLoc = loc(c->ident());
      for (auto* a : c->argList()->arg()) s.lhsArgs.push_back(buildArg(a));
      s.op = updateOp(c->updateOp());
      s.opLoc = loc(c->updateOp());
      s.value = buildExpr(c->expr());
      if (auto* over = c->overClause()) s.over = buildOver(over);
      return s;
    }
    if (auto* c = dynamic_cast<FoveaParser::BindStmtContext*>(ctx)) {
      ast::Stmt s = newStmt(ast::StmtKind::Bind, loc(ctx));
      s.name = text(c->ident());
      s.nameLoc = loc(c->ident());
      s.value = buildExpr(c->expr());
      return s;
    }
    if (auto* c = dynamic_cast<FoveaParser::LetStmtContext*>(ctx)) {
      ast::Stmt s = newStmt(ast::StmtKind::Let, loc(ctx));
      s.name = text(c->ident());
      s.nameLoc = loc(c->ident());
      s.value = buildExpr(c->expr());
      return s;
    }
    if (auto* c = dynamic_cast<FoveaParser::ReturnStmtContext*>(ctx)) {
      ast::Stmt s = newStmt(ast::StmtKind::Return, loc(ctx));
      s.values.push_back(buildExpr(c->expr()));
      return s;
    }
    if (auto* c = dynamic_cast<FoveaParser::ReturnTupleStmtContext*>(ctx)) {
      ast::Stmt s = newStmt(ast::StmtKind::Return, loc(ctx));
      for (auto* e : c->expr()) s.values.push_back(buildExpr(e));
      return s;
    }
    return std::nullopt;
  }

  static ast::UpdateOp updateOp(FoveaParser::UpdateOpContext* ctx) {
    if (ctx->PLUS_ASSIGN()) return ast::UpdateOp::Add;
    if (ctx->MINUS_ASSIGN()) return ast::UpdateOp::Sub;
    if (ctx->STAR_ASSIGN()) return ast::UpdateOp::Mul;
    if (ctx->SLASH_ASSIGN()) return ast::UpdateOp::Div;
    if (ctx->MIN_ASSIGN()) return ast::UpdateOp::Min;
    if (ctx->MAX_ASSIGN()) return ast::UpdateOp::Max;
    return ast::UpdateOp::Assign;
  }

  ast::OverClause buildOver(FoveaParser::OverClauseContext* ctx) {
    ast::OverClause over;
    over.loc = loc(ctx);
    over.var = text(ctx->ident(0));
    over.varLoc = loc(ctx->ident(0));
    if (ctx->ident().size() > 1) {
      over.source = text(ctx->ident(1));
      over.sourceLoc = loc(ctx->ident(1));
    }
    for (auto* r : ctx->range()) over.ranges.emplace_back(buildExpr(r->expr(0)), buildExpr(r->expr(1)));
    return over;
  }

  ast::ExprPtr buildArg(FoveaParser::ArgContext* ctx) {
    if (ctx->ELLIPSIS()) return std::make_unique<ast::Expr>(ast::ExprKind::Ellipsis, loc(ctx->ELLIPSIS()));
    return buildExpr(ctx->expr());
  }

  ast::ExprPtr binary(ast::BinaryOp op, antlr4::ParserRuleContext* ctx, FoveaParser::ExprContext* a,
                      FoveaParser::ExprContext* b) {
    auto e = std::make_unique<ast::Expr>(ast::ExprKind::Binary, loc(ctx));
    e->binaryOp = op;
    e->lhs = buildExpr(a);
    e->rhs = buildExpr(b);
    return e;
  }

  ast::ExprPtr buildExpr(FoveaParser::ExprContext* ctx) {
    using K = ast::ExprKind;
    if (auto* c = dynamic_cast<FoveaParser::PrimaryExprContext*>(ctx)) return buildPrimary(c->primary());
    if (auto* c = dynamic_cast<FoveaParser::CallExprContext*>(ctx)) {
      auto e = std::make_unique<ast::Expr>(K::Call, loc(ctx));
      e->lhs = buildExpr(c->expr());
      for (auto* a : c->argList()->arg()) e->args.push_back(buildArg(a));
      return e;
    }
    if (auto* c = dynamic_cast<FoveaParser::MemberExprContext*>(ctx)) {
      auto e = std::make_unique<ast::Expr>(K::Member, loc(ctx));
      e->lhs = buildExpr(c->expr());
      e->name = text(c->ident());
      e->nameLoc = loc(c->ident());
      return e;
    }
    if (auto* c = dynamic_cast<FoveaParser::UnaryExprContext*>(ctx)) {
      auto e = std::make_unique<ast::Expr>(K::Unary, loc(ctx));
      e->unaryOp = c->op->getType() == FoveaLexer::MINUS ? ast::UnaryOp::Neg
                   : c->op->getType() == FoveaLexer::PLUS ? ast::UnaryOp::Plus
                                                          : ast::UnaryOp::Not;
      e->lhs = buildExpr(c->expr());
      return e;
    }
    if (auto* c = dynamic_cast<FoveaParser::MulExprContext*>(ctx)) {
      size_t t = c->op->getType();
      return binary(t == FoveaLexer::STAR ? ast::BinaryOp::Mul : t == FoveaLexer::SLASH ? ast::BinaryOp::Div : ast::BinaryOp::Mod,
                    ctx, c->expr(0), c->expr(1));
    }
    if (auto* c = dynamic_cast<FoveaParser::AddExprContext*>(ctx)) {
      return binary(c->op->getType() == FoveaLexer::PLUS ? ast::BinaryOp::Add : ast::BinaryOp::Sub, ctx, c->expr(0), c->expr(1));
    }
    if (auto* c = dynamic_cast<FoveaParser::CompareExprContext*>(ctx)) {
      size_t t = c->op->getType();
      ast::BinaryOp op = t == FoveaLexer::LT ? ast::BinaryOp::Lt
                         : t == FoveaLexer::LE ? ast::BinaryOp::Le
                         : t == FoveaLexer::GT ? ast::BinaryOp::Gt
                                               : ast::BinaryOp::Ge;
      return binary(op, ctx, c->expr(0), c->expr(1));
    }
    if (auto* c = dynamic_cast<FoveaParser::EqualExprContext*>(ctx)) {
      return binary(c->op->getType() == FoveaLexer::EQ ? ast::BinaryOp::Eq : ast::BinaryOp::Ne, ctx, c->expr(0), c->expr(1));
    }
    if (auto* c = dynamic_cast<FoveaParser::AndExprContext*>(ctx)) return binary(ast::BinaryOp::And, ctx, c->expr(0), c->expr(1));
    if (auto* c = dynamic_cast<FoveaParser::OrExprContext*>(ctx)) return binary(ast::BinaryOp::Or, ctx, c->expr(0), c->expr(1));
    FOVEA_ASSERT(false, "unknown expression alternative in the parse tree");
  }

  ast::ExprPtr buildPrimary(FoveaParser::PrimaryContext* ctx) {
    using K = ast::ExprKind;
    if (auto* c = dynamic_cast<FoveaParser::IntLitContext*>(ctx)) {
      auto e = std::make_unique<ast::Expr>(K::IntLit, loc(ctx));
      parseInteger(c->INT()->getText(), *e);
      return e;
    }
    if (auto* c = dynamic_cast<FoveaParser::FloatLitContext*>(ctx)) {
      auto e = std::make_unique<ast::Expr>(K::FloatLit, loc(ctx));
      e->floatValue = std::strtod(c->FLOAT()->getText().c_str(), nullptr);
      return e;
    }
    if (auto* c = dynamic_cast<FoveaParser::BoolLitContext*>(ctx)) {
      auto e = std::make_unique<ast::Expr>(K::BoolLit, loc(ctx));
      e->boolValue = c->TRUE() != nullptr;
      return e;
    }
    if (auto* c = dynamic_cast<FoveaParser::NameRefContext*>(ctx)) {
      auto e = std::make_unique<ast::Expr>(K::Name, loc(ctx));
      e->name = c->ident()->getText();
      return e;
    }
    if (auto* c = dynamic_cast<FoveaParser::ParenExprContext*>(ctx)) {
      ast::ExprPtr inner = buildExpr(c->expr());
      inner->loc = loc(ctx);
      return inner;
    }
    FOVEA_ASSERT(false, "unknown primary alternative in the parse tree");
  }

  static void parseInteger(const std::string& digits, ast::Expr& e) {
    bool hex = digits.size() > 2 && (digits[1] == 'x' || digits[1] == 'X');
    uint64_t value = 0;
    uint64_t base = hex ? 16 : 10;
    for (size_t i = hex ? 2 : 0; i < digits.size(); ++i) {
      char ch = digits[i];
      uint64_t d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch - 'A' + 10;
      if (value > (UINT64_MAX - d) / base) {
        e.intOverflow = true;
        return;
      }
      value = value * base + d;
    }
    e.intValue = value;
  }

  FileId file_;
  antlr4::CommonTokenStream& tokens_;
  const std::vector<antlr4::ParserRuleContext*>& errors_;
  DiagnosticEngine& diags_;
};

}  // namespace

ast::Module parseModule(const SourceManager& sources, FileId file, DiagnosticEngine& diags, const ParseLimits& limits) {
  ast::Module empty;
  empty.file = file;
  std::optional<std::string> text = checkBytes(sources.text(file), file, diags);
  if (!text) {
    empty.hasSyntaxErrors = true;
    return empty;
  }
  antlr4::ANTLRInputStream input(*text);
  FoveaLexer lexer(&input);
  lexer.removeErrorListeners();
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();
  std::vector<Token*> all = tokens.getTokens();
  size_t errorsBefore = diags.errorCount();
  std::vector<size_t> lexicalErrors = checkTokens(all, file, diags);
  if (!checkShape(all, file, diags, limits)) {
    empty.hasSyntaxErrors = true;
    return empty;
  }
  std::vector<size_t> statementOf = statementIndices(all);
  std::vector<size_t> statementEnd = statementEnds(all);
  std::set<size_t> lexicalErrorStatements;
  for (size_t t : lexicalErrors) lexicalErrorStatements.insert(statementOf[t]);

  FoveaParser parser(&tokens);
  parser.removeErrorListeners();
  auto strategy = std::make_shared<FoveaErrorStrategy>(file, diags, statementOf, statementEnd, std::move(lexicalErrorStatements));
  parser.setErrorHandler(strategy);
  FoveaParser::ModuleContext* tree = parser.module();

  AstBuilder builder(file, tokens, strategy->errorContexts, diags);
  ast::Module module = builder.build(tree);
  module.hasSyntaxErrors = module.hasSyntaxErrors || diags.errorCount() != errorsBefore;
  return module;
}

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
