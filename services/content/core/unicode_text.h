// Unicode helpers of the content service (UTF-8 validation is common/base/text_rules): NFC
// normalisation (ICU's Normalizer2), code point iteration, and the CJK classification that search
// tokenising and slugs rely on. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace bulletin::content {

// `s` in Unicode Normalization Form C. The input must be valid UTF-8.
std::string ToNfc(absl::string_view s);

// Decodes the code point starting at s[*pos] and advances *pos past it. Invalid bytes
// decode as U+FFFD, one byte at a time.
char32_t NextCodePoint(absl::string_view s, size_t* pos);

// Appends the UTF-8 encoding of `cp` to *out.
void AppendUtf8(char32_t cp, std::string* out);

// Han ideographs, Hiragana, Katakana and Hangul syllables: scripts written without spaces,
// indexed as overlapping character bigrams.
bool IsCjk(char32_t cp);

}  // namespace bulletin::content
