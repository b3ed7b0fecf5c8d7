// What `fovea run` runs: a compiled library loaded through Fovea's runtime (what a product does),
// or a script JIT-compiled by the compiler API; both behind one RunEngine.
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

std::unique_ptr<RunEngine> openArtifact(const std::string& path, const std::string& pipeline, std::string& error) {
  try {
    auto p = std::make_shared<Pipeline>(Pipeline::open(path, pipeline));
    return std::make_unique<RunEngine>(p->signature(), "compiled library",
                                       [p](const std::vector<RuntimeBuffer>& in, const Params& params, std::vector<RuntimeBuffer>& out) { p->run(in, params, out); });
  } catch (const Error& e) {
    error = e.what();
    return nullptr;
  }
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
