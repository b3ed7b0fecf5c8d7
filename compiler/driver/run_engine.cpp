// What `fovea run` runs: a compiled library loaded through Fovea's runtime (what a product does),
// or a script JIT-compiled by the compiler API; both behind one RunEngine.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "driver/run_engine.h"
#include "fovea/runtime.hpp"

namespace fovea::driver {
namespace {
namespace fs = std::filesystem;

ScalarType scalarTypeOf(ElementType t) { return parseScalarType(toString(t)).value_or(ScalarType::U8); }

}  // namespace

RunSignature runSignatureOf(const Signature& s) {
  RunSignature sig;
  sig.pipeline = s.name();
  for (const ArgumentInfo* a : s.inputs()) sig.inputs.push_back({a->name, scalarTypeOf(a->type), a->dims});
  for (const ArgumentInfo* a : s.params()) sig.params.push_back({a->name, scalarTypeOf(a->type), a->defaultValue, a->min, a->max});
  for (const OutputInfo& o : s.outputs()) sig.outputs.push_back({o.name, scalarTypeOf(o.type), o.dims});
  return sig;
}

bool isArtifactPath(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return true;
  std::string file = fs::path(path).filename().string();
  auto endsWith = [&](const std::string& s) { return file.size() >= s.size() && file.compare(file.size() - s.size(), s.size(), s) == 0; };
  return endsWith(".manifest.json") || endsWith(".so");
}

void RunEngine::run(const std::vector<RuntimeBuffer>& inputs, const Params& params, std::vector<RuntimeBuffer>& outputs) const {
  try {
    runner_(inputs, params, outputs);
  } catch (const std::exception& e) {  // fovea::Error, and std::bad_alloc for images too large
    throw RunFailure(e.what());
  }
}

Result<std::unique_ptr<RunEngine>> openArtifact(const std::string& path, const std::string& pipeline) {
  try {
    auto p = std::make_shared<Pipeline>(Pipeline::open(path, pipeline));
    return std::make_unique<RunEngine>(p->signature(), "compiled library",
                                       [p](const std::vector<RuntimeBuffer>& in, const Params& params, std::vector<RuntimeBuffer>& out) { p->run(in, params, out); });
  } catch (const Error& e) {
    return Failure::input(e.what());
  }
}

namespace {

Result<double> parseValue(const std::string& text, const RunParam& param) {
  if (param.type == ScalarType::Bool && (text == "true" || text == "false")) return text == "true" ? 1.0 : 0.0;
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || std::isspace(static_cast<unsigned char>(text[0]))) {
    return Failure::usage(param.type == ScalarType::Bool ? "is not true, false, 0 or 1" : "is not a number");
  }
  if (errno == ERANGE && std::isinf(v)) return Failure::usage("is too large for any number type");
  return v;
}

}  // namespace

Result<Params> paramsFromSets(const std::map<std::string, std::string>& sets, const Signature& contract) {
  RunSignature sig = runSignatureOf(contract);
  Params out;
  for (const auto& [name, text] : sets) {
    auto it = std::find_if(sig.params.begin(), sig.params.end(), [&](const RunParam& rp) { return rp.name == name; });
    if (it == sig.params.end()) {
      out[name] = 0;  // resolveParams names the unknown parameter
      continue;
    }
    Result<double> value = parseValue(text, *it);
    if (!value) return value.failure().context(fmt::format("--set {}: '{}' ", name, text));
    out[name] = *value;
  }
  try {
    contract.resolveParams(out);
  } catch (const Error& e) {
    return Failure::usage(fmt::format("--set: {}", e.what()));
  }
  return out;
}

compiler::Result<std::unique_ptr<RunEngine>> openScript(const compiler::Program& program, const ir::Pipeline& p, const std::string& strategy,
                                                        const Halide::Target& target, double* compileMs) {
  auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    if (compileMs) *compileMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  };
  if (p.models.empty()) {
    compiler::Result<std::unique_ptr<compiler::JitPipeline>> jit = compiler::jit(program, p, strategy, target);
    if (!jit) return jit.failure();
    elapsed();
    return jitEngine(std::move(*jit));
  }
  // Models run through the runtime: the script is compiled to a library in a scratch directory (for
  // this machine) and loaded from there.
  std::string pattern = (fs::temp_directory_path() / "fovea-run-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) {
    return Failure::compile("cannot create a scratch directory to compile the models' pipeline in");
  }
  fs::path scratch = pattern;
  compiler::Result<compiler::Library> library = compiler::emitLibrary(program, p, {scratch.string(), {target}, strategy, "", {}});
  if (!library) {
    std::error_code ec;
    fs::remove_all(scratch, ec);
    return library.failure();
  }
  Result<std::unique_ptr<RunEngine>> engine = openArtifact(scratch.string(), p.name);
  std::error_code ec;
  fs::remove_all(scratch, ec);  // the libraries stay loaded
  elapsed();
  return engine;
}

std::unique_ptr<RunEngine> jitEngine(std::unique_ptr<compiler::JitPipeline> jit) {
  std::shared_ptr<compiler::JitPipeline> p = std::move(jit);
  std::string what = fmt::format("{} schedule, {}", p->schedule().strategy, p->target().to_string());
  return std::make_unique<RunEngine>(p->signature(), what,
                                     [p](const std::vector<RuntimeBuffer>& in, const Params& params, std::vector<RuntimeBuffer>& out) { p->run(in, params, out); });
}

ElementType elementTypeOf(ScalarType t) {
  for (ElementType e : {ElementType::Bool, ElementType::U8, ElementType::U16, ElementType::U32, ElementType::I8, ElementType::I16, ElementType::I32,
                        ElementType::F32, ElementType::F64}) {
    if (toString(t) == std::string(toString(e))) return e;
  }
  return ElementType::U8;
}

halide_type_t runtimeType(ScalarType t) { return halideType(elementTypeOf(t)); }

}  // namespace fovea::driver
