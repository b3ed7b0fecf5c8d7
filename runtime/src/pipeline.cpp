// Loading a compiled pipeline, checking and binding its arguments, and calling it.
#include <dlfcn.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>

#include "fovea/model_backend.hpp"
#include "fovea/onnx_info.h"
#include "fovea/runtime.hpp"
#include "manifest.h"
#include "library_file.h"
#include "messages.h"

namespace fovea {
namespace fs = std::filesystem;

/// A pipeline that calls models: compiled segments and model nodes, run in order.
struct RuntimeNode {
  bool isModel = false;
  std::optional<Pipeline> segment;
  size_t model = 0;
  std::vector<std::string> inputs, outputs;  ///< value names ("input:x", "stage:t", "output:y")
};
struct RuntimeModel {
  std::string name, file;
  std::vector<ModelTensorInfo> inputs, outputs;
  std::shared_ptr<LoadedModel> loaded;
};

struct Pipeline::Impl {
  Signature signature;
  rt::Manifest manifest;  ///< the graph of a pipeline with models, the targets
  const fovea_pipeline_abi_v1* abi = nullptr;  ///< null for a pipeline with models
  std::shared_ptr<void> library;  ///< the dlopen handle (null for a linked pipeline)
  std::vector<RuntimeNode> graph;
  std::vector<RuntimeModel> models;

  Impl(const std::string& manifestText, const std::string& origin)
      : signature(Signature::fromManifest(manifestText, origin)), manifest(rt::parseManifest(manifestText, origin)) {}
};

namespace {

std::string readFile(const fs::path& p) {
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) throw Error(p.string() + ": is not a regular file");
  if (fs::file_size(p, ec) > (uint64_t{64} << 20)) throw Error(p.string() + ": is too large to be a manifest");
  std::ifstream in(p, std::ios::binary);
  if (!in) throw Error(p.string() + ": cannot be read");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::mutex& registryMutex() {
  static std::mutex m;
  return m;
}
std::vector<const fovea_pipeline_abi_v1*>& registry() {
  static std::vector<const fovea_pipeline_abi_v1*> r;
  return r;
}

std::shared_ptr<const Pipeline::Impl> makeImpl(const fovea_pipeline_abi_v1* abi, std::shared_ptr<void> library, const std::string& origin) {
  if (!abi || abi->abi_version < 1 || !abi->manifest || !abi->call || !abi->name) throw Error(origin + ": not a library written by fovea compile");
  auto impl = std::make_shared<Pipeline::Impl>(abi->manifest, origin);
  impl->abi = abi;
  impl->library = std::move(library);
  return impl;
}

std::shared_ptr<const Pipeline::Impl> loadSharedLibrary(const fs::path& so, const std::string& function, const std::string* manifestFileText = nullptr) {
  if (!fs::exists(so)) throw Error(so.string() + ": no such file");
  rt::checkLibraryFile(so.string());
  void* handle = dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) throw Error(so.string() + ": cannot be loaded: " + dlerror());
  std::shared_ptr<void> library(handle, [](void* h) { dlclose(h); });
  std::string symbol = function + FOVEA_PIPELINE_ABI_SUFFIX;
  using Entry = const fovea_pipeline_abi_v1* (*)();
  auto entry = reinterpret_cast<Entry>(dlsym(handle, symbol.c_str()));
  if (!entry) {
    throw Error(so.string() + ": has no " + symbol + "(): not the library of pipeline function '" + function +
                "' written by fovea compile (another pipeline's library, or one from an older version)");
  }
  const fovea_pipeline_abi_v1* abi = entry();
  // The manifest beside the library must be the one built into it: an edited or mismatched file
  // would describe arguments the code does not take.
  if (manifestFileText && abi && abi->manifest && *manifestFileText != abi->manifest) {
    throw Error(so.string() + ": its built-in manifest differs from " + function +
                ".manifest.json beside it (the file was edited, or the two come from different compiles): compile the pipeline again");
  }
  return makeImpl(abi, std::move(library), so.string());
}

std::vector<ModelTensorInfo> tensorInfos(const json::Value* list, const std::string& origin) {
  std::vector<ModelTensorInfo> out;
  if (!list) return out;
  for (const json::Value& t : list->items()) {
    ModelTensorInfo info;
    const json::Value* name = t.find("name");
    const json::Value* type = t.find("type");
    const json::Value* shape = t.find("shape");
    if (!name || !type || !shape) throw Error(origin + ": a model tensor without name, type or shape");
    info.name = name->asString();
    for (const json::Value& d : shape->items()) info.shape.push_back(static_cast<int64_t>(d.asNumber()));
    bool known = false;
    for (ElementType candidate : {ElementType::Bool, ElementType::U8, ElementType::U16, ElementType::U32, ElementType::I8, ElementType::I16,
                                  ElementType::I32, ElementType::F32, ElementType::F64}) {
      if (type->asString() == toString(candidate)) info.type = candidate, known = true;
    }
    if (!known) throw Error(origin + ": a model tensor of unknown type '" + type->asString() + "'");
    out.push_back(std::move(info));
  }
  return out;
}

std::string shapeText(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + (shape[i] < 0 ? std::string("?") : std::to_string(shape[i]));
  return s + "]";
}

/// A pipeline with models: its segments' libraries and its models, loaded once.
std::shared_ptr<const Pipeline::Impl> loadGraph(const fs::path& manifestPath, const std::string& text) {
  std::string origin = manifestPath.string();
  auto impl = std::make_shared<Pipeline::Impl>(text, origin);
  const json::Value& g = impl->manifest.graph;
  const json::Value* models = g.find("models");
  const json::Value* nodes = g.find("nodes");
  if (!models || !nodes) throw Error(origin + ": its graph has no nodes or models");
  std::shared_ptr<ModelBackend> backend = modelBackend();
  for (const json::Value& m : models->items()) {
    RuntimeModel model;
    model.name = m.find("name") ? m.find("name")->asString() : "?";
    model.file = (manifestPath.parent_path() / (m.find("file") ? m.find("file")->asString() : "")).string();
    model.inputs = tensorInfos(m.find("inputs"), origin);
    model.outputs = tensorInfos(m.find("outputs"), origin);
    std::string what = "pipeline '" + impl->manifest.pipeline + "': model '" + model.name + "' (" + model.file + ")";
    onnx::ModelInfo declared;
    try {
      declared = onnx::readModelInfo(model.file);
    } catch (const Error& e) {
      throw Error("pipeline '" + impl->manifest.pipeline + "': model '" + model.name + "': " + e.what());
    }
    // The file must still declare what the pipeline was compiled for.
    auto compare = [&](const std::vector<onnx::ValueInfo>& have, const std::vector<ModelTensorInfo>& want, const char* kind) {
      if (have.size() != want.size()) {
        throw Error(what + ": the file declares " + std::to_string(have.size()) + " " + kind + "s; the pipeline was compiled for " +
                    std::to_string(want.size()));
      }
      for (size_t i = 0; i < have.size(); ++i) {
        if (have[i].shape != want[i].shape || std::string(onnx::foveaTypeName(have[i].elemType)) != toString(want[i].type)) {
          throw Error(what + ": the file declares " + kind + " '" + have[i].name + "' as " + onnx::foveaTypeName(have[i].elemType) + " " +
                      shapeText(have[i].shape) + "; the pipeline was compiled for " + toString(want[i].type) + " " + shapeText(want[i].shape));
        }
      }
    };
    compare(declared.inputs, model.inputs, "input");
    compare(declared.outputs, model.outputs, "output");
    try {
      model.loaded = backend->load(model.file, model.inputs, model.outputs);
    } catch (const Error& e) {
      throw Error("pipeline '" + impl->manifest.pipeline + "': model '" + model.name + "': " + e.what());
    }
    impl->models.push_back(std::move(model));
  }
  auto strings = [&](const json::Value* list) {
    std::vector<std::string> out;
    if (list) {
      for (const json::Value& v : list->items()) out.push_back(v.asString());
    }
    return out;
  };
  for (const json::Value& n : nodes->items()) {
    RuntimeNode node;
    const json::Value* kind = n.find("kind");
    node.isModel = kind && kind->asString() == "model";
    node.inputs = strings(n.find("inputs"));
    node.outputs = strings(n.find("outputs"));
    if (node.isModel) {
      node.model = static_cast<size_t>(n.find("model") ? n.find("model")->asNumber() : 0);
      if (node.model >= impl->models.size()) throw Error(origin + ": a graph node names a model that is not there");
    } else {
      std::string library = n.find("library") ? n.find("library")->asString() : "";
      node.segment = Pipeline::open((manifestPath.parent_path() / ("lib" + library + ".so")).string(), library);
    }
    impl->graph.push_back(std::move(node));
  }
  return impl;
}

std::shared_ptr<const Pipeline::Impl> loadFromManifest(const fs::path& manifestPath) {
  std::string text = readFile(manifestPath);
  rt::Manifest m = rt::parseManifest(text, manifestPath.string());
  if (!m.graph.isNull()) return loadGraph(manifestPath, text);
  return loadSharedLibrary(manifestPath.parent_path() / ("lib" + m.function + ".so"), m.function, &text);
}

}  // namespace

const char* toString(ElementType t) {
  switch (t) {
    case ElementType::Bool: return "bool";
    case ElementType::U8: return "u8";
    case ElementType::U16: return "u16";
    case ElementType::U32: return "u32";
    case ElementType::I8: return "i8";
    case ElementType::I16: return "i16";
    case ElementType::I32: return "i32";
    case ElementType::F32: return "f32";
    case ElementType::F64: return "f64";
  }
  return "?";
}

halide_type_t halideType(ElementType t) {
  switch (t) {
    case ElementType::Bool: return halide_type_t(halide_type_uint, 1);
    case ElementType::U8: return halide_type_t(halide_type_uint, 8);
    case ElementType::U16: return halide_type_t(halide_type_uint, 16);
    case ElementType::U32: return halide_type_t(halide_type_uint, 32);
    case ElementType::I8: return halide_type_t(halide_type_int, 8);
    case ElementType::I16: return halide_type_t(halide_type_int, 16);
    case ElementType::I32: return halide_type_t(halide_type_int, 32);
    case ElementType::F32: return halide_type_t(halide_type_float, 32);
    case ElementType::F64: return halide_type_t(halide_type_float, 64);
  }
  return halide_type_t(halide_type_uint, 8);
}

std::pair<double, double> valueRange(ElementType t) {
  switch (t) {
    case ElementType::Bool: return {0, 1};
    case ElementType::U8: return {0, 255};
    case ElementType::U16: return {0, 65535};
    case ElementType::U32: return {0, 4294967295.0};
    case ElementType::I8: return {-128, 127};
    case ElementType::I16: return {-32768, 32767};
    case ElementType::I32: return {-2147483648.0, 2147483647.0};
    case ElementType::F32: return {-3.4028234663852886e38, 3.4028234663852886e38};
    case ElementType::F64: return {-1.7976931348623157e308, 1.7976931348623157e308};
  }
  return {0, 0};
}

Pipeline Pipeline::open(const std::string& path, const std::string& name) {
  fs::path p(path);
  std::error_code ec;
  if (fs::is_directory(p, ec)) {
    std::vector<fs::path> manifests;
    for (const auto& e : fs::directory_iterator(p, ec)) {
      std::string file = e.path().filename().string();
      if (file.size() <= 14 || file.compare(file.size() - 14, 14, ".manifest.json") != 0) continue;
      // NAME__s0.manifest.json: a segment of a pipeline with models, opened through that pipeline.
      static const std::regex segment(R"(.*__s[0-9]+\.manifest\.json)");
      if (!std::regex_match(file, segment)) manifests.push_back(e.path());
    }
    std::sort(manifests.begin(), manifests.end());
    if (!name.empty()) {
      fs::path m = p / (name + ".manifest.json");
      if (fs::exists(m)) return Pipeline(loadFromManifest(m));
      std::string have;
      for (const fs::path& f : manifests) have += (have.empty() ? "" : ", ") + f.filename().string().substr(0, f.filename().string().size() - 14);
      throw Error(path + ": has no pipeline '" + name + "'" + (have.empty() ? "" : " (it has: " + have + ")"));
    }
    if (manifests.empty()) throw Error(path + ": no NAME.manifest.json here: not a directory written by fovea compile");
    if (manifests.size() > 1) {
      std::string have;
      for (const fs::path& f : manifests) have += (have.empty() ? "" : ", ") + f.filename().string().substr(0, f.filename().string().size() - 14);
      throw Error(path + ": holds several pipelines (" + have + "): name one");
    }
    return Pipeline(loadFromManifest(manifests[0]));
  }
  if (!fs::exists(p, ec)) throw Error(path + ": no such file or directory");
  std::string file = p.filename().string();
  if (file.size() > 14 && file.compare(file.size() - 14, 14, ".manifest.json") == 0) return Pipeline(loadFromManifest(p));
  if (p.extension() == ".so") {
    std::string function = file.rfind("lib", 0) == 0 ? file.substr(3, file.size() - 6) : file.substr(0, file.size() - 3);
    if (!name.empty()) function = name;
    return Pipeline(loadSharedLibrary(p, function));
  }
  throw Error(path + ": expected a directory written by fovea compile, a NAME.manifest.json or a libNAME.so");
}

Pipeline Pipeline::fromLinked(const fovea_pipeline_abi_v1* abi) { return Pipeline(makeImpl(abi, nullptr, abi && abi->name ? abi->name : "linked pipeline")); }

Pipeline Pipeline::linked(const std::string& name) {
  std::lock_guard<std::mutex> lock(registryMutex());
  for (const fovea_pipeline_abi_v1* abi : registry()) {
    if (name == abi->name) return fromLinked(abi);
  }
  throw Error("no pipeline '" + name + "' is linked into this program");
}

std::vector<std::string> linkedPipelines() {
  std::lock_guard<std::mutex> lock(registryMutex());
  std::vector<std::string> out;
  for (const fovea_pipeline_abi_v1* abi : registry()) out.push_back(abi->name);
  return out;
}

const Signature& Pipeline::signature() const { return impl_->signature; }
const std::string& Pipeline::name() const { return impl_->signature.name(); }
const std::vector<ArgumentInfo>& Pipeline::arguments() const { return impl_->signature.arguments(); }
const std::vector<OutputInfo>& Pipeline::outputs() const { return impl_->signature.outputs(); }
const std::string& Pipeline::manifestText() const { return impl_->signature.manifestText(); }
std::vector<const ArgumentInfo*> Pipeline::inputs() const { return impl_->signature.inputs(); }
std::vector<const ArgumentInfo*> Pipeline::params() const { return impl_->signature.params(); }
std::string Pipeline::describe() const { return impl_->signature.describe(); }

std::vector<std::vector<int>> Pipeline::outputShapes(const std::vector<Image>& inputs, const Params& params) const {
  impl_->signature.checkInputs(inputs);
  return impl_->signature.outputShapes(inputs, impl_->signature.resolveParams(params));
}

namespace {

/// Runs a pipeline with models: each node in order, values passed by name.
void runGraph(const Pipeline::Impl& impl, const std::vector<Image>& inputs, const Params& params, std::vector<Image>& outputs) {
  const rt::Manifest& m = impl.manifest;
  std::map<std::string, Image> values;
  std::vector<const ArgumentInfo*> inputArgs = impl.signature.inputs();
  for (size_t k = 0; k < inputArgs.size(); ++k) values["input:" + inputArgs[k]->name] = inputs[k];
  auto get = [&](const std::string& name) -> const Image& {
    auto it = values.find(name);
    if (it == values.end()) throw Error("pipeline '" + m.pipeline + "': its graph reads '" + name + "' before anything produced it");
    return it->second;
  };
  for (const RuntimeNode& node : impl.graph) {
    std::vector<Image> in;
    for (const std::string& v : node.inputs) in.push_back(get(v));
    if (node.isModel) {
      const RuntimeModel& model = impl.models[node.model];
      std::string what = "pipeline '" + m.pipeline + "': model '" + model.name + "'";
      for (size_t i = 0; i < in.size() && i < model.inputs.size(); ++i) {
        std::vector<int64_t> shape;
        for (int d = in[i].dimensions(); d-- > 0;) shape.push_back(in[i].dim(d).extent());
        if (shape != model.inputs[i].shape || in[i].type() != halideType(model.inputs[i].type)) {
          throw Error(what + ": input '" + model.inputs[i].name + "' must be " + toString(model.inputs[i].type) + " " + shapeText(model.inputs[i].shape) +
                      " (ONNX order), got " + shapeText(shape));
        }
      }
      std::vector<Image> out;
      model.loaded->run(in, out);
      if (out.size() != node.outputs.size()) throw Error(what + ": the backend returned " + std::to_string(out.size()) + " outputs");
      for (size_t o = 0; o < out.size() && o < model.outputs.size(); ++o) {
        const std::vector<int64_t>& want = model.outputs[o].shape;
        bool fits = out[o].dimensions() == static_cast<int>(want.size()) && out[o].type() == halideType(model.outputs[o].type);
        for (size_t d = 0; fits && d < want.size(); ++d) fits = want[d] < 0 || out[o].dim(static_cast<int>(want.size() - 1 - d)).extent() == want[d];
        if (!fits) throw Error(what + ": output '" + model.outputs[o].name + "' does not have the declared shape " + shapeText(want));
      }
      for (size_t o = 0; o < out.size(); ++o) values[node.outputs[o]] = out[o];
      continue;
    }
    const Pipeline& segment = *node.segment;
    bool last = &node == &impl.graph.back();
    try {
      if (last) {
        segment.run(in, params, outputs);
        continue;
      }
      // Tensors for a model: dense, x innermost, as ONNX lays them out (never interleaved).
      std::vector<std::vector<int>> shapes = segment.outputShapes(in, params);
      std::vector<Image> out;
      for (size_t o = 0; o < shapes.size(); ++o) out.emplace_back(halideType(segment.outputs()[o].type), shapes[o]);
      segment.run(in, params, out);
      for (size_t o = 0; o < out.size(); ++o) values[node.outputs[o]] = out[o];
    } catch (const Error& e) {
      // Say it as the pipeline the caller opened: the segment is an implementation detail.
      std::string text = e.what();
      std::string prefix = "pipeline '" + segment.name() + "': ";
      if (text.rfind(prefix, 0) == 0) text = text.substr(prefix.size());
      std::string part = last ? "after its models" : "computing the input of a model";
      throw Error("pipeline '" + m.pipeline + "' (" + part + "): " + text);
    }
  }
}

}  // namespace

void Pipeline::run(const std::vector<Image>& inputs, const Params& params, std::vector<Image>& outputs) const {
  const Impl& impl = *impl_;
  const rt::Manifest& m = impl.manifest;
  impl.signature.checkInputs(inputs);
  std::vector<double> values = impl.signature.resolveParams(params);
  if (!impl.graph.empty()) {
    runGraph(impl, inputs, params, outputs);
    return;
  }
  impl.signature.prepareOutputs(inputs, values, outputs);

  // Scalars are passed by pointer to a value of the parameter's own type.
  union Scalar {
    bool b;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    int8_t i8;
    int16_t i16;
    int32_t i32;
    float f32;
    double f64;
  };
  std::vector<Scalar> scalars(values.size());
  // The compiled code may record device state in the buffers it gets: give it copies of the
  // descriptors, never the caller's own.
  std::vector<halide_buffer_t> inputBuffers(inputs.size());
  std::vector<void*> argv;
  size_t nextInput = 0, nextParam = 0;
  for (const ArgumentInfo& a : m.arguments) {
    if (a.kind == ArgumentInfo::Kind::Input) {
      inputBuffers[nextInput] = *inputs[nextInput].raw_buffer();
      argv.push_back(&inputBuffers[nextInput]);
      ++nextInput;
      continue;
    }
    Scalar& s = scalars[nextParam];
    double v = values[nextParam++];
    switch (a.type) {
      case ElementType::Bool: s.b = v != 0; break;
      case ElementType::U8: s.u8 = static_cast<uint8_t>(v); break;
      case ElementType::U16: s.u16 = static_cast<uint16_t>(v); break;
      case ElementType::U32: s.u32 = static_cast<uint32_t>(v); break;
      case ElementType::I8: s.i8 = static_cast<int8_t>(v); break;
      case ElementType::I16: s.i16 = static_cast<int16_t>(v); break;
      case ElementType::I32: s.i32 = static_cast<int32_t>(v); break;
      case ElementType::F32: s.f32 = static_cast<float>(v); break;
      case ElementType::F64: s.f64 = v; break;
    }
    argv.push_back(&s);
  }
  // Outputs too: device memory the call allocates stays in these copies, never in the caller's.
  std::vector<halide_buffer_t> outputBuffers(outputs.size());
  for (size_t o = 0; o < outputs.size(); ++o) {
    outputBuffers[o] = *outputs[o].raw_buffer();
    argv.push_back(&outputBuffers[o]);
  }

  int code = impl.abi->call(argv.data());
  std::string message = code != 0 && impl.abi->last_error ? impl.abi->last_error() : "";
  // Bring GPU results home (when the call succeeded) and free what the call allocated on the device.
  std::string deviceError;
  auto release = [&](halide_buffer_t& b, uint64_t callerDevice, bool copyBack) {
    if (!b.device || b.device == callerDevice || !b.device_interface) return;
    if (copyBack && (b.flags & halide_buffer_flag_device_dirty) && b.device_interface->copy_to_host(nullptr, &b) != 0) {
      deviceError = "copying the result back from the GPU failed";
    }
    b.device_interface->device_free(nullptr, &b);
  };
  for (size_t k = 0; k < inputBuffers.size(); ++k) release(inputBuffers[k], inputs[k].raw_buffer()->device, false);
  for (size_t o = 0; o < outputBuffers.size(); ++o) release(outputBuffers[o], outputs[o].raw_buffer()->device, code == 0);
  if (code != 0) throw Error(impl.signature.explainFailure(code, message));
  if (!deviceError.empty()) throw Error("pipeline '" + m.pipeline + "': " + deviceError);
}

std::vector<Image> Pipeline::run(const std::vector<Image>& inputs, const Params& params) const {
  std::vector<Image> outputs;
  run(inputs, params, outputs);
  return outputs;
}

}  // namespace fovea

extern "C" void fovea_register_linked_pipeline(const fovea_pipeline_abi_v1* abi) {
  if (!abi) return;
  std::lock_guard<std::mutex> lock(fovea::registryMutex());
  fovea::registry().push_back(abi);
}
