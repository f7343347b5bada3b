// Input rules of the content API (bounds and formats from content.proto), applied before
// anything is stored. Each function checks one input, normalises it in place (locale keys
// and tags), and returns INVALID_ARGUMENT whose message starts with the offending field
// path, e.g. "article.translations[zh-CN].title: must not be empty". Thread-safe.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "services/content/content_types.h"

namespace bulletin::content {

// A new article: translations (1..10, keys normalised), default_locale, slug, category_id
// format, tags (trimmed, Latin lower-cased, duplicates dropped, at most 20).
absl::Status ValidateNewArticle(Article& article);

// A new category: slug (required), translations (1..10), default_locale, parent_id format.
absl::Status ValidateNewCategory(Category& category);

// An optional request_id: empty, or 1..64 characters of [A-Za-z0-9_-].
absl::Status ValidateRequestId(const std::string& request_id);

// A required id in field `field`.
absl::Status ValidateId(const std::string& field, const std::string& id);

// An optional locale in field `field`; normalised in place.
absl::Status ValidateLocale(const std::string& field, std::string& locale);

}  // namespace bulletin::content
