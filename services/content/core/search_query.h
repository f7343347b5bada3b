// Search queries and their highlighted snippets. A query is split at whitespace and at
// every change between CJK and other script into phrases; each phrase must match (AND).
// A phrase is data, never query syntax; a lone CJK character is a prefix phrase (年*)
// because the index holds only bigrams for runs of two or more. Phrases are matched, and
// snippets highlighted, on the tokens of search_tokenizer.h, so highlights fall on whole
// characters and words of the original text. Pure functions, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/content/core/content_requests.h"
#include "services/content/core/search_tokenizer.h"

namespace bulletin::content {

struct QueryPhrase {
  std::string text;                 // as typed (NFC)
  std::vector<std::string> tokens;  // as the tokenizer sees it
  bool prefix = false;              // the last token matches as a prefix (a lone CJK character)
};

// A full-text query of the search index: every phrase must occur (AND) or any may (OR).
struct TextQuery {
  std::vector<QueryPhrase> phrases;  // empty: matches nothing
  bool match_all = true;
};

// The phrases of an NFC query; those without any token (punctuation only) are dropped.
std::vector<QueryPhrase> ParseSearchQuery(absl::string_view query);

// Any of the distinct words and bigrams of `text`, at most `max_terms`, each one phrase:
// the text-similarity query of related articles.
TextQuery AnyTermOf(absl::string_view text, size_t max_terms);

// Whether `phrase` occurs in `doc` starting at token `i`: its tokens equal consecutive
// tokens of `doc`, the last one by prefix when phrase.prefix.
bool PhraseAt(const std::vector<SearchToken>& doc, size_t i, const QueryPhrase& phrase);

// The excerpt of `text` (plain text) around the first match of `phrases`, at most about
// `max_chars` code points, with "…" where it was cut; highlights in code points.
// `matched` tells whether anything matched.
Snippet MakeSnippet(const std::string& field, absl::string_view text,
                    const std::vector<QueryPhrase>& phrases, size_t max_chars, bool* matched);

}  // namespace bulletin::content
