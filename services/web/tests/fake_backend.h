// An in-memory Backend for bulletin-web's unit tests: articles by slug (any of their slugs,
// old ones included, as content resolves them), categories, related lists, stats, and the
// RecordView calls it received; `down` makes every call UNAVAILABLE, as an unreachable
// upstream would. Thread-safe (the site calls it from worker threads).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "services/web/site/backend.h"

namespace bulletin::web::testing {

class FakeBackend : public Backend {
 public:
  // Adds or replaces `article` (FULL, with translations and published_locales); `slugs`
  // are extra (former) slugs it answers to.
  void PutArticle(const cpb::Article& article, std::vector<std::string> old_slugs = {});
  void PutCategory(const cpb::Category& category);
  void SetDown(bool down);
  void SetViews(const std::string& article_id, int64_t views);
  std::vector<apb::RecordViewRequest> recorded() const;
  int calls() const;

  absl::StatusOr<cpb::Article> GetArticle(const cpb::GetArticleRequest& r) override;
  absl::StatusOr<cpb::ListArticlesResponse> ListArticles(
      const cpb::ListArticlesRequest& r) override;
  absl::StatusOr<cpb::Category> GetCategory(const cpb::GetCategoryRequest& r) override;
  absl::StatusOr<cpb::ListCategoriesResponse> ListCategories(
      const cpb::ListCategoriesRequest& r) override;
  absl::StatusOr<cpb::SearchArticlesResponse> SearchArticles(
      const cpb::SearchArticlesRequest& r) override;
  absl::StatusOr<cpb::ListRelatedArticlesResponse> ListRelatedArticles(
      const cpb::ListRelatedArticlesRequest& r) override;
  absl::StatusOr<apb::RecordViewResponse> RecordView(const apb::RecordViewRequest& r) override;
  absl::StatusOr<apb::GetStatsResponse> GetStats(const apb::GetStatsRequest& r) override;
  absl::StatusOr<apb::GetTopArticlesResponse> GetTopArticles(
      const apb::GetTopArticlesRequest& r) override;
  absl::StatusOr<apb::GetTimeSeriesResponse> GetTimeSeries(
      const apb::GetTimeSeriesRequest& r) override;

 private:
  absl::Status Enter() const;

  mutable absl::Mutex mu_;
  bool down_ ABSL_GUARDED_BY(mu_) = false;
  mutable int calls_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, cpb::Article> articles_ ABSL_GUARDED_BY(mu_);  // by id
  std::map<std::string, std::string> slugs_ ABSL_GUARDED_BY(mu_);      // slug -> id
  std::map<std::string, cpb::Category> categories_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int64_t> views_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, bool> seen_ ABSL_GUARDED_BY(mu_);  // visitor|article
  std::vector<apb::RecordViewRequest> recorded_ ABSL_GUARDED_BY(mu_);
};

// A published bilingual article like the seed's, in category `category_id`.
cpb::Article SampleArticle(const std::string& id, const std::string& slug,
                           const std::string& title_en, const std::string& category_id);
// Category "news" (id "cat-news") under "home" (id "cat-home").
cpb::Category NewsCategory();

}  // namespace bulletin::web::testing
