#include "services/content/core/update_mask.h"

namespace bulletin::content {

std::optional<std::vector<std::string>> SplitMaskPath(absl::string_view path) {
  std::vector<std::string> segments;
  std::string current;
  bool quoted = false, was_quoted = false;
  for (char c : path) {
    if (c == '`') {
      quoted = !quoted;
      was_quoted = true;
    } else if (c == '.' && !quoted) {
      if (current.empty() && !was_quoted) return std::nullopt;
      segments.push_back(std::move(current));
      current.clear();
      was_quoted = false;
    } else {
      current.push_back(c);
    }
  }
  if (quoted || (current.empty() && !was_quoted)) return std::nullopt;
  segments.push_back(std::move(current));
  return segments;
}

}  // namespace bulletin::content
