#pragma once
// Checks a shared library file before dlopen maps it: the loader trusts the file's headers, and a
// truncated library (a copy cut short, a full disk) kills the process with SIGBUS when it touches
// a page past the end of the file.

#include <string>

namespace fovea::rt {

/// Throws Error naming `path` unless it is a whole ELF shared object for this machine.
void checkLibraryFile(const std::string& path);

}  // namespace fovea::rt
