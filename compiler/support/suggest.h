#pragma once
/// "Did you mean" suggestions by edit distance.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fovea {

/// Levenshtein distance between two strings (bytes).
size_t editDistance(std::string_view a, std::string_view b);

/// The candidate closest to `name`, if it is close enough to be a plausible typo (at most a third
/// of the name's length, and at least one edit, away); ties go to the earlier candidate.
std::optional<std::string> closestMatch(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace fovea
