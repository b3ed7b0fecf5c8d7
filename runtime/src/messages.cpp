#include "messages.h"

#include <regex>

#include <HalideRuntime.h>

namespace fovea::rt {
namespace {

/// The manifest's argument or output called `name`, with its dimension names.
const std::vector<std::string>* dimsOf(const Manifest& m, const std::string& name, std::string* kind) {
  for (const ArgumentInfo& a : m.arguments) {
    if (a.name == name && a.kind == ArgumentInfo::Kind::Input) {
      *kind = "input";
      return &a.dims;
    }
  }
  for (const OutputInfo& o : m.outputs) {
    if (o.name == name) {
      *kind = "output";
      return &o.dims;
    }
  }
  return nullptr;
}

}  // namespace

std::string explainFailure(const Manifest& m, int code, const std::string& message) {
  std::string head = "pipeline '" + m.pipeline + "': ";
  std::smatch match;
  // "Input buffer input is accessed at 2, which is beyond the max (0) in dimension 2"
  static const std::regex bounds(R"((Input|Output) buffer (\S+) is accessed at (-?\d+), which is (before the min|beyond the max) \((-?\d+)\) in dimension (\d+))");
  if (std::regex_search(message, match, bounds)) {
    std::string kind, name = match[2];
    const std::vector<std::string>* dims = dimsOf(m, name, &kind);
    size_t dim = std::stoul(match[6]);
    std::string dimName = dims && dim < dims->size() ? (*dims)[dim] : "dimension " + std::to_string(dim);
    bool beyond = match[4] == "beyond the max";
    long last = std::stol(match[5]);
    std::string what = (kind.empty() ? std::string(match[1]) == "Input" ? "input" : "output" : kind) + " '" + name + "'";
    std::string out = head + what + " is read at " + dimName + " = " + std::string(match[3]) + ", " + (beyond ? "past its last index " : "before its first index ") +
                      std::to_string(last);
    if (beyond && last >= 0 && (dimName == "c" || dimName == "channel" || dimName == "channels")) {
      out += " (the image has " + std::to_string(last + 1) + " channel" + (last == 0 ? "" : "s") + ", the pipeline needs more)";
    } else if (beyond) {
      out += " (the image is " + std::to_string(last + 1) + " wide in " + dimName + ")";
    }
    return out;
  }
  // "Parameter amount is 5.000000 but must be at most 4.000000"
  static const std::regex range(R"(Parameter (\S+) is (\S+) but must be at (most|least) (\S+))");
  if (std::regex_search(message, match, range)) {
    return head + "parameter '" + std::string(match[1]) + "' is " + std::string(match[2]) + ", must be at " + std::string(match[3]) + " " + std::string(match[4]);
  }
  static const std::regex type(R"((Input|Output) buffer (\S+) has type (\S+) but type of the buffer passed in is (\S+))");
  if (std::regex_search(message, match, type)) {
    return head + (std::string(match[1]) == "Input" ? "input '" : "output '") + std::string(match[2]) + "' holds " + std::string(match[3]) +
           " elements, the buffer given holds " + std::string(match[4]);
  }
  if (message.find("CUDA") != std::string::npos || message.find("cuda") != std::string::npos || message.find("cuInit") != std::string::npos) {
    return head + "this library runs on a CUDA GPU, and none is usable here (" + message + ")";
  }
  if (message.find("Out of memory") != std::string::npos || message.find("halide_malloc") != std::string::npos) {
    return head + "out of memory (" + message + ")";
  }
  if (message.empty()) {
    // The message was raised on one of Halide's worker threads (per-thread text): say what the code means.
    const char* what = nullptr;
    switch (code) {
      case halide_error_code_out_of_memory: what = "out of memory"; break;
      case halide_error_code_buffer_allocation_too_large: what = "an intermediate buffer would be too large"; break;
      case halide_error_code_buffer_extents_too_large: what = "a buffer's extents are too large"; break;
      case halide_error_code_access_out_of_bounds: what = "an input is read outside its bounds (too small an image?)"; break;
      case halide_error_code_device_malloc_failed: what = "GPU memory could not be allocated"; break;
      case halide_error_code_device_run_failed: what = "a GPU kernel failed"; break;
      case halide_error_code_copy_to_host_failed: what = "copying from the GPU failed"; break;
      case halide_error_code_copy_to_device_failed: what = "copying to the GPU failed"; break;
      case halide_error_code_no_device_interface: what = "no GPU device interface"; break;
      default: break;
    }
    return head + (what ? std::string(what) + " (error code " : "failed (error code ") + std::to_string(code) + ")";
  }
  // Halide's messages start with "Error: " (or nothing); keep their text, in our frame.
  std::string text = message;
  if (text.rfind("Error: ", 0) == 0) text = text.substr(7);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return head + text + (code != 0 ? " (error code " + std::to_string(code) + ")" : "");
}

}  // namespace fovea::rt
