// The FTS5 side of the SQLite store's search index: the core's tokenizer
// (core/search_tokenizer.h) registered on a connection as the FTS5 tokenizer "bulletin",
// and a TextQuery written as an FTS5 MATCH expression in which every phrase is quoted, so
// user input is never FTS5 syntax, and BM25 computed from what the auxiliary function
// "bulletin_match" reads of a row, so that a search needs no pass over the index before
// its first row (FTS5's bm25() counts every phrase's documents first). Thread-safe.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "services/content/core/search_query.h"

namespace bulletin::content {

inline constexpr char kSearchTokenizerName[] = "bulletin";

// Registers the "bulletin" tokenizer and the auxiliary function "bulletin_match" on `db`;
// call before creating or using the index. INTERNAL when SQLite was built without FTS5.
absl::Status RegisterSearchTokenizer(sqlite3* db);

// What `bulletin_match(table, w0, w1, ...)` returns for a matching row (a blob), decoded:
// the index's row count and total tokens, the row's tokens, and each phrase's frequency
// in the row, an occurrence in column i counting w_i (1 without a weight).
struct FtsMatch {
  double rows = 0;
  double total_tokens = 0;
  double tokens = 0;
  std::vector<double> frequency;  // by phrase
};
// False when `blob` is not what bulletin_match returns.
bool DecodeFtsMatch(const void* blob, int bytes, FtsMatch* out);

// FTS5's BM25 (k1 = 1.2, b = 0.75), lower is better as bm25()'s: `hits` is the number of
// documents holding each phrase.
double Bm25Rank(const FtsMatch& match, const std::vector<int64_t>& hits);

// `"p1" AND "p2"*` (match_all) or `"p1" OR "p2"`; empty without phrases.
std::string FtsExpression(const TextQuery& query);

}  // namespace bulletin::content
