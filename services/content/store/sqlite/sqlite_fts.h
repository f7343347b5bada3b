// The FTS5 side of the SQLite store's search index: the core's tokenizer
// (core/search_tokenizer.h) registered on a connection as the FTS5 tokenizer "bulletin",
// and a TextQuery written as an FTS5 MATCH expression in which every phrase is quoted, so
// user input is never FTS5 syntax. Thread-safe.
#pragma once

#include <sqlite3.h>

#include <string>

#include "absl/status/status.h"
#include "services/content/core/search_query.h"

namespace bulletin::content {

inline constexpr char kSearchTokenizerName[] = "bulletin";

// Registers the "bulletin" tokenizer on `db`; call before creating or using the index.
// INTERNAL when SQLite was built without FTS5.
absl::Status RegisterSearchTokenizer(sqlite3* db);

// `"p1" AND "p2"*` (match_all) or `"p1" OR "p2"`; empty without phrases.
std::string FtsExpression(const TextQuery& query);

}  // namespace bulletin::content
