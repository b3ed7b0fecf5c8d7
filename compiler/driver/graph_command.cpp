// `fovea graph FILE.fov -o OUT.dot|OUT.svg|OUT.png`: the stage graph with what the schedule fused.
#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>

#include "codegen/library.h"
#include "codegen/targets.h"
#include "driver/commands.h"
#include "support/files.h"

namespace fovea::driver {
namespace fs = std::filesystem;

void helpGraphCommand() {
  fmt::print(
      "usage: fovea graph FILE.fov [options] -o OUT.dot|OUT.svg|OUT.png\n\n"
      "Draws a pipeline's stages and how they read each other (pointwise, stencil, gather), with the\n"
      "schedule's decisions: inlined stages dashed, stages computed per strip of a consumer boxed\n"
      "together with it (a fusion group), stages computed in full in orange, outputs outlined green.\n"
      "SVG and PNG need Graphviz's `dot` (Debian package graphviz).\n\n"
      "options:\n"
      "  -o PATH             output file: .dot, .svg or .png\n"
      "  --pipeline NAME     the pipeline to draw (needed when the file defines several)\n"
      "  --schedule S        heuristic (default) | none | FILE.json\n"
      "  --target T          the target the schedule is planned for (default host)\n"
      "  --stdlib=DIR        where 'import std.<name>;' looks\n"
      "  -h, --help          show this help\n");
}

namespace {

int fail(const std::string& message) { return driver::fail("graph", message); }

}  // namespace

int runGraph(const std::vector<std::string>& args) {
  std::string file, pipelineName, out, strategy = "heuristic", targetSpec = "host";
  compiler::Options options{defaultStdlibDir(), {}, {}};
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      helpGraphCommand();
      return 0;
    }
    bool takesValue = a == "-o" || a == "--pipeline" || a == "--schedule" || a == "--target";
    if (takesValue && i + 1 >= args.size()) return usageError("graph", fmt::format("{} needs a value", a));
    if (a == "-o") out = args[++i];
    else if (a == "--pipeline") pipelineName = args[++i];
    else if (a == "--schedule") strategy = args[++i];
    else if (a == "--target") targetSpec = args[++i];
    else if (a.rfind("--stdlib=", 0) == 0) options.stdlibDir = a.substr(9);
    else if (a.size() > 1 && a[0] == '-') return usageError("graph", fmt::format("unknown option '{}'", a));
    else if (file.empty()) file = a;
    else return usageError("graph", fmt::format("one script at a time ('{}' and '{}')", file, a));
  }
  if (file.empty()) return usageError("graph", "no script given");
  if (out.empty()) return usageError("graph", "no output file (-o OUT.dot, OUT.svg or OUT.png)");
  std::string ext = fs::path(out).extension().string();
  if (ext != ".dot" && ext != ".svg" && ext != ".png") return usageError("graph", "the output must end in .dot, .svg or .png");
  std::string error;
  Result<std::vector<Halide::Target>> targets = parseTargets(targetSpec);
  if (!targets) return report("graph", targets.failure());
  if (targets->size() != 1) return usageError("graph", "--target takes one target");
  // Where the drawing goes is checked before any work.
  std::error_code ec;
  if (fs::is_directory(out, ec)) return usageError("graph", fmt::format("output path '{}' is a directory", out));
  std::string outDir = fs::path(out).parent_path().string();
  if (std::string why = whyNotWritableDirectory(outDir.empty() ? "." : outDir); !why.empty()) {
    return fail(fmt::format("cannot write '{}': directory '{}' {}", out, outDir.empty() ? "." : outDir, why));
  }

  compiler::Result<compiler::Program> program = compiler::load(file, options);
  if (!program) return report("graph", program.failure());
  printWarnings(*program);
  compiler::Result<const ir::Pipeline*> p = program->pipeline(pipelineName);
  if (!p) return report("graph", p.failure());
  compiler::Result<std::string> drawn = compiler::graph(*program, **p, strategy, (*targets)[0]);
  if (!drawn) return report("graph", drawn.failure());
  const std::string& dot = *drawn;
  if (ext == ".dot") {
    if (Status w = writeFileAtomically(out, dot); !w) return fail(fmt::format("cannot write '{}': {}", out, w.failure().message));
    fmt::print("wrote {}\n", out);
    return 0;
  }
  fs::path source = fs::temp_directory_path() / fmt::format("fovea-graph-{}.dot", ::getpid());
  if (Status w = writeFileAtomically(source.string(), dot); !w) return fail(fmt::format("cannot write a temporary file: {}", w.failure().message));
  // Graphviz writes to a temporary name beside the output, renamed when it succeeded.
  Status rendered = writeAtomically(out, [&](const std::string& tmp) -> Status {
    ProcessResult r = runProcess({"dot", "-T" + ext.substr(1), source.string(), "-o", tmp});
    if (r.status == 0) return ok();
    return Failure::compile(r.status == -1 && r.output.rfind("cannot run", 0) == 0
                                ? "Graphviz's `dot` is not installed (apt-get install graphviz), or write a .dot file instead"
                                : "Graphviz failed: " + r.output.substr(0, r.output.find('\n')));
  });
  fs::remove(source, ec);
  if (!rendered) return fail(fmt::format("cannot write '{}': {}", out, rendered.failure().message));
  fmt::print("wrote {}\n", out);
  return 0;
}

}  // namespace fovea::driver
