#pragma once
/// Reading and writing files the way every command does: a script is read only when it is a
/// regular file of reasonable size (never a pipe, a device or a directory), and an output appears
/// whole or not at all (written under a temporary name in the same directory, then renamed).
///
///     Result<std::string> text = readTextFile("blur.fov");   // failure: "is a directory", "is 40 MB: ..."
///     Status written = writeFileAtomically("out/graph.dot", dot);

#include <cstdint>
#include <functional>
#include <string>

#include "support/result.h"

namespace fovea {

/// The largest source file the compiler reads (scripts are text written by people).
constexpr uint64_t kMaxSourceBytes = uint64_t{16} << 20;

/// Reads a whole regular file of at most `limit` bytes; otherwise the failure says why ("no such
/// file", "is a directory", "is not a regular file (a pipe or a device)", "is 40.0 MB, more than
/// the 16 MB a script may have", or the system's reason). `kind` names what the file is.
Result<std::string> readTextFile(const std::string& path, uint64_t limit = kMaxSourceBytes, const char* kind = "a script");

/// Calls `write(tmp)` for a temporary path beside `path` (same directory, same extension), then
/// renames it to `path`. On failure nothing is left behind and the failure says why.
Status writeAtomically(const std::string& path, const std::function<Status(const std::string& tmp)>& write);

/// writeAtomically() of a whole text.
Status writeFileAtomically(const std::string& path, const std::string& contents);

/// Why `dir` cannot take new files ("does not exist", "is not a directory", "is not writable"),
/// or "" when it can. Probes by creating and removing a file.
std::string whyNotWritableDirectory(const std::string& dir);

}  // namespace fovea
