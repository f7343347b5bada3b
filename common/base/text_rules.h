// The one rule set for textual identifiers every service takes from outside: ids and
// request ids, slugs, BCP-47 locale tags (normalised the same way everywhere: "zh_cn" ->
// "zh-CN"), and lengths counted in Unicode code points. The Check* forms return
// InvalidArgument whose message starts with the field path they are given and quotes at
// most a short excerpt of the input. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace bulletin {

inline constexpr size_t kMaxSlugLength = 100;

// 1..64 characters of [A-Za-z0-9_-]: ids and request ids.
bool IsValidId(absl::string_view s);

// Lowercase ASCII letters, digits and '-', 1..100 characters, no leading, trailing or
// doubled '-'.
bool IsValidSlug(absl::string_view s);

// Normalises a BCP-47 tag ("zh-cn" -> "zh-CN", "EN" -> "en", "zh-hans-cn" -> "zh-Hans-CN",
// '_' accepted as a separator). nullopt when malformed: empty, over 35 characters, a
// primary subtag that is not 2..8 letters, or a subtag that is not 1..8 letters/digits.
std::optional<std::string> NormalizeLocale(absl::string_view tag);

// "zh-CN" -> "zh". The input is a normalised tag.
std::string PrimaryLanguage(absl::string_view locale);

// A slug from a title: ASCII letters and digits lower-cased, every other run of characters
// one '-', trimmed, cut to `max_len` at a word boundary where possible. Empty when the
// title has no ASCII letter or digit (e.g. a Chinese-only title).
std::string SlugFromTitle(absl::string_view title, size_t max_len = kMaxSlugLength);

// Number of Unicode code points of a UTF-8 string.
size_t CodePoints(absl::string_view utf8);

// InvalidArgument "FIELD: required" / "FIELD: longer than 64 characters" / "FIELD: may
// contain only A-Z, a-z, 0-9, '-' and '_'" unless IsValidId(value).
absl::Status CheckId(absl::string_view value, absl::string_view field);

// Normalises `*locale` in place (NormalizeLocale). InvalidArgument naming `field` when it is
// malformed; an empty locale is "FIELD: required".
absl::Status CheckLocale(std::string* locale, absl::string_view field);

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF).
bool IsValidUtf8(absl::string_view s);

// What CheckText accepts for one free-text field.
struct TextRule {
  bool required = false;           // empty or whitespace-only is "FIELD: required"
  size_t max_code_points = 0;      // 0: no limit here (the caller bounds bytes itself)
  bool allow_line_breaks = false;  // '\n', '\r' and '\t' allowed (bodies, summaries)
};

// The shared rule for free text taken from outside (titles, names, captions, queries):
// valid UTF-8, no control characters (C0 except the allowed line breaks, DEL, C1), not
// whitespace-only when required, at most `max_code_points`. InvalidArgument naming `field`
// otherwise, never quoting more than a short excerpt.
absl::Status CheckText(absl::string_view value, absl::string_view field, const TextRule& rule);

// `input` with every byte that starts no valid UTF-8 character replaced by U+FFFD.
std::string ToValidUtf8(absl::string_view input);

// At most `max` bytes of `input` for an error message, cut at a UTF-8 character boundary,
// with "..." appended when it was cut. Always valid UTF-8: a byte of `input` that starts
// no valid character is written as U+FFFD.
std::string Excerpt(absl::string_view input, size_t max = 40);

}  // namespace bulletin
