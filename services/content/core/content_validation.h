// Input rules of the content API (bounds and formats from content.proto), applied before
// anything is stored. Each function checks one input, normalises it in place (locale keys
// and tags), and returns INVALID_ARGUMENT whose message starts with the offending field
// path, e.g. "article.translations[zh-CN].title: must not be empty". Ids and locales
// follow the one rule set of common/base/text_rules.h. Thread-safe.
#pragma once

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/content/core/content_types.h"

namespace bulletin::content {

// The bounds content.proto states, in code points unless they say bytes.
inline constexpr size_t kMaxTitleLength = 200;
inline constexpr size_t kMaxSummaryLength = 1000;
inline constexpr size_t kMaxCaptionLength = 500;  // cover_image_caption and cover_image_alt
inline constexpr size_t kMaxUrlBytes = 2048;
inline constexpr size_t kMaxBodyBytes = 1000000;  // UTF-8 bytes after sanitising (2x before)
inline constexpr size_t kMaxTags = 20;
inline constexpr size_t kMaxTagLength = 50;
inline constexpr size_t kMaxTranslations = 10;
inline constexpr size_t kMaxCategoryNameLength = 100;
inline constexpr size_t kMaxDescriptionLength = 1000;

// An article as it is about to be stored (created, or updated and merged): translations
// (1..10, keys normalised), each translation (see NormalizeTranslation), default_locale,
// slug, category_id format, tags (trimmed, NFC, Latin lower-cased, duplicates dropped, at
// most 20, each 1..50 characters).
absl::Status ValidateArticle(Article& article);

// One translation, field names prefixed with `prefix` (e.g. "article.translations[en]"):
// text fields in NFC under the shared text rule (common/base/text_rules.h CheckText: valid
// UTF-8, no control characters; title, caption and alt on one line), the body sanitised
// (html_sanitizer.h: nesting at most 256 elements), and bounds: title 1..200 (not blank),
// summary 1000, caption and alt 500 characters; cover URL an absolute http(s) URL with a
// host, or a '/'-path, of at most 2048 bytes without spaces, quotes, '<', '>', '\\', '`',
// '{', '}', '|', '^' or control characters; body at most 1,000,000 bytes after sanitising
// (2,000,000 before).
absl::Status NormalizeTranslation(const std::string& prefix, Translation& translation);

// A category: slug (required), translations (1..10; name 1..100 characters on one line,
// description 1000, NFC, the shared text rule), default_locale, parent_id format.
absl::Status ValidateCategory(Category& category);

// An optional request_id: empty, or an id (common/base/text_rules.h CheckId).
absl::Status CheckRequestId(const std::string& request_id);

// An optional locale in field `field`: empty, or normalised in place (CheckLocale).
absl::Status CheckOptionalLocale(std::string* locale, absl::string_view field);

}  // namespace bulletin::content
