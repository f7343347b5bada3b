// Fuzz target update_mask: the update_mask paths of UpdateArticle and UpdateCategory
// (services/content/core/update_mask.h SplitMaskPath). Besides not crashing: a path that
// splits has at least one segment, and segments without backticks, joined back (quoted
// with backticks when they hold a '.' or are empty), split to the same segments.
// Input: the path.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "services/content/core/update_mask.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bulletin::content;  // NOLINT
  using namespace bulletin::fuzz;     // NOLINT
  Quiet();
  const std::string path(reinterpret_cast<const char*>(data), size);
  std::optional<std::vector<std::string>> segments = SplitMaskPath(path);
  if (!segments) return 0;
  FUZZ_CHECK(!segments->empty(), "a path without segments");
  std::string joined;
  for (const std::string& s : *segments) {
    if (s.find('`') != std::string::npos) return 0;
    if (!joined.empty() || &s != &segments->front()) joined.push_back('.');
    const bool quote = s.empty() || s.find('.') != std::string::npos;
    joined += quote ? "`" + s + "`" : s;
  }
  FUZZ_CHECK(SplitMaskPath(joined) == segments, "segments joined do not split back: " + joined);
  return 0;
}
