// The search tokenizer, shared by the FTS5 index and the snippet highlighter so that both
// see the same tokens. CJK runs (unicode_text.h IsCjk) become overlapping character
// bigrams, as Lucene's CJK analyzer does ("志愿服务" -> 志愿 愿服 服务; a lone character is
// one token), so a two-character query finds a word inside an unspaced sentence. Every
// other run goes to SQLite's own "porter" tokenizer over "unicode61 remove_diacritics 2":
// case-folded, accents removed, English stemmed ("volunteers" -> "volunt").
// Registered on a connection as the FTS5 tokenizer "bulletin". Thread-safe.
#pragma once

#include <sqlite3.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace bulletin::content {

inline constexpr char kSearchTokenizerName[] = "bulletin";

// One token: its text and its byte range [start, end) in the tokenised string. CJK bigrams
// overlap their neighbours.
struct SearchToken {
  std::string text;
  size_t start = 0;
  size_t end = 0;
};

// Registers the "bulletin" tokenizer on `db`; call before creating or using the index.
absl::Status RegisterSearchTokenizer(sqlite3* db);

// The tokens of `text` as the index produces them.
std::vector<SearchToken> TokenizeForSearch(absl::string_view text);

}  // namespace bulletin::content
