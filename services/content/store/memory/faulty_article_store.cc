#include "services/content/store/memory/faulty_article_store.h"

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"

namespace bulletin::content {

const char* StoreCallName(StoreCall call) {
  switch (call) {
    case StoreCall::kCreateCategory:
      return "CreateCategory";
    case StoreCall::kGetCategory:
      return "GetCategory";
    case StoreCall::kGetCategoryBySlug:
      return "GetCategoryBySlug";
    case StoreCall::kGetCategoryAncestors:
      return "GetCategoryAncestors";
    case StoreCall::kListCategories:
      return "ListCategories";
    case StoreCall::kCategorySubtree:
      return "CategorySubtree";
    case StoreCall::kUpdateCategory:
      return "UpdateCategory";
    case StoreCall::kDeleteCategory:
      return "DeleteCategory";
    case StoreCall::kCreateArticle:
      return "CreateArticle";
    case StoreCall::kGetArticle:
      return "GetArticle";
    case StoreCall::kGetArticleBySlug:
      return "GetArticleBySlug";
    case StoreCall::kUpdateArticle:
      return "UpdateArticle";
    case StoreCall::kListArticles:
      return "ListArticles";
    case StoreCall::kCountArticles:
      return "CountArticles";
    case StoreCall::kListRevisions:
      return "ListRevisions";
    case StoreCall::kDueScheduledArticles:
      return "DueScheduledArticles";
    case StoreCall::kNextScheduledTime:
      return "NextScheduledTime";
    case StoreCall::kSearch:
      return "Search";
    case StoreCall::kRelatedCandidates:
      return "RelatedCandidates";
    case StoreCall::kPendingEvents:
      return "PendingEvents";
    case StoreCall::kMarkEventSent:
      return "MarkEventSent";
    case StoreCall::kSentEventsSince:
      return "SentEventsSince";
    case StoreCall::kDeleteSentEventsBefore:
      return "DeleteSentEventsBefore";
    case StoreCall::kLoadRelayRunId:
      return "LoadRelayRunId";
    case StoreCall::kSaveRelayRunId:
      return "SaveRelayRunId";
    case StoreCall::kCountOutboxEvents:
      return "CountOutboxEvents";
  }
  return "unknown";
}

void FaultyArticleStore::Fail(StoreCall call) {
  absl::MutexLock lock(&mu_);
  failing_.insert(call);
}

void FaultyArticleStore::FailAll() {
  absl::MutexLock lock(&mu_);
  fail_all_ = true;
}

void FaultyArticleStore::Heal() {
  absl::MutexLock lock(&mu_);
  fail_all_ = false;
  failing_.clear();
}

int64_t FaultyArticleStore::failures() const {
  absl::MutexLock lock(&mu_);
  return failures_;
}

absl::Status FaultyArticleStore::Inject(StoreCall call) {
  absl::MutexLock lock(&mu_);
  if (!fail_all_ && failing_.count(call) == 0) return absl::OkStatus();
  ++failures_;
  return absl::UnavailableError(
      absl::StrCat("store unavailable (injected fault in ", StoreCallName(call), ")"));
}

absl::StatusOr<Category> FaultyArticleStore::CreateCategory(const Category& category,
                                                            const std::string& request_id,
                                                            absl::Time now) {
  RETURN_IF_ERROR(Inject(StoreCall::kCreateCategory));
  return articles_.CreateCategory(category, request_id, now);
}

absl::StatusOr<Category> FaultyArticleStore::GetCategory(const std::string& id) {
  RETURN_IF_ERROR(Inject(StoreCall::kGetCategory));
  return articles_.GetCategory(id);
}

absl::StatusOr<Category> FaultyArticleStore::GetCategoryBySlug(const std::string& slug) {
  RETURN_IF_ERROR(Inject(StoreCall::kGetCategoryBySlug));
  return articles_.GetCategoryBySlug(slug);
}

absl::StatusOr<std::vector<Category>> FaultyArticleStore::GetCategoryAncestors(
    const std::string& id) {
  RETURN_IF_ERROR(Inject(StoreCall::kGetCategoryAncestors));
  return articles_.GetCategoryAncestors(id);
}

absl::StatusOr<std::vector<Category>> FaultyArticleStore::ListCategories() {
  RETURN_IF_ERROR(Inject(StoreCall::kListCategories));
  return articles_.ListCategories();
}

absl::StatusOr<std::vector<std::string>> FaultyArticleStore::CategorySubtree(
    const std::string& id) {
  RETURN_IF_ERROR(Inject(StoreCall::kCategorySubtree));
  return articles_.CategorySubtree(id);
}

absl::StatusOr<Category> FaultyArticleStore::UpdateCategory(const std::string& id,
                                                            const CategoryMutation& mutate,
                                                            const CategoryMoveEvent& moved) {
  RETURN_IF_ERROR(Inject(StoreCall::kUpdateCategory));
  return articles_.UpdateCategory(id, mutate, moved);
}

absl::Status FaultyArticleStore::DeleteCategory(
    const std::string& id, const std::function<absl::Status(const Category&)>& check) {
  RETURN_IF_ERROR(Inject(StoreCall::kDeleteCategory));
  return articles_.DeleteCategory(id, check);
}

absl::StatusOr<Article> FaultyArticleStore::CreateArticle(const Article& article,
                                                          const NewArticleOptions& options) {
  RETURN_IF_ERROR(Inject(StoreCall::kCreateArticle));
  return articles_.CreateArticle(article, options);
}

absl::StatusOr<Article> FaultyArticleStore::GetArticle(const std::string& id) {
  RETURN_IF_ERROR(Inject(StoreCall::kGetArticle));
  return articles_.GetArticle(id);
}

absl::StatusOr<Article> FaultyArticleStore::GetArticleBySlug(const std::string& slug) {
  RETURN_IF_ERROR(Inject(StoreCall::kGetArticleBySlug));
  return articles_.GetArticleBySlug(slug);
}

absl::StatusOr<Article> FaultyArticleStore::UpdateArticle(const std::string& id,
                                                          const ArticleMutation& mutate) {
  RETURN_IF_ERROR(Inject(StoreCall::kUpdateArticle));
  return articles_.UpdateArticle(id, mutate);
}

absl::StatusOr<std::vector<Article>> FaultyArticleStore::ListArticles(
    const ArticleFilter& filter, const std::optional<ArticleCursor>& after, int limit) {
  RETURN_IF_ERROR(Inject(StoreCall::kListArticles));
  return articles_.ListArticles(filter, after, limit);
}

absl::StatusOr<int64_t> FaultyArticleStore::CountArticles(const ArticleFilter& filter) {
  RETURN_IF_ERROR(Inject(StoreCall::kCountArticles));
  return articles_.CountArticles(filter);
}

absl::StatusOr<std::vector<ArticleRevision>> FaultyArticleStore::ListRevisions(
    const std::string& id, int64_t before_revision, int limit) {
  RETURN_IF_ERROR(Inject(StoreCall::kListRevisions));
  return articles_.ListRevisions(id, before_revision, limit);
}

absl::StatusOr<std::vector<std::string>> FaultyArticleStore::DueScheduledArticles(absl::Time now,
                                                                                  int limit) {
  RETURN_IF_ERROR(Inject(StoreCall::kDueScheduledArticles));
  return articles_.DueScheduledArticles(now, limit);
}

absl::StatusOr<std::optional<absl::Time>> FaultyArticleStore::NextScheduledTime() {
  RETURN_IF_ERROR(Inject(StoreCall::kNextScheduledTime));
  return articles_.NextScheduledTime();
}

absl::StatusOr<std::vector<SearchHit>> FaultyArticleStore::Search(
    const TextQuery& query, const std::string& locale, const std::vector<std::string>& category_ids,
    int limit) {
  RETURN_IF_ERROR(Inject(StoreCall::kSearch));
  return articles_.Search(query, locale, category_ids, limit);
}

absl::StatusOr<std::vector<RelatedCandidate>> FaultyArticleStore::RelatedCandidates(
    const Article& article, const TextQuery& text, int limit) {
  RETURN_IF_ERROR(Inject(StoreCall::kRelatedCandidates));
  return articles_.RelatedCandidates(article, text, limit);
}

absl::StatusOr<std::vector<OutboxEvent>> FaultyArticleStore::PendingEvents(int limit) {
  RETURN_IF_ERROR(Inject(StoreCall::kPendingEvents));
  return outbox_.PendingEvents(limit);
}

absl::Status FaultyArticleStore::MarkEventSent(int64_t seq, const std::string& stream_id,
                                               absl::Time now) {
  RETURN_IF_ERROR(Inject(StoreCall::kMarkEventSent));
  return outbox_.MarkEventSent(seq, stream_id, now);
}

absl::StatusOr<std::vector<OutboxEvent>> FaultyArticleStore::SentEventsSince(absl::Time since,
                                                                             int64_t after_seq,
                                                                             int limit) {
  RETURN_IF_ERROR(Inject(StoreCall::kSentEventsSince));
  return outbox_.SentEventsSince(since, after_seq, limit);
}

absl::StatusOr<int64_t> FaultyArticleStore::DeleteSentEventsBefore(absl::Time cutoff) {
  RETURN_IF_ERROR(Inject(StoreCall::kDeleteSentEventsBefore));
  return outbox_.DeleteSentEventsBefore(cutoff);
}

absl::StatusOr<std::string> FaultyArticleStore::LoadRelayRunId() {
  RETURN_IF_ERROR(Inject(StoreCall::kLoadRelayRunId));
  return outbox_.LoadRelayRunId();
}

absl::Status FaultyArticleStore::SaveRelayRunId(const std::string& run_id) {
  RETURN_IF_ERROR(Inject(StoreCall::kSaveRelayRunId));
  return outbox_.SaveRelayRunId(run_id);
}

absl::StatusOr<int64_t> FaultyArticleStore::CountOutboxEvents() {
  RETURN_IF_ERROR(Inject(StoreCall::kCountOutboxEvents));
  return outbox_.CountOutboxEvents();
}

}  // namespace bulletin::content
