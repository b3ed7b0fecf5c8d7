#pragma once
/// The manifest written next to a compiled pipeline (NAME.manifest.json): everything the runtime
/// needs to call the library without the compiler: the signature (inputs, parameters with their
/// defaults and ranges, outputs with their size rules as expression trees), the targets, the
/// schedule and the versions and hashes that identify the build.

#include <string>
#include <vector>

#include "schedule/schedule.h"
#include "sema/ir.h"
#include "fovea/json.h"

namespace fovea {

constexpr int kManifestVersion = 1;

struct ManifestInfo {
  std::vector<std::string> targets;
  /// The hash of each target's schedule, in the order of `targets` (each variant of a fat library
  /// is planned for its own target); empty when one schedule serves all.
  std::vector<std::string> variantSchedules;
  std::string sourcePath;
  std::string sourceHash;
  std::string foveaVersion;
  std::string function;  ///< the C function's name (default: the pipeline's)
  std::vector<std::pair<std::string, std::string>> files;  ///< kind -> file name ("static" -> "blur.a")
};

/// The manifest of `p`; output size rules are sizeRuleJson() trees (sema/evaluate.h).
json::Value buildManifest(const ir::Pipeline& p, const Schedule& schedule, const ManifestInfo& info);

/// FNV-1a 64-bit hash as 16 hex digits.
std::string hashText(const std::string& text);

}  // namespace fovea
