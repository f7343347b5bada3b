#include "services/content/core/search_query.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/content/core/html_sanitizer.h"
#include "services/content/core/unicode_text.h"

namespace bulletin::content {
namespace {

bool IsSpace(char32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == 0x3000 ||
         cp == 0xA0;
}

// Byte ranges of `text` matched by any phrase, sorted and merged.
std::vector<std::pair<size_t, size_t>> Matches(absl::string_view text,
                                               const std::vector<QueryPhrase>& phrases) {
  const std::vector<SearchToken> doc = TokenizeForSearch(text);
  std::vector<std::pair<size_t, size_t>> ranges;
  for (const QueryPhrase& p : phrases) {
    const size_t n = p.tokens.size();
    for (size_t i = 0; n > 0 && i + n <= doc.size(); ++i) {
      if (!PhraseAt(doc, i, p)) continue;
      // A prefix match of a bigram highlights only the typed character.
      const size_t end = p.prefix ? doc[i].start + p.text.size() : doc[i + n - 1].end;
      ranges.emplace_back(doc[i].start, end);
    }
  }
  std::sort(ranges.begin(), ranges.end());
  std::vector<std::pair<size_t, size_t>> merged;
  for (const auto& r : ranges) {
    if (!merged.empty() && r.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, r.second);
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

}  // namespace

std::vector<QueryPhrase> ParseSearchQuery(absl::string_view query) {
  std::vector<QueryPhrase> phrases;
  std::string current;
  int current_cjk = -1;  // -1: empty, 0: other script, 1: CJK
  size_t current_chars = 0;
  auto flush = [&] {
    if (current.empty()) return;
    QueryPhrase p;
    p.text = current;
    for (SearchToken& t : TokenizeForSearch(current)) p.tokens.push_back(std::move(t.text));
    p.prefix = current_cjk == 1 && current_chars == 1;
    if (!p.tokens.empty()) phrases.push_back(std::move(p));
    current.clear();
    current_cjk = -1;
    current_chars = 0;
  };
  size_t pos = 0;
  while (pos < query.size()) {
    const size_t start = pos;
    const char32_t cp = NextCodePoint(query, &pos);
    if (IsSpace(cp)) {
      flush();
      continue;
    }
    const int cjk = IsCjk(cp) ? 1 : 0;
    if (current_cjk != -1 && cjk != current_cjk) flush();
    current_cjk = cjk;
    current.append(query.data() + start, pos - start);
    ++current_chars;
  }
  flush();
  return phrases;
}

TextQuery AnyTermOf(absl::string_view text, size_t max_terms) {
  TextQuery query;
  query.match_all = false;
  std::set<std::string> seen;
  for (SearchToken& t : TokenizeForSearch(text)) {
    if (query.phrases.size() >= max_terms) break;
    if (!seen.insert(t.text).second) continue;
    QueryPhrase p;
    p.text = std::string(text.substr(t.start, t.end - t.start));
    p.tokens.push_back(std::move(t.text));
    query.phrases.push_back(std::move(p));
  }
  return query;
}

bool PhraseAt(const std::vector<SearchToken>& doc, size_t i, const QueryPhrase& phrase) {
  const size_t n = phrase.tokens.size();
  if (n == 0 || i + n > doc.size()) return false;
  for (size_t k = 0; k < n; ++k) {
    const bool last_as_prefix = phrase.prefix && k + 1 == n;
    if (last_as_prefix ? !absl::StartsWith(doc[i + k].text, phrase.tokens[k])
                       : doc[i + k].text != phrase.tokens[k]) {
      return false;
    }
  }
  return true;
}

Snippet MakeSnippet(const std::string& field, absl::string_view text,
                    const std::vector<QueryPhrase>& phrases, size_t max_chars, bool* matched) {
  const std::vector<std::pair<size_t, size_t>> ranges = Matches(text, phrases);
  *matched = !ranges.empty();
  // Byte offset of every code point, plus the end.
  std::vector<size_t> offsets;
  for (size_t pos = 0; pos < text.size();) {
    offsets.push_back(pos);
    NextCodePoint(text, &pos);
  }
  const size_t n = offsets.size();
  offsets.push_back(text.size());
  auto cp_index = [&](size_t byte) {
    return static_cast<size_t>(std::lower_bound(offsets.begin(), offsets.end(), byte) -
                               offsets.begin());
  };
  size_t begin = 0, end = n;
  if (n > max_chars) {
    const size_t first = ranges.empty() ? 0 : cp_index(ranges[0].first);
    begin = first > max_chars / 4 ? first - max_chars / 4 : 0;
    end = std::min(n, begin + max_chars);
    if (end == n) begin = n - max_chars;
  }
  Snippet s;
  s.field = field;
  const int shift = begin > 0 ? 1 : 0;  // the leading "…"
  if (begin > 0) s.text = "…";
  std::string body(text.substr(offsets[begin], offsets[end] - offsets[begin]));
  std::replace(body.begin(), body.end(), '\n', ' ');
  s.text += body;
  if (end < n) s.text += "…";
  size_t html_from = offsets[begin];
  if (begin > 0) s.html = "…";
  for (const auto& [from, to] : ranges) {
    const size_t a = std::max(cp_index(from), begin), b = std::min(cp_index(to), end);
    if (a >= b) continue;
    s.highlights.emplace_back(static_cast<int>(a - begin) + shift,
                              static_cast<int>(b - begin) + shift);
    s.html += EscapeHtml(text.substr(html_from, offsets[a] - html_from));
    s.html += "<mark>" + EscapeHtml(text.substr(offsets[a], offsets[b] - offsets[a])) + "</mark>";
    html_from = offsets[b];
  }
  s.html += EscapeHtml(text.substr(html_from, offsets[end] - html_from));
  std::replace(s.html.begin(), s.html.end(), '\n', ' ');
  if (end < n) s.html += "…";
  return s;
}

}  // namespace bulletin::content
