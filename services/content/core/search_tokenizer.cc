#include "services/content/core/search_tokenizer.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include "absl/strings/ascii.h"
#include "services/content/core/porter_stemmer.h"
#include "services/content/core/unicode_text.h"

namespace bulletin::content {
namespace {

// A letter, digit or private-use character: part of a word.
bool IsWordChar(char32_t cp) {
  if (cp < 0x80) return absl::ascii_isalnum(static_cast<unsigned char>(cp));
  switch (u_charType(static_cast<UChar32>(cp))) {
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
    case U_DECIMAL_DIGIT_NUMBER:
    case U_LETTER_NUMBER:
    case U_OTHER_NUMBER:
    case U_PRIVATE_USE_CHAR:
      return true;
    default:
      return false;
  }
}

// A combining accent (U+0300..U+0331): continues a word and is dropped from it.
bool IsDiacritic(char32_t cp) {
  return cp >= 0x300 && cp <= 0x331 && u_charType(static_cast<UChar32>(cp)) == U_NON_SPACING_MARK;
}

// Appends `cp` case-folded and, for a Latin letter, without its accents ("É" -> "e"; as
// SQLite's unicode61, Greek and Cyrillic letters keep theirs).
void AppendFolded(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(absl::ascii_tolower(static_cast<unsigned char>(cp)));
    return;
  }
  if (IsDiacritic(cp)) return;
  cp = static_cast<char32_t>(u_foldCase(u_tolower(static_cast<UChar32>(cp)), U_FOLD_CASE_DEFAULT));
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(error);
  icu::UnicodeString parts;
  if (U_SUCCESS(error) && nfd->getDecomposition(static_cast<UChar32>(cp), parts)) {
    // An ASCII letter followed only by accents: keep the letter.
    const UChar32 base = parts.char32At(0);
    bool accents_only = true;
    for (int32_t i = parts.moveIndex32(0, 1); i < parts.length(); i = parts.moveIndex32(i, 1)) {
      accents_only = accents_only && u_charType(parts.char32At(i)) == U_NON_SPACING_MARK;
    }
    if (accents_only && base < 0x80 && absl::ascii_isalpha(static_cast<unsigned char>(base))) {
      cp = static_cast<char32_t>(base);
    }
  }
  AppendUtf8(cp, out);
}

// The words of text[begin, end), a run without CJK characters.
void AppendWords(absl::string_view text, size_t begin, size_t end,
                 std::vector<SearchToken>* tokens) {
  size_t pos = begin;
  while (pos < end) {
    const size_t start = pos;
    const char32_t cp = NextCodePoint(text, &pos);
    if (!IsWordChar(cp)) continue;
    SearchToken token;
    token.start = start;
    AppendFolded(cp, &token.text);
    while (pos < end) {
      size_t next = pos;
      const char32_t more = NextCodePoint(text, &next);
      if (!IsWordChar(more) && !IsDiacritic(more)) break;
      AppendFolded(more, &token.text);
      pos = next;
    }
    token.end = pos;
    PorterStem(token.text);
    tokens->push_back(std::move(token));
  }
}

// The bigrams of a CJK run whose code points start at `bounds` (plus its end).
void AppendBigrams(absl::string_view text, const std::vector<size_t>& bounds,
                   std::vector<SearchToken>* tokens) {
  if (bounds.size() == 2) {
    tokens->push_back(
        {std::string(text.substr(bounds[0], bounds[1] - bounds[0])), bounds[0], bounds[1]});
    return;
  }
  for (size_t i = 0; i + 2 < bounds.size(); ++i) {
    tokens->push_back(
        {std::string(text.substr(bounds[i], bounds[i + 2] - bounds[i])), bounds[i], bounds[i + 2]});
  }
}

}  // namespace

std::vector<SearchToken> TokenizeForSearch(absl::string_view text) {
  std::vector<SearchToken> tokens;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t run_start = pos;
    size_t probe = pos;
    const bool cjk = IsCjk(NextCodePoint(text, &probe));
    std::vector<size_t> bounds = {run_start};  // code point boundaries of a CJK run
    pos = probe;
    if (cjk) bounds.push_back(pos);
    while (pos < text.size()) {
      probe = pos;
      if (IsCjk(NextCodePoint(text, &probe)) != cjk) break;
      pos = probe;
      if (cjk) bounds.push_back(pos);
    }
    if (cjk) {
      AppendBigrams(text, bounds, &tokens);
    } else {
      AppendWords(text, run_start, pos, &tokens);
    }
  }
  return tokens;
}

}  // namespace bulletin::content
