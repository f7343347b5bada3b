// Internal to the SQLite store's .cc files: early-return macros over absl::Status /
// absl::StatusOr, the column lists shared by several queries, and time conversion.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace bulletin::content {

// Returns from the enclosing function when a Status / StatusOr is not OK.
#define RETURN_IF_ERROR(expr)                 \
  do {                                        \
    if (absl::Status _s = (expr); !_s.ok()) { \
      return _s;                              \
    }                                         \
  } while (0)

#define ASSIGN_OR_RETURN(lhs, expr)             \
  auto lhs##_or = (expr);                       \
  if (!lhs##_or.ok()) return lhs##_or.status(); \
  auto& lhs = *lhs##_or

class Statement;
struct Article;
// Reads the columns of kArticleColumns (or kRevisionColumns) from the current row.
void ReadArticleRow(const Statement& q, Article& a);

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
