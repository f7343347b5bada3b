// MemoryArticleStore: ArticleStore and OutboxStore in memory, a working fake with the
// SQLite store's contract (leveldb's MemEnv), so the core's tests need no database file.
// Search uses the core's tokenizer and FTS5's BM25, so results come in the same order;
// times are kept to the microsecond, as SQLite stores them. One mutex serialises every
// call and a write is applied only after all its checks passed. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/content/core/article_store.h"
#include "services/content/core/search_tokenizer.h"

namespace bulletin::content {

class MemoryArticleStore : public ArticleStore, public OutboxStore {
 public:
  MemoryArticleStore() = default;
  MemoryArticleStore(const MemoryArticleStore&) = delete;
  MemoryArticleStore& operator=(const MemoryArticleStore&) = delete;

  absl::StatusOr<Category> CreateCategory(const Category& category, const std::string& request_id,
                                          absl::Time now) override ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<Category> GetCategory(const std::string& id) override ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<Category> GetCategoryBySlug(const std::string& slug) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::vector<Category>> GetCategoryAncestors(const std::string& id) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::vector<Category>> ListCategories() override ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::vector<std::string>> CategorySubtree(const std::string& id) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<Category> UpdateCategory(const std::string& id, const CategoryMutation& mutate,
                                          const CategoryMoveEvent& moved) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status DeleteCategory(const std::string& id,
                              const std::function<absl::Status(const Category&)>& check) override
      ABSL_LOCKS_EXCLUDED(mu_);

  absl::StatusOr<Article> CreateArticle(const Article& article,
                                        const NewArticleOptions& options) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<Article> GetArticle(const std::string& id) override ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<Article> GetArticleBySlug(const std::string& slug) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<Article> UpdateArticle(const std::string& id,
                                        const ArticleMutation& mutate) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::vector<Article>> ListArticles(const ArticleFilter& filter,
                                                    const std::optional<ArticleCursor>& after,
                                                    int limit) override ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<int64_t> CountArticles(const ArticleFilter& filter) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::vector<ArticleRevision>> ListRevisions(const std::string& id,
                                                             int64_t before_revision,
                                                             int limit) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::vector<std::string>> DueScheduledArticles(absl::Time now, int limit) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::optional<absl::Time>> NextScheduledTime() override ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::vector<SearchHit>> Search(const TextQuery& query, const std::string& locale,
                                                const std::vector<std::string>& category_ids,
                                                int limit) override ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::vector<RelatedCandidate>> RelatedCandidates(const Article& article,
                                                                  const TextQuery& text,
                                                                  int limit) override
      ABSL_LOCKS_EXCLUDED(mu_);

  absl::StatusOr<std::vector<OutboxEvent>> PendingEvents(int limit) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status MarkEventSent(int64_t seq, const std::string& stream_id, absl::Time now) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::vector<OutboxEvent>> SentEventsSince(absl::Time since, int64_t after_seq,
                                                           int limit) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<int64_t> DeleteSentEventsBefore(absl::Time cutoff) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::string> LoadRelayRunId() override ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status SaveRelayRunId(const std::string& run_id) override ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<int64_t> CountOutboxEvents() override ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // One translation of a published article in the search index: its columns (title,
  // summary, body text) as tokens.
  struct SearchDoc {
    int64_t docid = 0;  // order of indexing, as SQLite's rowids
    std::string article_id;
    std::string locale;
    std::vector<SearchToken> columns[3];
  };
  struct RequestEntry {
    std::string resource_id;
    absl::Time create_time;
  };
  // A doc that matched a query, with its BM25 rank (lower is better, as FTS5's).
  struct RankedDoc {
    const SearchDoc* doc;
    double rank;
  };

  absl::StatusOr<Category> FindCategory(const std::string& id) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::vector<Category>> Ancestors(const std::string& id) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::vector<std::string>> AncestorIds(const std::string& id) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // `id` and the categories below it, by depth. NOT_FOUND when `id` does not exist.
  absl::StatusOr<std::vector<std::string>> Subtree(const std::string& id) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<Article> FindArticle(const std::string& id) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The resource a request_id created within the window, or "".
  std::string FindRequest(const std::string& kind, const std::string& request_id,
                          absl::Time now) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The article owning `slug`, or "".
  std::string SlugOwner(const std::string& slug) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // What writing `article` would violate: ALREADY_EXISTS (slug), FAILED_PRECONDITION
  // (category).
  absl::Status CheckArticle(const Article& article) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // ALREADY_EXISTS when an event with this event_id is in the outbox.
  absl::Status CheckEvent(const OutboxEvent& event) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writes a checked article with its slugs, revision snapshot and search documents.
  void CommitArticle(const Article& article, const std::string& author,
                     const std::vector<std::string>& changed_fields, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void IndexArticle(const Article& article) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void InsertEvent(const OutboxEvent& event) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The indexed documents matching `query`, restricted by `keep`, best first (ties by
  // article id), at most `limit`; with `newest_only`, the `limit` most recently indexed
  // matches are the ones ranked (ArticleStore::Search), else the best of all.
  std::vector<RankedDoc> RankDocs(const TextQuery& query,
                                  const std::function<bool(const SearchDoc&)>& keep, int limit,
                                  bool newest_only) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Published, not deleted articles passing `keep`, newest publish_time first, at most
  // `limit`.
  std::vector<const Article*> NewestPublished(const std::function<bool(const Article&)>& keep,
                                              int limit) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, Category> categories_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Article> articles_ ABSL_GUARDED_BY(mu_);
  // slug -> article id: every slug an article has had (slug history), never moved.
  std::map<std::string, std::string> slugs_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::vector<ArticleRevision>> revisions_
      ABSL_GUARDED_BY(mu_);  // by article id, oldest first
  std::map<std::pair<std::string, std::string>, RequestEntry> requests_
      ABSL_GUARDED_BY(mu_);  // by (kind, request_id)
  std::map<std::string, std::vector<SearchDoc>> docs_ ABSL_GUARDED_BY(mu_);  // by article id
  int64_t next_docid_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<int64_t, OutboxEvent> outbox_ ABSL_GUARDED_BY(mu_);  // by seq
  int64_t next_seq_ ABSL_GUARDED_BY(mu_) = 1;
  std::string relay_run_id_ ABSL_GUARDED_BY(mu_);
};

}  // namespace bulletin::content
