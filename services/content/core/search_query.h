// Search queries and their highlighted snippets. A query is split at whitespace and at
// every change between CJK and other script into phrases; each phrase must match (AND).
// The FTS5 expression quotes every phrase, so user input is never FTS5 syntax; a lone CJK
// character becomes a prefix query ("年"*) because the index holds only bigrams for runs
// of two or more. Snippets are computed here, not by FTS5, from the same tokenizer
// (search_tokenizer.h), so highlights fall on whole characters and words of the original
// text. Pure functions, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/content/core/content_requests.h"

namespace bulletin::content {

struct QueryPhrase {
  std::string text;                 // as typed (NFC)
  std::vector<std::string> tokens;  // as the tokenizer sees it
  bool prefix = false;              // a lone CJK character
};

// The phrases of an NFC query; those without any token (punctuation only) are dropped.
std::vector<QueryPhrase> ParseSearchQuery(absl::string_view query);

// "p1" AND "p2" ... for FTS5 MATCH.
std::string FtsAllOf(const std::vector<QueryPhrase>& phrases);

// "t1" OR "t2" ... of the distinct words and bigrams of `text`, at most `max_terms`: the
// text-similarity query of related articles.
std::string FtsAnyOf(absl::string_view text, size_t max_terms);

// The excerpt of `text` (plain text) around the first match of `phrases`, at most about
// `max_chars` code points, with "…" where it was cut; highlights in code points.
// `matched` tells whether anything matched.
Snippet MakeSnippet(const std::string& field, absl::string_view text,
                    const std::vector<QueryPhrase>& phrases, size_t max_chars, bool* matched);

}  // namespace bulletin::content
