#pragma once
// Test helper: runs a program the way a user's shell would (no shell in between, so paths with
// spaces need no quoting), with a time limit, capturing what it prints.

#include <string>
#include <vector>

namespace fovea::test {

struct ProcessOutcome {
  int status = -1;        ///< exit status when it exited
  int signal = 0;         ///< the signal that ended it, or 0
  bool timedOut = false;  ///< killed after the time limit
  double seconds = 0;
  std::string output;     ///< stdout and stderr, interleaved
};

/// Runs argv[0] (found on PATH if it has no slash) with the given arguments and working directory
/// ("" for the current one); kills it after `limitSeconds`.
ProcessOutcome runProcess(const std::vector<std::string>& argv, double limitSeconds = 120, const std::string& workingDir = "");

}  // namespace fovea::test
