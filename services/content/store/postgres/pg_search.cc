#include "services/content/store/postgres/pg_search.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/content/core/html_sanitizer.h"
#include "services/content/core/search_tokenizer.h"

namespace bulletin::content {
namespace {

// PostgreSQL's limits: a lexeme under 2 KiB, positions 1..16383, 256 positions per
// lexeme, 1 MiB of lexeme text per tsvector.
constexpr size_t kMaxLexemeBytes = 2000;
constexpr int kMaxPosition = 16383;
constexpr size_t kMaxPositionsPerLexeme = 256;
constexpr size_t kMaxLexemeText = 1000000;

// `token` cut to kMaxLexemeBytes at a UTF-8 character boundary (the same cut on both sides).
std::string Lexeme(const std::string& token) {
  if (token.size() <= kMaxLexemeBytes) return token;
  size_t end = kMaxLexemeBytes;
  while (end > 0 && (static_cast<unsigned char>(token[end]) & 0xC0) == 0x80) --end;
  return token.substr(0, end);
}

std::string Quoted(const std::string& lexeme) {
  std::string out = "'";
  for (char c : lexeme) {
    if (c == '\'') out += '\'';
    if (c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

// The lexeme of two adjacent tokens (PgSearchDocument::pairs), cut as a lexeme.
std::string PairLexeme(const std::string& first, const std::string& second) {
  return Lexeme(absl::StrCat(Lexeme(first), " ", Lexeme(second)));
}

// In `pairs` of a document whose pairs passed kMaxLexemeText: it may hold any phrase. No
// pair is this lexeme: a pair has a space unless cut, and then it is ~2,000 bytes long.
constexpr char kPairsCut[] = "cut";

}  // namespace

PgSearchDocument MakePgSearchDocument(const Translation& translation) {
  const std::vector<SearchToken> fields[3] = {TokenizeForSearch(translation.title),
                                              TokenizeForSearch(translation.summary),
                                              TokenizeForSearch(HtmlToText(translation.body))};
  const char weights[3] = {'A', 'B', 'C'};
  PgSearchDocument doc;
  struct Entry {
    std::vector<std::string> at;  // "12A", ...
    int last = 0;
  };
  std::map<std::string, Entry> lexemes;
  std::set<std::string> pairs;
  size_t lexeme_text = 0, pair_text = 0;
  bool pairs_cut = false;
  auto add_pair = [&](std::string pair) {
    if (pairs.count(pair) > 0) return;
    if (pair_text + pair.size() > kMaxLexemeText - sizeof(kPairsCut)) {
      pairs_cut = true;
      return;
    }
    pair_text += pair.size();
    pairs.insert(std::move(pair));
  };
  int position = 0;
  for (int f = 0; f < 3; ++f) {
    doc.token_count += static_cast<int64_t>(fields[f].size());
    for (size_t i = 1; i < fields[f].size(); ++i) {
      add_pair(PairLexeme(fields[f][i - 1].text, fields[f][i].text));
    }
    for (const SearchToken& token : fields[f]) {
      // Past the last position PostgreSQL keeps, tokens share it: still found as words.
      position = std::min(position + 1, kMaxPosition);
      const std::string lexeme = Lexeme(token.text);
      auto it = lexemes.find(lexeme);
      if (it == lexemes.end()) {
        if (lexeme_text + lexeme.size() > kMaxLexemeText) continue;
        lexeme_text += lexeme.size();
        it = lexemes.emplace(lexeme, Entry()).first;
      }
      Entry& e = it->second;
      if (e.last != position && e.at.size() < kMaxPositionsPerLexeme) {
        e.at.push_back(absl::StrCat(position, std::string(1, weights[f])));
        e.last = position;
      }
    }
    position = std::min(position + 1, kMaxPosition);  // a gap: no phrase spans two fields
  }
  std::vector<std::string> entries;
  entries.reserve(lexemes.size());
  for (const auto& [lexeme, e] : lexemes) {
    entries.push_back(absl::StrCat(Quoted(lexeme), ":", absl::StrJoin(e.at, ",")));
  }
  doc.terms = absl::StrJoin(entries, " ");
  if (pairs_cut) pairs.insert(kPairsCut);
  doc.pairs = absl::StrJoin(
      pairs, " ", [](std::string* out, const std::string& pair) { out->append(Quoted(pair)); });
  return doc;
}

std::string PgPhraseQuery(const QueryPhrase& phrase) {
  std::vector<std::string> parts;
  for (const std::string& token : phrase.tokens) parts.push_back(Quoted(Lexeme(token)));
  if (parts.empty()) return "";
  if (phrase.prefix) parts.back() += ":*";
  return absl::StrJoin(parts, " <-> ");
}

std::string PgPhraseLexeme(const QueryPhrase& phrase) {
  return phrase.tokens.size() == 1 && !phrase.prefix ? Lexeme(phrase.tokens[0]) : "";
}

std::vector<std::string> PgPhrasePairLexemes(const QueryPhrase& phrase) {
  std::vector<std::string> pairs;
  if (phrase.tokens.empty()) return pairs;
  const size_t whole = phrase.tokens.size() - (phrase.prefix ? 1 : 0);
  for (size_t i = 1; i < whole; ++i) {
    std::string pair = PairLexeme(phrase.tokens[i - 1], phrase.tokens[i]);
    if (std::find(pairs.begin(), pairs.end(), pair) == pairs.end()) {
      pairs.push_back(std::move(pair));
    }
  }
  return pairs;
}

std::string PgPhrasePairs(const QueryPhrase& phrase) {
  std::vector<std::string> parts;
  for (size_t i = 1; i < phrase.tokens.size(); ++i) {
    parts.push_back(Quoted(PairLexeme(phrase.tokens[i - 1], phrase.tokens[i])));
  }
  if (parts.empty()) return "";
  if (phrase.prefix) parts.back() += ":*";
  return absl::StrCat("(", absl::StrJoin(parts, " & "), ") | ", Quoted(kPairsCut));
}

std::string PgCandidateTerms(const TextQuery& query) {
  const bool by_pairs = !PgCandidatePairs(query).empty();
  std::vector<std::string> parts;
  for (const QueryPhrase& p : query.phrases) {
    if (by_pairs && p.tokens.size() > 1) continue;  // its pairs hold its tokens
    std::vector<std::string> tokens;
    for (const std::string& token : p.tokens) tokens.push_back(Quoted(Lexeme(token)));
    if (tokens.empty()) continue;
    if (p.prefix) tokens.back() += ":*";
    parts.push_back(absl::StrCat("(", absl::StrJoin(tokens, " & "), ")"));
  }
  return absl::StrJoin(parts, query.match_all ? " & " : " | ");
}

std::string PgCandidatePairs(const TextQuery& query) {
  if (!query.match_all && query.phrases.size() > 1) return "";
  std::vector<std::string> parts;
  for (const QueryPhrase& p : query.phrases) {
    std::string pairs = PgPhrasePairs(p);
    if (!pairs.empty()) parts.push_back(absl::StrCat("(", pairs, ")"));
  }
  return absl::StrJoin(parts, " & ");
}

bool PgNeedsPositions(const TextQuery& query) {
  return std::any_of(query.phrases.begin(), query.phrases.end(),
                     [](const QueryPhrase& p) { return p.tokens.size() > 1; });
}

std::string PgTextQuery(const TextQuery& query) {
  std::vector<std::string> parts;
  for (const QueryPhrase& p : query.phrases) {
    std::string q = PgPhraseQuery(p);
    if (!q.empty()) parts.push_back(absl::StrCat("(", q, ")"));
  }
  return absl::StrJoin(parts, query.match_all ? " & " : " | ");
}

}  // namespace bulletin::content
