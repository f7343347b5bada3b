// ArticleStore and OutboxStore on PostgreSQL (libpq), for content replicas that share one
// database. Calls lease a connection from a pool; statements are prepared once per
// connection. Every write of an article also writes its revision snapshot, its search
// documents and its outbox event in the same transaction, with the article row locked
// (SELECT ... FOR UPDATE), so etag checks hold across replicas; request ids live in the
// database; the category tree changes under an advisory lock. A transaction that loses a
// race on a unique key runs again, so it answers as on SQLite (ALREADY_EXISTS naming the
// field, the first resource of a request_id, the next free derived slug). Reads of several
// tables use one snapshot. The schema is migrated at Open. Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "services/content/core/article_store.h"
#include "services/content/store/postgres/pg_pool.h"
#include "services/content/store/postgres/pg_relay_lease.h"

namespace bulletin::content {

struct PostgresStoreOptions {
  std::string uri;    // postgres://USER[:PASSWORD]@HOST:PORT/DBNAME[?sslmode=...]
  int pool_size = 8;  // connections at most
};

class PostgresArticleStore : public ArticleStore, public OutboxStore {
 public:
  // Connects, applies the schema migrations and (re)builds the search index when it was
  // built by an older tokenizer. UNAVAILABLE when the server cannot be reached;
  // FAILED_PRECONDITION when the database schema is newer than this binary's.
  static absl::StatusOr<std::unique_ptr<PostgresArticleStore>> Open(
      const PostgresStoreOptions& options);

  // Whether the database answers (SELECT 1): the health probe.
  bool Healthy() { return pool_->Ping(); }

  absl::StatusOr<Category> CreateCategory(const Category& category, const std::string& request_id,
                                          absl::Time now) override;
  absl::StatusOr<Category> GetCategory(const std::string& id) override;
  absl::StatusOr<Category> GetCategoryBySlug(const std::string& slug) override;
  absl::StatusOr<std::vector<Category>> GetCategoryAncestors(const std::string& id) override;
  absl::StatusOr<std::vector<Category>> ListCategories() override;
  absl::StatusOr<std::vector<std::string>> CategorySubtree(const std::string& id) override;
  absl::StatusOr<Category> UpdateCategory(const std::string& id, const CategoryMutation& mutate,
                                          const CategoryMoveEvent& moved) override;
  absl::Status DeleteCategory(const std::string& id,
                              const std::function<absl::Status(const Category&)>& check) override;

  absl::StatusOr<Article> CreateArticle(const Article& article,
                                        const NewArticleOptions& options) override;
  absl::StatusOr<Article> GetArticle(const std::string& id) override;
  absl::StatusOr<std::vector<Article>> GetArticles(const std::vector<std::string>& ids) override;
  absl::StatusOr<Article> GetArticleBySlug(const std::string& slug) override;
  absl::StatusOr<Article> UpdateArticle(const std::string& id,
                                        const ArticleMutation& mutate) override;
  absl::StatusOr<std::vector<Article>> ListArticles(const ArticleFilter& filter,
                                                    const std::optional<ArticleCursor>& after,
                                                    int limit) override;
  absl::StatusOr<int64_t> CountArticles(const ArticleFilter& filter) override;
  absl::StatusOr<std::vector<ArticleRevision>> ListRevisions(const std::string& id,
                                                             int64_t before_revision,
                                                             int limit) override;
  absl::StatusOr<std::vector<std::string>> DueScheduledArticles(absl::Time now, int limit) override;
  absl::StatusOr<std::optional<absl::Time>> NextScheduledTime() override;
  absl::StatusOr<std::vector<SearchHit>> Search(const TextQuery& query, const std::string& locale,
                                                const std::vector<std::string>& category_ids,
                                                int limit) override;
  absl::StatusOr<std::vector<RelatedCandidate>> RelatedCandidates(const Article& article,
                                                                  const TextQuery& text,
                                                                  int limit) override;

  absl::StatusOr<std::vector<OutboxEvent>> PendingEvents(int limit) override;
  absl::Status MarkEventSent(int64_t seq, const std::string& stream_id, absl::Time now) override;
  absl::StatusOr<std::vector<OutboxEvent>> SentEventsSince(absl::Time since, int64_t after_seq,
                                                           int limit) override;
  absl::StatusOr<int64_t> DeleteSentEventsBefore(absl::Time cutoff) override;
  absl::StatusOr<std::string> LoadRelayRunId() override;
  absl::Status SaveRelayRunId(const std::string& run_id) override;
  absl::StatusOr<int64_t> CountOutboxEvents() override;
  absl::StatusOr<bool> HoldRelayLease() override { return relay_lease_.Hold(); }

 private:
  PostgresArticleStore(std::unique_ptr<PgPool> pool, const std::string& uri)
      : pool_(std::move(pool)), relay_lease_(uri) {}

  std::unique_ptr<PgPool> pool_;
  PgRelayLease relay_lease_;
};

}  // namespace bulletin::content
