// The textual identifiers of the content service: ids, request ids, slugs, BCP-47 locale
// tags, and length bounds counted in Unicode code points (content.proto's file header is
// the contract). Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace bulletin::content {

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

}  // namespace bulletin::content
