// The parser on its own: AST shapes, locations, doc comments, recovery.
#include <gtest/gtest.h>

#include "frontend/parser.h"

namespace fovea {
namespace {

struct Parsed {
  SourceManager sources;
  std::unique_ptr<DiagnosticEngine> diags;
  ast::Module module;
};

std::unique_ptr<Parsed> parse(const std::string& text) {
  auto p = std::make_unique<Parsed>();
  FileId id = p->sources.addFile("t.fov", text);
  p->diags = std::make_unique<DiagnosticEngine>(p->sources);
  p->module = parseModule(p->sources, id, *p->diags);
  return p;
}

TEST(Parser, PipelineHeaderAndBody) {
  auto p = parse(
      "/// Doc line one.\n/// Doc line two.\npipeline blur(input: u8[x, y, c], k: f32 = 1.0 in [0.0, 2.0]) -> u8[x, y, c] {\n"
      "  f(x, y, c) = input(x, y, c);\n  return f;\n}\n");
  ASSERT_FALSE(p->diags->hasErrors()) << renderText(p->diags->diagnostics(), p->sources);
  ASSERT_EQ(p->module.decls.size(), 1u);
  const ast::Decl& d = p->module.decls[0];
  EXPECT_EQ(d.kind, ast::DeclKind::Pipeline);
  EXPECT_EQ(d.name, "blur");
  EXPECT_EQ(d.doc, "Doc line one.\nDoc line two.\n");
  ASSERT_EQ(d.params.size(), 2u);
  EXPECT_TRUE(d.params[0].isBuffer);
  EXPECT_EQ(d.params[0].dims, (std::vector<std::string>{"x", "y", "c"}));
  EXPECT_FALSE(d.params[1].isBuffer);
  ASSERT_TRUE(d.params[1].defaultValue && d.params[1].rangeMin && d.params[1].rangeMax);
  EXPECT_DOUBLE_EQ(d.params[1].rangeMax->floatValue, 2.0);
  ASSERT_EQ(d.body.stmts.size(), 2u);
  EXPECT_EQ(d.body.stmts[0].kind, ast::StmtKind::Define);
  EXPECT_EQ(d.body.stmts[0].nameLoc.line, 4u);
  EXPECT_EQ(d.body.stmts[0].nameLoc.col, 3u);
  EXPECT_EQ(d.body.stmts[1].kind, ast::StmtKind::Return);
}

TEST(Parser, PrecedenceAndAssociativity) {
  auto p = parse("const A = 1 + 2 * 3 - 4;\nconst B = -a.b(1) < 2 && !c || d;\n");
  ASSERT_FALSE(p->diags->hasErrors()) << renderText(p->diags->diagnostics(), p->sources);
  const ast::Expr& a = *p->module.decls[0].value;  // (1 + (2 * 3)) - 4
  ASSERT_EQ(a.kind, ast::ExprKind::Binary);
  EXPECT_EQ(a.binaryOp, ast::BinaryOp::Sub);
  EXPECT_EQ(a.lhs->binaryOp, ast::BinaryOp::Add);
  EXPECT_EQ(a.lhs->rhs->binaryOp, ast::BinaryOp::Mul);
  const ast::Expr& b = *p->module.decls[1].value;  // ((-(a.b(1)) < 2) && !c) || d
  EXPECT_EQ(b.binaryOp, ast::BinaryOp::Or);
  EXPECT_EQ(b.lhs->binaryOp, ast::BinaryOp::And);
  EXPECT_EQ(b.lhs->lhs->binaryOp, ast::BinaryOp::Lt);
  const ast::Expr& neg = *b.lhs->lhs->lhs;
  EXPECT_EQ(neg.kind, ast::ExprKind::Unary);
  EXPECT_EQ(neg.lhs->kind, ast::ExprKind::Call);
  EXPECT_EQ(neg.lhs->lhs->kind, ast::ExprKind::Member);
}

TEST(Parser, RangesAndFloats) {
  auto p = parse("pipeline h(input: u8[x]) -> u32[i] size (4) {\n  s(i) = u32(0);\n  s(i) += 1 over r in [0..4, 1 .. 2.5e0];\n  return s;\n}\n");
  ASSERT_FALSE(p->diags->hasErrors()) << renderText(p->diags->diagnostics(), p->sources);
  const ast::Stmt& s = p->module.decls[0].body.stmts[1];
  ASSERT_TRUE(s.over.has_value());
  ASSERT_EQ(s.over->ranges.size(), 2u);
  EXPECT_EQ(s.over->ranges[0].first->kind, ast::ExprKind::IntLit);
  EXPECT_EQ(s.over->ranges[1].second->kind, ast::ExprKind::FloatLit);
}

TEST(Parser, ContextualKeywordsAreNames) {
  auto p = parse("fn f(in) {\n  over(x) = in(x);\n  size = over;\n  return size;\n}\n");
  EXPECT_FALSE(p->diags->hasErrors()) << renderText(p->diags->diagnostics(), p->sources);
}

TEST(Parser, RecoversAtStatementEndsAndDropsOnlyBrokenStatements) {
  auto p = parse("pipeline p(input: u8[x]) -> u8[x] {\n  a(x) = input(x) +;\n  b(x) = input(x)\n  c(x) = 1;\n  return c;\n}\n");
  EXPECT_EQ(p->diags->errorCount(), 2u) << renderText(p->diags->diagnostics(), p->sources);
  ASSERT_EQ(p->module.decls.size(), 1u);
  const ast::Block& body = p->module.decls[0].body;
  EXPECT_TRUE(body.hasSyntaxErrors);
  EXPECT_NE(std::find(body.brokenNames.begin(), body.brokenNames.end(), "a"), body.brokenNames.end());
  bool hasReturn = false;
  for (const ast::Stmt& s : body.stmts) hasReturn = hasReturn || s.kind == ast::StmtKind::Return;
  EXPECT_TRUE(hasReturn);
}

TEST(Parser, NeverShowsAntlrWording) {
  for (const char* text : {"pipeline (", "fn f(a b) {}", "const = ;", "pipeline p() -> u8[x] { f(x) = ; }", "}}}", "import 3;",
                           "pipeline p(a: u8[x]) -> { }", "let x = 1;"}) {
    auto p = parse(text);
    EXPECT_TRUE(p->diags->hasErrors()) << text;
    std::string out = renderText(p->diags->diagnostics(), p->sources);
    for (const char* antlr : {"mismatched input", "extraneous input", "no viable alternative", "expecting", "<EOF>", "token recognition"}) {
      EXPECT_EQ(out.find(antlr), std::string::npos) << text << " -> " << out;
    }
  }
}

TEST(Parser, RejectsNestingBeyondTheLimit) {
  std::string deep = "const A = " + std::string(300, '(') + "1" + std::string(300, ')') + ";";
  auto p = parse(deep);
  ASSERT_EQ(p->diags->errorCount(), 1u);
  EXPECT_NE(p->diags->diagnostics()[0].message.find("nested too deeply"), std::string::npos);
}

TEST(Parser, ReportsInvalidUtf8AndBinaryFiles) {
  auto bad = parse("const A = 1; // caf\xC3\n");
  ASSERT_EQ(bad->diags->errorCount(), 1u);
  EXPECT_NE(bad->diags->diagnostics()[0].message.find("invalid UTF-8"), std::string::npos);
  EXPECT_EQ(bad->diags->diagnostics()[0].loc.col, 20u);
  auto binary = parse(std::string("\x7f" "ELF\0\0\0", 7));
  ASSERT_EQ(binary->diags->errorCount(), 1u);
  EXPECT_NE(binary->diags->diagnostics()[0].message.find("binary file"), std::string::npos);
}

}  // namespace
}  // namespace fovea
