// Diagnostic rendering: the text layout (location, source line, caret, fix-it, notes) and JSON.
#include <gtest/gtest.h>

#include "support/diagnostics.h"
#include "support/suggest.h"

namespace fovea {
namespace {

TEST(Diagnostics, TextShowsLocationSourceLineCaretFixitAndNotes) {
  SourceManager sm;
  FileId id = sm.addFile("a.fov", "line one\n  out(x) = bluur(x);\n");
  DiagnosticEngine diags(sm);
  diags.error({id, 2, 12, 2, 17}, "undefined name 'bluur'").fixit({id, 2, 12, 2, 17}, "blur").note({id, 1, 1, 1, 5}, "'blur' defined here");
  EXPECT_EQ(renderText(diags.diagnostics(), sm),
            "a.fov:2:12: error: undefined name 'bluur'\n"
            "  out(x) = bluur(x);\n"
            "           ^~~~~\n"
            "           blur\n"
            "a.fov:1:1: note: 'blur' defined here\n"
            "line one\n"
            "^~~~\n");
}

TEST(Diagnostics, CaretCountsCodePointsAndKeepsTabs) {
  SourceManager sm;
  FileId id = sm.addFile("a.fov", "\t// é\tx\n");
  DiagnosticEngine diags(sm);
  diags.error({id, 1, 7, 1, 8}, "here");
  EXPECT_EQ(renderText(diags.diagnostics(), sm), "a.fov:1:7: error: here\n\t// é\tx\n\t    \t^\n");
}

TEST(Diagnostics, JsonHasEveryField) {
  SourceManager sm;
  FileId id = sm.addFile("dir/a \"q\".fov", "x\n");
  DiagnosticEngine diags(sm);
  diags.error({id, 1, 1, 1, 2}, "bad \"thing\"\n").note({}, "a note").fixit({id, 1, 1, 1, 2}, "y");
  std::string json = renderJson(diags.diagnostics(), sm);
  EXPECT_EQ(json,
            "{\"diagnostics\":[{\"file\":\"dir/a \\\"q\\\".fov\",\"line\":1,\"column\":1,\"endLine\":1,\"endColumn\":2,"
            "\"severity\":\"error\",\"message\":\"bad \\\"thing\\\"\\n\",\"notes\":[{\"file\":null,\"line\":null,\"column\":null,"
            "\"endLine\":null,\"endColumn\":null,\"message\":\"a note\"}],\"fixits\":[{\"file\":\"dir/a \\\"q\\\".fov\",\"line\":1,"
            "\"column\":1,\"endLine\":1,\"endColumn\":2,\"replacement\":\"y\"}]}]}\n");
}

TEST(Diagnostics, JsonEscapesControlAndInvalidBytes) {
  EXPECT_EQ(jsonEscape(std::string("a\x01\xff\xc3\xa9", 5)), "a\\u0001\\ufffd\xc3\xa9");
}

TEST(Diagnostics, StopsAfterTheErrorLimitAndDropsDuplicates) {
  SourceManager sm;
  FileId id = sm.addFile("a.fov", "x\n");
  DiagnosticEngine diags(sm, 3);
  diags.error({id, 1, 1, 1, 2}, "same");
  diags.error({id, 1, 1, 1, 2}, "same");
  EXPECT_EQ(diags.errorCount(), 1u);
  for (int i = 0; i < 10; ++i) diags.error({id, 1, 1, 1, 2}, "e" + std::to_string(i));
  EXPECT_EQ(diags.errorCount(), 3u);
  EXPECT_TRUE(diags.saturated());
  EXPECT_NE(diags.diagnostics().back().notes.back().message.find("too many errors"), std::string::npos);
}

TEST(Suggest, FindsCloseNamesOnly) {
  EXPECT_EQ(closestMatch("bluur", {"blur", "out", "input"}), std::optional<std::string>("blur"));
  EXPECT_EQ(closestMatch("inptu", {"blur", "out", "input"}), std::optional<std::string>("input"));
  EXPECT_EQ(closestMatch("zzz", {"blur", "out", "input"}), std::nullopt);
  EXPECT_EQ(editDistance("kitten", "sitting"), 3u);
}

}  // namespace
}  // namespace fovea
