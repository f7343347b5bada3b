// The search tokenizer, the one definition of a search token: the SQLite index (as its
// FTS5 tokenizer), the memory store and the snippet highlighter all use it. CJK runs
// become overlapping character bigrams ("志愿服务" -> 志愿 愿服 服务); other text splits into
// words of letters and digits, case-folded, without Latin accents and Porter-stemmed
// ("Volunteers" -> "volunt"), as SQLite's "porter unicode61 remove_diacritics 2". Thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace bulletin::content {

// One token: its text and its byte range [start, end) in the tokenised string. CJK bigrams
// overlap their neighbours.
struct SearchToken {
  std::string text;
  size_t start = 0;
  size_t end = 0;
};

// The tokens of `text` (UTF-8; invalid bytes are separators), in order.
std::vector<SearchToken> TokenizeForSearch(absl::string_view text);

}  // namespace bulletin::content
