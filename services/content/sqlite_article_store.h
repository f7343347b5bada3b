// ArticleStore and OutboxStore on one SQLite database file (WAL mode). The schema is
// created and migrated at Open (schema_version table). Article slugs and translation
// slugs share the `slugs` table, which enforces their one namespace. One connection
// guarded by a mutex serialises every call, so the store is thread-safe; a second
// process (the seed command) may use the same file, waiting on SQLite's busy timeout.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "services/content/article_store.h"
#include "services/content/sqlite_db.h"

namespace bulletin::content {

class SqliteArticleStore : public ArticleStore, public OutboxStore {
 public:
  // Opens or creates the database at `path` and migrates its schema.
  // UNAVAILABLE when the file cannot be opened; INTERNAL for a failed migration.
  static absl::StatusOr<std::unique_ptr<SqliteArticleStore>> Open(const std::string& path);

  absl::StatusOr<Category> CreateCategory(const Category& category, const std::string& request_id,
                                          absl::Time now) override;
  absl::StatusOr<Category> GetCategory(const std::string& id) override;
  absl::StatusOr<Category> GetCategoryBySlug(const std::string& slug) override;
  absl::StatusOr<std::vector<Category>> GetCategoryAncestors(const std::string& id) override;

  absl::StatusOr<Article> CreateArticle(const Article& article,
                                        const NewArticleOptions& options) override;
  absl::StatusOr<Article> GetArticle(const std::string& id) override;
  absl::StatusOr<Article> GetArticleBySlug(const std::string& slug) override;
  absl::StatusOr<Article> UpdateArticle(const std::string& id,
                                        const ArticleMutation& mutate) override;

  absl::StatusOr<std::vector<OutboxEvent>> PendingEvents(int limit) override;
  absl::Status MarkEventSent(int64_t seq, const std::string& stream_id, absl::Time now) override;
  absl::StatusOr<std::vector<OutboxEvent>> SentEventsSince(absl::Time since, int64_t after_seq,
                                                           int limit) override;
  absl::StatusOr<int64_t> DeleteSentEventsBefore(absl::Time cutoff) override;
  absl::StatusOr<std::string> LoadRelayRunId() override;
  absl::Status SaveRelayRunId(const std::string& run_id) override;

  // Number of rows in the outbox, sent or not (for tests and metrics).
  absl::StatusOr<int64_t> CountOutboxEvents();

 private:
  explicit SqliteArticleStore(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}

  // The helpers below run with mu_ held.
  absl::StatusOr<Category> LoadCategory(const std::string& sql, const std::string& key);
  absl::StatusOr<std::vector<Category>> LoadAncestors(const std::string& id);
  absl::StatusOr<Article> LoadArticle(const std::string& sql, const std::string& key);
  absl::StatusOr<std::string> FindRequest(const std::string& kind, const std::string& request_id,
                                          absl::Time now);
  absl::Status SaveRequest(const std::string& kind, const std::string& request_id,
                           const std::string& resource_id, absl::Time now);
  // The article owning `slug`, or "" when it is free.
  absl::StatusOr<std::string> SlugOwner(const std::string& slug);
  absl::Status WriteArticle(const Article& article, bool insert);
  absl::Status InsertOutbox(const OutboxEvent& event);
  absl::StatusOr<std::vector<OutboxEvent>> LoadEvents(Statement& stmt);

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_ ABSL_GUARDED_BY(mu_);
};

}  // namespace bulletin::content
