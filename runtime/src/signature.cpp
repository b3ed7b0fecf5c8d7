// The checks every call of a pipeline makes, from its manifest alone: parameters, inputs, output
// sizes. Compiled libraries and `fovea run`'s JIT share them.
#include <cmath>
#include <cstdlib>
#include <new>
#include <sstream>

#include "fovea/runtime.hpp"
#include "fovea/size_rule.hpp"
#include "manifest.h"
#include "messages.h"

namespace fovea {

struct Signature::Impl {
  rt::Manifest manifest;
  std::string manifestText;
  std::vector<size_t> inputArgs, paramArgs;  ///< indices into manifest.arguments
};

namespace {

std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

std::string signatureText(const std::string& type, const std::vector<std::string>& dims) {
  std::string s = type + "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + dims[i];
  return s + "]";
}

void* allocateOrThrow(size_t bytes) {
  void* p = std::malloc(bytes);
  if (!p) throw std::bad_alloc();
  return p;
}

/// A buffer of this type and shape: interleaved when 3-D with at most 4 channels.
Image allocate(halide_type_t type, const std::vector<int>& shape) {
  std::vector<halide_dimension_t> dims(shape.size());
  bool interleaved = shape.size() == 3 && shape[2] <= 4;
  int stride = 1;
  if (interleaved) {
    dims[2] = {0, shape[2], 1, 0};
    dims[0] = {0, shape[0], shape[2], 0};
    dims[1] = {0, shape[1], shape[0] * shape[2], 0};
  } else {
    for (size_t d = 0; d < shape.size(); ++d) {
      dims[d] = {0, shape[d], stride, 0};
      stride *= shape[d];
    }
  }
  Image image(type, nullptr, static_cast<int>(shape.size()), dims.data());
  image.allocate(allocateOrThrow, std::free);
  return image;
}

bool hasShape(const Image& b, halide_type_t type, const std::vector<int>& shape) {
  if (!b.raw_buffer() || !b.data() || b.type() != type || b.dimensions() != static_cast<int>(shape.size())) return false;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (b.dim(static_cast<int>(d)).extent() != shape[d] || b.dim(static_cast<int>(d)).min() != 0) return false;
  }
  return true;
}

}  // namespace

Signature Signature::fromManifest(const std::string& manifestText, const std::string& origin) {
  auto impl = std::make_shared<Impl>();
  impl->manifest = rt::parseManifest(manifestText, origin);
  impl->manifestText = manifestText;
  for (size_t i = 0; i < impl->manifest.arguments.size(); ++i) {
    (impl->manifest.arguments[i].kind == ArgumentInfo::Kind::Input ? impl->inputArgs : impl->paramArgs).push_back(i);
  }
  return Signature(std::move(impl));
}

const std::string& Signature::name() const { return impl_->manifest.pipeline; }
const std::string& Signature::function() const { return impl_->manifest.function; }
const std::vector<ArgumentInfo>& Signature::arguments() const { return impl_->manifest.arguments; }
const std::vector<OutputInfo>& Signature::outputs() const { return impl_->manifest.outputs; }
const std::string& Signature::manifestText() const { return impl_->manifestText; }

std::vector<const ArgumentInfo*> Signature::inputs() const {
  std::vector<const ArgumentInfo*> out;
  for (size_t i : impl_->inputArgs) out.push_back(&impl_->manifest.arguments[i]);
  return out;
}

std::vector<const ArgumentInfo*> Signature::params() const {
  std::vector<const ArgumentInfo*> out;
  for (size_t i : impl_->paramArgs) out.push_back(&impl_->manifest.arguments[i]);
  return out;
}

std::vector<double> Signature::resolveParams(const Params& given) const {
  const rt::Manifest& m = impl_->manifest;
  for (const auto& [name, value] : given) {
    bool known = false;
    for (size_t i : impl_->paramArgs) known = known || m.arguments[i].name == name;
    if (!known) {
      std::string have;
      for (size_t i : impl_->paramArgs) have += (have.empty() ? "" : ", ") + m.arguments[i].name;
      throw Error("pipeline '" + m.pipeline + "' has no parameter '" + name + "'" + (have.empty() ? " (it has none)" : " (it has: " + have + ")"));
    }
  }
  std::vector<double> values;
  for (size_t i : impl_->paramArgs) {
    const ArgumentInfo& a = m.arguments[i];
    auto it = given.find(a.name);
    std::string what = "pipeline '" + m.pipeline + "': parameter '" + a.name + "'";
    if (it == given.end()) {
      if (!a.defaultValue) throw Error(what + " has no default: give it a value");
      values.push_back(*a.defaultValue);
      continue;
    }
    double v = it->second;
    bool isFloat = a.type == ElementType::F32 || a.type == ElementType::F64;
    if (!std::isfinite(v)) throw Error(what + " is " + number(v) + ": not a finite number");
    if (!isFloat && v != std::floor(v)) throw Error(what + " is " + toString(a.type) + ": " + number(v) + " is not an integer");
    if (a.type == ElementType::Bool && v != 0 && v != 1) throw Error(what + " is bool: give 0 or 1 (false or true)");
    if (auto [lo, hi] = valueRange(a.type); v < lo || v > hi) {
      throw Error(what + " is " + toString(a.type) + ": " + number(v) + " does not fit (" + number(lo) + " to " + number(hi) + ")");
    }
    if ((a.min && v < *a.min) || (a.max && v > *a.max)) {
      throw Error(what + " is " + number(v) + ", outside its range [" + (a.min ? number(*a.min) : "") + ", " + (a.max ? number(*a.max) : "") + "]");
    }
    values.push_back(v);
  }
  return values;
}

void Signature::checkInputs(const std::vector<Image>& inputs) const {
  const rt::Manifest& m = impl_->manifest;
  if (inputs.size() != impl_->inputArgs.size()) {
    throw Error("pipeline '" + m.pipeline + "' takes " + std::to_string(impl_->inputArgs.size()) + " input" +
                (impl_->inputArgs.size() == 1 ? "" : "s") + ", got " + std::to_string(inputs.size()));
  }
  for (size_t k = 0; k < inputs.size(); ++k) {
    const ArgumentInfo& a = m.arguments[impl_->inputArgs[k]];
    const Image& in = inputs[k];
    std::string what = "pipeline '" + m.pipeline + "': input '" + a.name + "' (" + signatureText(toString(a.type), a.dims) + ")";
    if (!in.raw_buffer() || (!in.data() && !in.raw_buffer()->device)) throw Error(what + ": no image given (the buffer has no memory)");
    if (in.type() != halideType(a.type)) {
      std::string got = in.type().code == halide_type_float ? "f" : in.type().code == halide_type_int ? "i" : "u";
      throw Error(what + ": got " + got + std::to_string(in.type().bits) + " elements");
    }
    if (in.dimensions() != static_cast<int>(a.dims.size())) {
      throw Error(what + ": got " + std::to_string(in.dimensions()) + " dimension" + (in.dimensions() == 1 ? "" : "s") + ", expected " +
                  std::to_string(a.dims.size()));
    }
    for (int d = 0; d < in.dimensions(); ++d) {
      if (in.dim(d).extent() <= 0) throw Error(what + ": dimension '" + a.dims[d] + "' is empty");
    }
  }
}

std::vector<std::vector<int>> Signature::outputShapes(const std::vector<Image>& inputs, const std::vector<double>& values) const {
  const rt::Manifest& m = impl_->manifest;
  std::vector<std::vector<int64_t>> extents;
  for (const Image& in : inputs) {
    std::vector<int64_t> e;
    for (int d = 0; d < in.dimensions(); ++d) e.push_back(in.dim(d).extent());
    extents.push_back(std::move(e));
  }
  std::vector<std::vector<int>> out;
  for (size_t o = 0; o < m.outputs.size(); ++o) {
    const OutputInfo& info = m.outputs[o];
    std::vector<int> shape;
    for (size_t d = 0; d < m.sizeRules[o].size(); ++d) {
      std::string rule = d < info.sizeText.size() ? info.sizeText[d] : "its size rule";
      std::string where = "pipeline '" + m.pipeline + "': output '" + info.name + "', dimension '" + info.dims[d] + "' (" + rule + ")";
      double e = 0;
      try {
        e = evaluateSizeRule(m.sizeRules[o][d], values, extents);
      } catch (const Error& error) {
        throw Error(where + ": " + error.what());
      }
      if (e <= 0 || e > 2147483647.0) throw Error(where + " would have " + number(e) + " elements for these inputs");
      shape.push_back(static_cast<int>(e));
    }
    // Halide's buffers address at most 2^31 - 1 bytes (without the large_buffers feature).
    double bytes = halideType(info.type).bytes();
    for (int e : shape) bytes *= e;
    if (bytes > 2147483647.0) {
      throw Error("pipeline '" + m.pipeline + "': output '" + info.name + "' would take " + number(bytes / 1e9) +
                  " GB for these inputs: more than a compiled pipeline can address (2 GB)");
    }
    out.push_back(std::move(shape));
  }
  return out;
}

void Signature::prepareOutputs(const std::vector<Image>& inputs, const std::vector<double>& values, std::vector<Image>& outputs) const {
  const rt::Manifest& m = impl_->manifest;
  std::vector<std::vector<int>> want = outputShapes(inputs, values);
  outputs.resize(m.outputs.size());
  for (size_t o = 0; o < m.outputs.size(); ++o) {
    halide_type_t type = halideType(m.outputs[o].type);
    if (hasShape(outputs[o], type, want[o])) continue;
    try {
      outputs[o] = allocate(type, want[o]);
    } catch (const std::bad_alloc&) {
      double bytes = type.bytes();
      for (int e : want[o]) bytes *= e;
      throw Error("pipeline '" + m.pipeline + "': not enough memory for output '" + m.outputs[o].name + "' (" + number(bytes / 1e6) + " MB)");
    }
  }
}

std::string Signature::explainFailure(int code, const std::string& message) const { return rt::explainFailure(impl_->manifest, code, message); }

std::string Signature::describe() const {
  const rt::Manifest& m = impl_->manifest;
  std::string s = "pipeline " + m.pipeline + "(";
  bool first = true;
  for (const ArgumentInfo& a : m.arguments) {
    s += first ? "" : ", ";
    first = false;
    if (a.kind == ArgumentInfo::Kind::Input) {
      s += a.name + ": " + signatureText(toString(a.type), a.dims);
      continue;
    }
    s += a.name + ": " + toString(a.type);
    if (a.defaultValue) s += " = " + number(*a.defaultValue);
    if (a.min || a.max) s += " in [" + (a.min ? number(*a.min) : "") + ", " + (a.max ? number(*a.max) : "") + "]";
  }
  s += ") -> (";
  for (size_t o = 0; o < m.outputs.size(); ++o) {
    const OutputInfo& out = m.outputs[o];
    s += (o ? ", " : "") + out.name + ": " + signatureText(toString(out.type), out.dims) + " size (";
    for (size_t d = 0; d < out.sizeText.size(); ++d) s += (d ? ", " : "") + out.sizeText[d];
    s += ")";
  }
  s += ")";
  if (!m.targets.empty()) {
    s += "\n  targets:";
    for (const std::string& t : m.targets) s += " " + t;
  }
  return s;
}

}  // namespace fovea
