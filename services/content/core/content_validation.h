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

inline constexpr size_t kMaxTitleLength = 200;    // code points
inline constexpr size_t kMaxBodyBytes = 1000000;  // UTF-8 bytes after sanitising
inline constexpr size_t kMaxTags = 20;

// An article as it is about to be stored (created, or updated and merged): translations
// (1..10, keys normalised), each translation (see NormalizeTranslation), default_locale,
// slug, category_id format, tags (trimmed, NFC, Latin lower-cased, duplicates dropped, at
// most 20, each 1..50 characters).
absl::Status ValidateArticle(Article& article);

// One translation, field names prefixed with `prefix` (e.g. "article.translations[en]"):
// valid UTF-8, text fields in NFC, the body sanitised (html_sanitizer.h: elements nested
// at most 256 deep), and bounds:
// title 1..200, summary 1000, caption and alt 500 characters, cover URL http(s) or '/'-path
// of at most 2048, body at most 1,000,000 bytes after sanitising (2,000,000 before).
absl::Status NormalizeTranslation(const std::string& prefix, Translation& translation);

// A category: slug (required), translations (1..10, names NFC), default_locale, parent_id
// format.
absl::Status ValidateCategory(Category& category);

// An optional request_id: empty, or an id (common/base/text_rules.h CheckId).
absl::Status CheckRequestId(const std::string& request_id);

// An optional locale in field `field`: empty, or normalised in place (CheckLocale).
absl::Status CheckOptionalLocale(std::string* locale, absl::string_view field);

}  // namespace bulletin::content
