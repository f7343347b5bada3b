// FaultyArticleStore: an ArticleStore and OutboxStore that passes every call to the
// stores it wraps, except the calls it was told to fail, which end with UNAVAILABLE before
// reaching them (leveldb's ErrorEnv). Tests use it for the error paths of what uses a
// store: an outage must surface as UNAVAILABLE (never INTERNAL) and change nothing.
// Thread-safe; the wrapped stores must outlive it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/content/core/article_store.h"

namespace bulletin::content {

// One method of ArticleStore or OutboxStore.
enum class StoreCall {
  kCreateCategory,
  kGetCategory,
  kGetCategoryBySlug,
  kGetCategoryAncestors,
  kListCategories,
  kCategorySubtree,
  kUpdateCategory,
  kDeleteCategory,
  kCreateArticle,
  kGetArticle,
  kGetArticleBySlug,
  kUpdateArticle,
  kListArticles,
  kCountArticles,
  kListRevisions,
  kDueScheduledArticles,
  kNextScheduledTime,
  kSearch,
  kRelatedCandidates,
  kPendingEvents,
  kMarkEventSent,
  kSentEventsSince,
  kDeleteSentEventsBefore,
  kLoadRelayRunId,
  kSaveRelayRunId,
  kCountOutboxEvents,
};

// "GetArticle", ...
const char* StoreCallName(StoreCall call);

class FaultyArticleStore : public ArticleStore, public OutboxStore {
 public:
  FaultyArticleStore(ArticleStore& articles, OutboxStore& outbox)
      : articles_(articles), outbox_(outbox) {}

  // From now on, every call of `call` fails.
  void Fail(StoreCall call) ABSL_LOCKS_EXCLUDED(mu_);
  // From now on, every call fails.
  void FailAll() ABSL_LOCKS_EXCLUDED(mu_);
  // Lets every call through again.
  void Heal() ABSL_LOCKS_EXCLUDED(mu_);
  // How many calls failed so far.
  int64_t failures() const ABSL_LOCKS_EXCLUDED(mu_);

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
  // UNAVAILABLE naming the call when it is to fail, else OK.
  absl::Status Inject(StoreCall call) ABSL_LOCKS_EXCLUDED(mu_);

  ArticleStore& articles_;
  OutboxStore& outbox_;
  mutable absl::Mutex mu_;
  bool fail_all_ ABSL_GUARDED_BY(mu_) = false;
  std::set<StoreCall> failing_ ABSL_GUARDED_BY(mu_);
  int64_t failures_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace bulletin::content
