#pragma once
// The runtime's reading of NAME.manifest.json (written by compiler/codegen/manifest.cpp).

#include <string>
#include <vector>

#include "fovea/json.h"
#include "fovea/runtime.hpp"

namespace fovea::rt {

struct Manifest {
  std::string pipeline;
  std::string function;
  std::vector<ArgumentInfo> arguments;
  std::vector<OutputInfo> outputs;
  std::vector<std::vector<json::Value>> sizeRules;  ///< per output, per dimension: an expression tree
  std::vector<std::string> targets;
  json::Value files;                                ///< kind -> file name
  json::Value graph;                                ///< pipelines with models: nodes and models (null otherwise)
};

/// Reads a manifest; throws Error naming `origin` when it is not one this runtime understands.
Manifest parseManifest(const std::string& text, const std::string& origin);

}  // namespace fovea::rt
