// Internal to the PostgreSQL store's .cc files: the column lists shared by several queries,
// states and times as stored (the same numbers as store/sqlite), and the row-level steps
// of the store's verbs, each run on the connection of the caller's transaction or snapshot.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/content/core/article_store.h"
#include "services/content/store/postgres/pg_connection.h"

namespace bulletin::content::pg_internal {

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

// ---- articles (pg_article_rows.cc) ------------------------------------------------------

// Reads the columns of kArticleColumns (or kRevisionColumns) of `row`.
void ReadArticleRow(const PgResult& r, int row, Article& a);
// The article with its translations and tags; FOR UPDATE locks its row until the end of
// the transaction. NOT_FOUND when missing.
absl::StatusOr<Article> LoadArticle(PgConnection& db, const std::string& id, bool for_update);
// Fills translations and tags of `articles` from the live tables (two statements).
absl::Status LoadArticleParts(PgConnection& db, const std::vector<Article*>& articles);
// Fills translations and tags of revisions of article `id` from the snapshot tables.
absl::Status LoadRevisionParts(PgConnection& db, const std::string& id,
                               const std::vector<ArticleRevision*>& revisions);
// The article owning `slug`, or "" when it is free.
absl::StatusOr<std::string> SlugOwner(PgConnection& db, const std::string& slug);
// Inserts or updates `article` with its translations, tags, slugs and search documents.
absl::Status WriteArticle(PgConnection& db, const Article& article, bool insert);
// Snapshots the live article `id` as its current revision.
absl::Status WriteRevision(PgConnection& db, const std::string& id, const std::string& author,
                           const std::vector<std::string>& changed_fields, absl::Time now);
// The resource a request_id made within kRequestIdWindow before `now`, or "".
absl::StatusOr<std::string> FindRequest(PgConnection& db, const std::string& kind,
                                        const std::string& request_id, absl::Time now);
// Records request_id -> resource_id; a retryable ABORTED when a concurrent transaction
// took the same request_id first.
absl::Status SaveRequest(PgConnection& db, const std::string& kind, const std::string& request_id,
                         const std::string& resource_id, absl::Time now);

// ---- categories (postgres_article_store_categories.cc) ----------------------------------

absl::StatusOr<Category> LoadCategory(PgConnection& db, const std::string& column,
                                      const std::string& key);
absl::StatusOr<std::vector<Category>> LoadAncestors(PgConnection& db, const std::string& id);
absl::StatusOr<std::vector<std::string>> LoadSubtree(PgConnection& db, const std::string& id);
// Takes the category tree's advisory lock until the end of the transaction.
absl::Status LockCategoryTree(PgConnection& db, bool exclusive);

// ---- outbox and search ------------------------------------------------------------------

absl::Status InsertOutbox(PgConnection& db, const OutboxEvent& event);
// Replaces the search documents of `article` (none unless published and not deleted).
absl::Status IndexArticle(PgConnection& db, const Article& article);
// The same for the articles `ids` (those missing are skipped), in three statements: what
// bulk copies and rebuilds use instead of a round trip per article.
absl::Status IndexArticles(PgConnection& db, const std::vector<std::string>& ids);
// IndexArticles for many articles at once, inside the caller's transaction: the search
// index and the word counts are built once after (TRUNCATE-and-rebuild, bulk copies).
absl::Status IndexArticlesInBulk(PgConnection& db, const std::vector<std::string>& ids);
// Rebuilds every search document when the index was built by another tokenizer version.
absl::Status RebuildSearchIndexIfStale(PgConnection& db);

}  // namespace bulletin::content::pg_internal
