// The front end's entry point: checks the raw bytes, lexes, refuses hostile shapes (deep nesting,
// giant statements), parses with Fovea's error strategy and builds the AST.
#include "frontend/parser.h"

#include <set>

#include <fmt/format.h>

#include "frontend/antlr_internal.h"

namespace fovea {
namespace {

using namespace frontend_detail;  // NOLINT: a .cpp file inside the front end

// ---------------------------------------------------------------------------------------------
// Bytes: ANTLR's input stream throws on invalid UTF-8, so the text is checked (strictly) first and
// each bad byte is reported and replaced by a space.

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
  FoveaParser::ModuleContext* tree = nullptr;
  try {
    tree = parser.module();
  } catch (const std::exception& e) {
    // The error strategy recovers from every syntax error; an exception here is a bug in the
    // parser or its runtime. Say so instead of crashing, and check nothing of this file.
    diags.error(SourceLoc{file, 1, 1, 1, 2}, fmt::format("internal error while parsing this file ({}); please report it", e.what()));
    empty.hasSyntaxErrors = true;
    return empty;
  }

  ast::Module module = buildModule(file, tokens, tree, strategy->errorContexts);
  module.hasSyntaxErrors = module.hasSyntaxErrors || diags.errorCount() != errorsBefore;
  return module;
}

}  // namespace fovea
