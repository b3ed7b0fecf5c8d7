#pragma once
// The message of the fovea::Error a call throws ("" when it throws none).

#include <functional>
#include <string>

#include "fovea/runtime.hpp"

namespace fovea::test {

inline std::string failureOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const fovea::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace fovea::test
