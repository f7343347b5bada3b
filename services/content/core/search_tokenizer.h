// The search tokenizer: the one definition of what a search token is, used by every
// search index (the SQLite store registers it as its FTS5 tokenizer, the memory store
// indexes with it) and by the snippet highlighter, so all of them see the same tokens.
// CJK runs (unicode_text.h IsCjk) become overlapping character bigrams, as Lucene's CJK
// analyzer does ("志愿服务" -> 志愿 愿服 服务; a lone character is one token), so a
// two-character query finds a word inside an unspaced sentence. Other text splits into
// words of letters, digits and private-use characters (Unicode L*, N*, Co), case-folded
// and with diacritics removed ("Café" -> "cafe"), then Porter-stemmed ("volunteers" ->
// "volunt"): the rules of SQLite's "porter unicode61 remove_diacritics 2". Thread-safe.
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
