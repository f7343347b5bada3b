// Internal to the SQLite store's .cc files: the column lists shared by several queries,
// article states and times as stored.
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/content/core/content_types.h"

namespace bulletin::content {

class Statement;
// Reads the columns of kArticleColumns (or kRevisionColumns) from the current row.
void ReadArticleRow(const Statement& q, Article& a);

// ArticleState as stored in the `state` columns, for SQL text.
inline std::string Stored(ArticleState state) { return absl::StrCat(static_cast<int>(state)); }

inline int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }
inline absl::Time FromMicros(int64_t us) { return absl::FromUnixMicros(us); }

inline constexpr char kArticleColumns[] =
    "SELECT id, slug, category_id, state, default_locale, publish_time, create_time, "
    "update_time, revision, etag, featured, delete_time FROM articles ";
// The revision table has the same leading columns (its `article_id` first).
inline constexpr char kRevisionColumns[] =
    "SELECT article_id, slug, category_id, state, default_locale, publish_time, create_time, "
    "update_time, revision, etag, featured, delete_time, author, changed_fields, revision_time "
    "FROM article_revisions ";
inline constexpr char kCategoryColumns[] =
    "SELECT id, slug, parent_id, default_locale, sort_order, create_time, update_time, etag "
    "FROM categories ";
inline constexpr char kEventColumns[] =
    "SELECT seq, event_id, type, article_id, payload, create_time, sent_time, stream_id "
    "FROM outbox ";

}  // namespace bulletin::content
