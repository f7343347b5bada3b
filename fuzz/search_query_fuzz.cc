// Fuzz target search_query: content's search tokenizer and query parser
// (services/content/core/search_tokenizer.h, search_query.h) on a query and a text as the
// core sees them (valid UTF-8 in NFC; the raw bytes are tokenised too, as the index
// tokeniser must take anything). Besides not crashing: tokens lie inside the text in
// order, a phrase matches where its tokens occur, and a snippet is whole characters with
// highlights inside it, in order. Input: a byte (snippet length), a chunk (the query), the
// rest (the text).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/base/text_rules.h"
#include "fuzz/fuzz_support.h"
#include "services/content/core/search_query.h"
#include "services/content/core/search_tokenizer.h"
#include "services/content/core/unicode_text.h"

namespace bulletin::fuzz {
namespace {

std::vector<content::SearchToken> CheckedTokens(absl::string_view text) {
  std::vector<content::SearchToken> tokens = content::TokenizeForSearch(text);
  size_t last_start = 0;
  for (const content::SearchToken& t : tokens) {
    FUZZ_CHECK(t.start < t.end && t.end <= text.size(),
               absl::StrCat("token [", t.start, ", ", t.end, ") outside ", text.size()));
    FUZZ_CHECK(t.start >= last_start, "tokens out of order");
    FUZZ_CHECK(!t.text.empty(), "empty token");
    last_start = t.start;
  }
  return tokens;
}

void CheckSnippet(const content::Snippet& s, absl::string_view field) {
  FUZZ_CHECK(s.field == field, "snippet of another field");
  FUZZ_CHECK(IsValidUtf8(s.text), "snippet cuts a character");
  FUZZ_CHECK(IsValidUtf8(s.html), "snippet html cuts a character");
  const int chars = static_cast<int>(CodePoints(s.text));
  int last_end = 0;
  for (const auto& [from, to] : s.highlights) {
    FUZZ_CHECK(from >= last_end && from < to && to <= chars,
               absl::StrCat("highlight [", from, ", ", to, ") in ", chars, " characters"));
    last_end = to;
  }
}

}  // namespace
}  // namespace bulletin::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bulletin;           // NOLINT
  using namespace bulletin::content;  // NOLINT
  using namespace bulletin::fuzz;     // NOLINT
  Quiet();
  FuzzInput in(data, size);
  const size_t max_chars = 1 + in.Byte();
  const absl::string_view raw_query = in.Chunk();
  const absl::string_view raw_text = in.Rest();

  CheckedTokens(raw_query);
  CheckedTokens(raw_text);
  if (!IsValidUtf8(raw_query) || !IsValidUtf8(raw_text)) return 0;
  const std::string query = ToNfc(raw_query);
  const std::string text = ToNfc(raw_text);
  FUZZ_CHECK(IsValidUtf8(query) && IsValidUtf8(text), "ToNfc made invalid UTF-8");

  const std::vector<QueryPhrase> phrases = ParseSearchQuery(query);
  const std::vector<SearchToken> doc = CheckedTokens(text);
  for (const QueryPhrase& p : phrases) {
    FUZZ_CHECK(!p.tokens.empty(), "a phrase without tokens");
    for (size_t i = 0; i < doc.size(); ++i) (void)PhraseAt(doc, i, p);
  }
  bool matched = false;
  const Snippet snippet = MakeSnippet("body", text, phrases, max_chars, &matched);
  CheckSnippet(snippet, "body");
  FUZZ_CHECK(matched == !snippet.highlights.empty() || CodePoints(text) > max_chars,
             "a match without a highlight");

  const TextQuery any = AnyTermOf(text, max_chars % 40);
  FUZZ_CHECK(any.phrases.size() <= max_chars % 40, "AnyTermOf over its term limit");
  for (const QueryPhrase& p : any.phrases) {
    bool found = false;
    for (size_t i = 0; i < doc.size() && !found; ++i) found = PhraseAt(doc, i, p);
    FUZZ_CHECK(found, "a term of the text does not match the text: " + p.text);
  }
  return 0;
}
