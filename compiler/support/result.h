#pragma once
/// Fovea's one error convention. A pass reports located problems in a script to its
/// DiagnosticEngine; every function that can fail returns Result<T> (the value, or the Failure that
/// prevented it), or Status when it has no value to give. Nothing returns bool + an error string,
/// nullptr, or an empty vector to mean "failed".
///
///     Result<std::string> text = readTextFile("blur.fov");
///     if (!text) return text.failure();                 // passes it on
///     use(*text);
///     Status written = writeFileAtomically(path, *text);
///     if (!written) fmt::print("{}\n", written.failure().message);

#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "support/diagnostics.h"

namespace fovea {

/// Why something failed, and whose doing it was. The commands turn a Kind into an exit status in
/// one place (driver/commands.cpp).
struct Failure {
  enum class Kind {
    Usage,    ///< the request cannot be met: a file that cannot be read, no such pipeline, a target this machine cannot run
    Input,    ///< the script has errors (located diagnostics), or a file or image it names is bad
    Compile,  ///< a valid script that Halide or the toolchain could not compile, or an output that cannot be written
  };
  Kind kind = Kind::Input;
  std::string message;                  ///< one line (may be empty when `diagnostics` says it all)
  std::vector<Diagnostic> diagnostics;  ///< located errors and warnings
  std::shared_ptr<const SourceManager> sources;  ///< what `diagnostics` point into

  static Failure input(std::string message) { return {Kind::Input, std::move(message), {}, nullptr}; }
  static Failure usage(std::string message) { return {Kind::Usage, std::move(message), {}, nullptr}; }
  static Failure compile(std::string message) { return {Kind::Compile, std::move(message), {}, nullptr}; }
  /// The same failure with its message prefixed ("cannot read 'x.fov': " + message).
  Failure context(const std::string& prefix) const {
    Failure f = *this;
    f.message = prefix + f.message;
    return f;
  }

  /// The diagnostics (clang style), then the message.
  std::string render(bool color = false) const {
    std::string out = sources ? renderText(diagnostics, *sources, color) : "";
    return message.empty() ? out : out + message + "\n";
  }
};

/// A value or the Failure that prevented it.
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit, as for std::optional
  Result(Failure f) : v_(std::move(f)) {}    // NOLINT
  explicit operator bool() const { return v_.index() == 0; }
  T& operator*() { return std::get<0>(v_); }
  const T& operator*() const { return std::get<0>(v_); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  const Failure& failure() const { return std::get<1>(v_); }

 private:
  std::variant<T, Failure> v_;
};

/// What a function that only succeeds or fails gives back.
struct Done {};
using Status = Result<Done>;
inline Status ok() { return Done{}; }

}  // namespace fovea
