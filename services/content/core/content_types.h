// The content service's domain values: articles with their translations, and categories.
// Plain structs without behaviour; the rules live in ContentCore, storage in ArticleStore.
// Locale keys are normalised BCP-47 tags; times are absl::Time (UTC).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace bulletin::content {

// The values are stored (store/sqlite): never renumber. The adapter maps them to and from
// bulletin.content.v1.ArticleState (grpc/content_convert.h).
enum class ArticleState { kDraft = 1, kScheduled = 2, kPublished = 3, kArchived = 4 };

// The text of an article in one locale.
struct Translation {
  std::string title;
  std::string summary;
  std::string body;  // HTML
  std::string cover_image_url;
  std::string cover_image_caption;
  std::string cover_image_alt;
  std::string slug;  // empty: the article slug
  bool outdated = false;
  absl::Time update_time = absl::UnixEpoch();
};

struct Article {
  std::string id;
  std::string slug;
  std::string category_id;  // empty: none
  std::vector<std::string> tags;
  ArticleState state = ArticleState::kDraft;
  std::map<std::string, Translation> translations;  // keyed by locale
  std::string default_locale;
  std::optional<absl::Time> publish_time;
  absl::Time create_time = absl::UnixEpoch();
  absl::Time update_time = absl::UnixEpoch();
  int64_t revision = 0;
  std::string etag;
  bool featured = false;
  std::optional<absl::Time> delete_time;
};

struct CategoryTranslation {
  std::string name;
  std::string description;
};

struct Category {
  std::string id;
  std::string slug;
  std::string parent_id;                                    // empty: top level
  std::map<std::string, CategoryTranslation> translations;  // keyed by locale
  std::string default_locale;
  int32_t sort_order = 0;
  absl::Time create_time = absl::UnixEpoch();
  absl::Time update_time = absl::UnixEpoch();
  std::string etag;
};

// One saved version of an article (ListArticleRevisions).
struct ArticleRevision {
  int64_t revision = 0;
  Article article;
  absl::Time create_time = absl::UnixEpoch();
  std::string author;                       // "editor", "admin", "scheduler"
  std::vector<std::string> changed_fields;  // update_mask paths; "state" for state changes
};

// One entry of an article's language switch.
struct LocaleLink {
  std::string locale;
  std::string slug;
  std::string title;
  std::string canonical_url;  // empty without a site base URL
};

}  // namespace bulletin::content
