// `fovea run DIR`: a compiled library, loaded and run through Fovea's runtime (what a product does).
#include <filesystem>

#include "driver/run_engine.h"
#include "fovea/runtime.hpp"

namespace fovea::driver {
namespace {
namespace fs = std::filesystem;

ScalarType scalarTypeOf(ElementType t) { return parseScalarType(toString(t)).value_or(ScalarType::U8); }

class ArtifactEngine : public RunEngine {
 public:
  explicit ArtifactEngine(Pipeline p) : RunEngine(p.signature()), pipeline_(std::move(p)) {}
  std::string what() const override { return "compiled library"; }
  void run(const std::vector<RuntimeBuffer>& inputs, const Params& params, std::vector<RuntimeBuffer>& outputs) override {
    try {
      pipeline_.run(inputs, params, outputs);
    } catch (const std::exception& e) {  // fovea::Error, and std::bad_alloc for images too large
      throw RunFailure(e.what());
    }
  }

 private:
  Pipeline pipeline_;
};

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

std::unique_ptr<RunEngine> openArtifact(const std::string& path, const std::string& pipeline, std::string& error) {
  try {
    return std::make_unique<ArtifactEngine>(Pipeline::open(path, pipeline));
  } catch (const Error& e) {
    error = e.what();
    return nullptr;
  }
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
