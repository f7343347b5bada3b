// ArticleStore and OutboxStore on one SQLite database file (WAL mode), its schema migrated
// at Open. Every write of an article also writes its revision snapshot and refreshes its
// FTS5 search documents (published, not deleted articles only) in the same transaction.
// One connection behind a mutex serialises every call (thread-safe); another process or
// store on the same file waits on SQLite's busy timeout.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/content/core/article_store.h"
#include "services/content/store/sqlite/sqlite_db.h"

namespace bulletin::content {

class SqliteArticleStore : public ArticleStore, public OutboxStore {
 public:
  // Opens or creates the database at `path`, migrates its schema and (re)builds the search
  // index when it is missing or was built by an older tokenizer.
  // UNAVAILABLE when the file cannot be opened; INTERNAL for a failed migration.
  static absl::StatusOr<std::unique_ptr<SqliteArticleStore>> Open(const std::string& path);

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

 private:
  explicit SqliteArticleStore(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}

  // The helpers below run with mu_ held.
  absl::StatusOr<Category> LoadCategory(const std::string& sql, const std::string& key)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::vector<Category>> LoadAncestors(const std::string& id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::vector<std::string>> LoadSubtree(const std::string& id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<Article> LoadArticle(const std::string& id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Fills translations and tags of `a` (revision 0: the live tables, else the snapshot).
  absl::Status LoadArticleParts(Article& a, int64_t revision) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::string> FindRequest(const std::string& kind, const std::string& request_id,
                                          absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status SaveRequest(const std::string& kind, const std::string& request_id,
                           const std::string& resource_id, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The article owning `slug`, or "" when it is free.
  absl::StatusOr<std::string> SlugOwner(const std::string& slug) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status WriteArticle(const Article& article, bool insert) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Snapshots the live article `id` as its current revision.
  absl::Status WriteRevision(const std::string& id, const std::string& author,
                             const std::vector<std::string>& changed_fields, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Replaces the search documents of `article` (none unless published and not deleted).
  absl::Status IndexArticle(const Article& article) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status RebuildSearchIndexIfStale() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status InsertOutbox(const OutboxEvent& event) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::vector<OutboxEvent>> LoadEvents(Statement& stmt)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::unique_ptr<SqliteDb> db_ ABSL_GUARDED_BY(mu_);
};

}  // namespace bulletin::content
