// Internal to the memory store's .cc files: values as the SQLite store would return
// them (times to the microsecond), and the not-found errors both stores report.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/base/text_rules.h"
#include "services/content/core/content_types.h"

namespace bulletin::content::memory_internal {

inline absl::Time Micros(absl::Time t) { return absl::FromUnixMicros(absl::ToUnixMicros(t)); }

inline absl::Status ArticleNotFound(const std::string& key) {
  return absl::NotFoundError(absl::StrCat("article \"", Excerpt(key), "\" not found"));
}

inline absl::Status CategoryNotFound(const std::string& key) {
  return absl::NotFoundError(absl::StrCat("category \"", Excerpt(key), "\" not found"));
}

// `a` with every time cut to the microsecond.
Article Stored(Article a);
Category Stored(Category c);

}  // namespace bulletin::content::memory_internal
