// The C interface (fovea/runtime.h) over the C++ one.
#include <cmath>
#include <string>

#include "fovea/runtime.h"
#include "fovea/runtime.hpp"

struct fovea_pipeline {
  fovea::Pipeline pipeline;
};

namespace {

thread_local std::string lastError;

int failWith(const std::string& message) {
  lastError = message;
  return 1;
}

template <typename F>
int guarded(F&& f) {
  try {
    lastError.clear();
    f();
    return 0;
  } catch (const std::exception& e) {
    return failWith(e.what());
  } catch (...) {
    return failWith("unknown failure");
  }
}

std::vector<fovea::Image> wrapInputs(const fovea_pipeline* p, const halide_buffer_t* const* inputs) {
  std::vector<fovea::Image> out;
  size_t n = p->pipeline.inputs().size();
  if (n > 0 && !inputs) throw fovea::Error("pipeline '" + p->pipeline.name() + "': no inputs given");
  for (size_t i = 0; i < n; ++i) {
    if (!inputs[i]) throw fovea::Error("pipeline '" + p->pipeline.name() + "': input '" + p->pipeline.inputs()[i]->name + "' is NULL");
    out.emplace_back(*inputs[i]);
  }
  return out;
}

fovea::Params wrapParams(const fovea_pipeline* p, const double* params) {
  fovea::Params out;
  if (!params) return out;
  std::vector<const fovea::ArgumentInfo*> info = p->pipeline.params();
  for (size_t i = 0; i < info.size(); ++i) {
    if (!std::isnan(params[i])) out[info[i]->name] = params[i];
  }
  return out;
}

}  // namespace

extern "C" {

int fovea_open(const char* path, const char* name, fovea_pipeline** out) {
  if (!out) return failWith("fovea_open: out is NULL");
  *out = nullptr;
  if (!path) return failWith("fovea_open: path is NULL");
  return guarded([&] { *out = new fovea_pipeline{fovea::Pipeline::open(path, name ? name : "")}; });
}

int fovea_open_linked(const struct fovea_pipeline_abi_v1* abi, fovea_pipeline** out) {
  if (!out) return failWith("fovea_open_linked: out is NULL");
  *out = nullptr;
  return guarded([&] { *out = new fovea_pipeline{fovea::Pipeline::fromLinked(abi)}; });
}

void fovea_close(fovea_pipeline* p) { delete p; }

const char* fovea_name(const fovea_pipeline* p) { return p ? p->pipeline.name().c_str() : ""; }
const char* fovea_manifest(const fovea_pipeline* p) { return p ? p->pipeline.manifestText().c_str() : ""; }
int fovea_input_count(const fovea_pipeline* p) { return p ? static_cast<int>(p->pipeline.inputs().size()) : 0; }
int fovea_param_count(const fovea_pipeline* p) { return p ? static_cast<int>(p->pipeline.params().size()) : 0; }
int fovea_output_count(const fovea_pipeline* p) { return p ? static_cast<int>(p->pipeline.outputs().size()) : 0; }

const char* fovea_param_name(const fovea_pipeline* p, int i) {
  if (!p || i < 0 || i >= fovea_param_count(p)) return nullptr;
  return p->pipeline.params()[static_cast<size_t>(i)]->name.c_str();
}

int fovea_output_dimensions(const fovea_pipeline* p, int output) {
  if (!p || output < 0 || output >= fovea_output_count(p)) return -1;
  return static_cast<int>(p->pipeline.outputs()[static_cast<size_t>(output)].dims.size());
}

int fovea_output_shape(const fovea_pipeline* p, const halide_buffer_t* const* inputs, const double* params, int output, int* extents) {
  if (!p || !extents) return failWith("fovea_output_shape: pipeline or extents is NULL");
  if (output < 0 || output >= fovea_output_count(p)) return failWith("fovea_output_shape: no output " + std::to_string(output));
  return guarded([&] {
    std::vector<std::vector<int>> shapes = p->pipeline.outputShapes(wrapInputs(p, inputs), wrapParams(p, params));
    for (size_t d = 0; d < shapes[static_cast<size_t>(output)].size(); ++d) extents[d] = shapes[static_cast<size_t>(output)][d];
  });
}

int fovea_run(const fovea_pipeline* p, const halide_buffer_t* const* inputs, const double* params, halide_buffer_t* const* outputs) {
  if (!p) return failWith("fovea_run: pipeline is NULL");
  if (!outputs) return failWith("fovea_run: outputs is NULL");
  return guarded([&] {
    std::vector<fovea::Image> in = wrapInputs(p, inputs);
    fovea::Params values = wrapParams(p, params);
    std::vector<std::vector<int>> shapes = p->pipeline.outputShapes(in, values);
    std::vector<fovea::Image> out;
    for (size_t o = 0; o < shapes.size(); ++o) {
      const fovea::OutputInfo& info = p->pipeline.outputs()[o];
      if (!outputs[o]) throw fovea::Error("pipeline '" + p->pipeline.name() + "': output '" + info.name + "' is NULL");
      fovea::Image b(*outputs[o]);
      bool fits = b.type() == fovea::halideType(info.type) && b.dimensions() == static_cast<int>(shapes[o].size()) && b.data();
      for (size_t d = 0; fits && d < shapes[o].size(); ++d) fits = b.dim(static_cast<int>(d)).extent() == shapes[o][d] && b.dim(static_cast<int>(d)).min() == 0;
      if (!fits) {
        std::string want;
        for (size_t d = 0; d < shapes[o].size(); ++d) want += (d ? "x" : "") + std::to_string(shapes[o][d]);
        throw fovea::Error("pipeline '" + p->pipeline.name() + "': output '" + info.name + "' must be " + fovea::toString(info.type) + " " + want +
                           " for these inputs (fovea_output_shape)");
      }
      out.push_back(std::move(b));
    }
    p->pipeline.run(in, values, out);
  });
}

const char* fovea_last_error(void) { return lastError.c_str(); }

}  // extern "C"
