// Parse tree -> AST: builds Fovea's own syntax tree from what parsed, leaving out the declarations
// and statements that contain a syntax error (their names become "broken", so later checks stay
// quiet about them).
#include <cstdlib>

#include "frontend/antlr_internal.h"

namespace fovea::frontend_detail {
namespace {

class AstBuilder {
 public:
  AstBuilder(FileId file, antlr4::CommonTokenStream& tokens, const std::vector<antlr4::ParserRuleContext*>& errors)
      : file_(file), tokens_(tokens), errors_(errors) {}

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
    // A lexical error (a bad character the parser never saw) inside the context's tokens.
    if (ctx->getStart() && ctx->getStop()) {
      size_t first = ctx->getStart()->getTokenIndex(), last = ctx->getStop()->getTokenIndex();
      for (size_t t = first; t <= last && t < tokens_.size(); ++t) {
        Token* token = tokens_.get(t);
        if (token->getChannel() == Token::HIDDEN_CHANNEL && token->getType() == FoveaLexer::BAD_CHAR) return true;
      }
    }
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
    if (auto* f = item->fnDecl()) id = f->ident();
    if (auto* p = item->pipelineDecl()) id = p->ident();
    if (auto* m = item->modelDecl()) id = m->ident().empty() ? nullptr : m->ident(0);
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
    if (auto* c = item->modelDecl()) return buildModel(c);
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

  std::optional<ast::Decl> buildModel(FoveaParser::ModelDeclContext* ctx) {
    if (ctx->ident().size() < 2 || !ctx->STRING()) return std::nullopt;
    ast::Decl d = newDecl(ast::DeclKind::Model, ctx);
    d.name = text(ctx->ident(0));
    d.nameLoc = loc(ctx->ident(0));
    d.modelFormat = text(ctx->ident(1));
    d.modelFormatLoc = loc(ctx->ident(1));
    d.modelPath = unquote(ctx->STRING()->getText());
    d.modelPathLoc = loc(ctx->STRING());
    return d;
  }

  std::optional<ast::Decl> buildFn(FoveaParser::FnDeclContext* ctx) {
    if (!ctx->ident() || !ctx->block()) return std::nullopt;
    ast::Decl d = newDecl(ast::DeclKind::Fn, ctx);
    d.name = text(ctx->ident());
    d.nameLoc = loc(ctx->ident());
    for (auto* p : ctx->fnParam()) {
      if (p->ident().empty()) return std::nullopt;
      d.fnParams.push_back(text(p->ident(0)));
      d.fnParamLocs.push_back(loc(p->ident(0)));
      std::vector<std::string> options;
      for (size_t i = 1; i < p->ident().size(); ++i) options.push_back(text(p->ident(i)));
      d.fnParamOptions.push_back(std::move(options));
      d.fnParamOptionLocs.push_back(p->ident().size() > 1 ? loc(p->ident(1)) : SourceLoc{});
      d.fnParamDefaults.push_back(p->expr() ? buildExpr(p->expr()) : nullptr);
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
        // Recovery may have swallowed the next statements too: every name that starts a line in the
        // broken text may have been defined there.
        size_t line = 0;
        for (size_t t = s->getStart()->getTokenIndex(); s->getStop() && t <= s->getStop()->getTokenIndex() && t < tokens_.size(); ++t) {
          Token* token = tokens_.get(t);
          if (token->getChannel() != Token::DEFAULT_CHANNEL) continue;
          bool startsLine = token->getLine() != line;
          line = token->getLine();
          size_t type = token->getType();
          bool name = type == FoveaLexer::ID || type == FoveaLexer::IN || type == FoveaLexer::OVER || type == FoveaLexer::SIZE;
          if (startsLine && name) block.brokenNames.push_back(token->getText());
        }
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
      if (auto* size = c->sizeClause()) {
        s.sizeLoc = loc(size);
        for (auto* e : size->expr()) s.size.push_back(buildExpr(e));
      }
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
};

}  // namespace

ast::Module buildModule(FileId file, antlr4::CommonTokenStream& tokens, FoveaParser::ModuleContext* tree,
                        const std::vector<antlr4::ParserRuleContext*>& errorContexts) {
  return AstBuilder(file, tokens, errorContexts).build(tree);
}

}  // namespace fovea::frontend_detail
