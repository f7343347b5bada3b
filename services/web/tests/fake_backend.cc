#include "services/web/tests/fake_backend.h"

namespace bulletin::web::testing {

absl::Status FakeBackend::Enter() const {
  absl::MutexLock lock(&mu_);
  ++calls_;
  if (down_) return absl::UnavailableError("connection refused");
  return absl::OkStatus();
}

void FakeBackend::PutArticle(const cpb::Article& article, std::vector<std::string> old_slugs) {
  absl::MutexLock lock(&mu_);
  articles_[article.id()] = article;
  slugs_[article.slug()] = article.id();
  for (const auto& [locale, t] : article.translations()) {
    if (!t.slug().empty()) slugs_[t.slug()] = article.id();
  }
  for (const std::string& s : old_slugs) slugs_[s] = article.id();
}

void FakeBackend::PutCategory(const cpb::Category& category) {
  absl::MutexLock lock(&mu_);
  categories_[category.id()] = category;
}

void FakeBackend::SetDown(bool down) {
  absl::MutexLock lock(&mu_);
  down_ = down;
}

void FakeBackend::SetViews(const std::string& article_id, int64_t views) {
  absl::MutexLock lock(&mu_);
  views_[article_id] = views;
}

std::vector<apb::RecordViewRequest> FakeBackend::recorded() const {
  absl::MutexLock lock(&mu_);
  return recorded_;
}

int FakeBackend::calls() const {
  absl::MutexLock lock(&mu_);
  return calls_;
}

absl::StatusOr<cpb::Article> FakeBackend::GetArticle(const cpb::GetArticleRequest& r) {
  if (absl::Status s = Enter(); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  auto id = slugs_.find(r.slug());
  if (id == slugs_.end()) return absl::NotFoundError("article \"" + r.slug() + "\" not found");
  cpb::Article a = articles_.at(id->second);
  if (!r.locale().empty()) {
    std::string locale = a.translations().count(r.locale()) ? r.locale() : a.default_locale();
    cpb::ArticleTranslation t = a.translations().at(locale);
    a.clear_translations();
    (*a.mutable_translations())[locale] = t;
    a.set_returned_locale(locale);
  }
  return a;
}

absl::StatusOr<cpb::ListArticlesResponse> FakeBackend::ListArticles(
    const cpb::ListArticlesRequest& r) {
  if (absl::Status s = Enter(); !s.ok()) return s;
  if (r.page_token() == "bad") return absl::InvalidArgumentError("page_token: malformed");
  absl::MutexLock lock(&mu_);
  cpb::ListArticlesResponse out;
  for (const auto& [id, a] : articles_) {
    if (r.featured_only() && !a.featured()) continue;
    if (!r.locale().empty() && r.require_translation() && !a.translations().count(r.locale()))
      continue;
    *out.add_articles() = a;
  }
  out.set_total_size(out.articles_size());
  return out;
}

absl::StatusOr<cpb::Category> FakeBackend::GetCategory(const cpb::GetCategoryRequest& r) {
  if (absl::Status s = Enter(); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  for (const auto& [id, c] : categories_) {
    if (c.id() == r.id() || (!r.slug().empty() && c.slug() == r.slug())) return c;
  }
  return absl::NotFoundError("category not found");
}

absl::StatusOr<cpb::ListCategoriesResponse> FakeBackend::ListCategories(
    const cpb::ListCategoriesRequest&) {
  if (absl::Status s = Enter(); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  cpb::ListCategoriesResponse out;
  for (const auto& [id, c] : categories_) *out.add_categories() = c;
  return out;
}

absl::StatusOr<cpb::SearchArticlesResponse> FakeBackend::SearchArticles(
    const cpb::SearchArticlesRequest& r) {
  if (absl::Status s = Enter(); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  cpb::SearchArticlesResponse out;
  for (const auto& [id, a] : articles_) {
    cpb::SearchResult* hit = out.add_results();
    *hit->mutable_article() = a;
    cpb::Snippet* snippet = hit->add_snippets();
    snippet->set_text("about " + r.query() + " <b>");
    snippet->add_highlights()->set_start(6);
    snippet->mutable_highlights(0)->set_end(6 + static_cast<int>(r.query().size()));
  }
  return out;
}

absl::StatusOr<cpb::ListRelatedArticlesResponse> FakeBackend::ListRelatedArticles(
    const cpb::ListRelatedArticlesRequest& r) {
  if (absl::Status s = Enter(); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  cpb::ListRelatedArticlesResponse out;
  for (const auto& [id, a] : articles_) {
    if (id != r.article_id()) *out.add_articles() = a;
  }
  return out;
}

absl::StatusOr<apb::RecordViewResponse> FakeBackend::RecordView(const apb::RecordViewRequest& r) {
  if (absl::Status s = Enter(); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  recorded_.push_back(r);
  std::string visitor =
      r.visitor_id().empty() ? r.client_ip() + "|" + r.user_agent() : r.visitor_id();
  apb::RecordViewResponse out;
  bool& seen = seen_[visitor + "|" + r.article_id()];
  out.set_counted(!seen);
  if (!seen) ++views_[r.article_id()];
  if (seen) out.set_reason(apb::NOT_COUNTED_REASON_REPEAT);
  seen = true;
  out.mutable_totals()->set_article_id(r.article_id());
  out.mutable_totals()->set_views(views_[r.article_id()]);
  return out;
}

absl::StatusOr<apb::GetStatsResponse> FakeBackend::GetStats(const apb::GetStatsRequest& r) {
  if (absl::Status s = Enter(); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  apb::GetStatsResponse out;
  for (const std::string& id : r.article_ids()) {
    apb::ArticleStats* st = out.add_stats();
    st->set_article_id(id);
    st->set_views(views_[id]);
  }
  return out;
}

absl::StatusOr<apb::GetTopArticlesResponse> FakeBackend::GetTopArticles(
    const apb::GetTopArticlesRequest&) {
  if (absl::Status s = Enter(); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  apb::GetTopArticlesResponse out;
  for (const auto& [id, a] : articles_) {
    apb::TopArticle* t = out.add_articles();
    t->set_article_id(id);
    t->set_slug(a.slug());
    t->set_title(a.translations().begin()->second.title());
    t->set_views(views_[id]);
  }
  return out;
}

absl::StatusOr<apb::GetTimeSeriesResponse> FakeBackend::GetTimeSeries(
    const apb::GetTimeSeriesRequest& r) {
  if (absl::Status s = Enter(); !s.ok()) return s;
  apb::GetTimeSeriesResponse out;
  for (int i = 0; i < 30; ++i) {
    apb::TimeSeriesPoint* p = out.add_points();
    p->mutable_start_time()->set_seconds(r.start_time().seconds() + i * 86400);
    p->set_views(i);
  }
  return out;
}

cpb::Article SampleArticle(const std::string& id, const std::string& slug,
                           const std::string& title_en, const std::string& category_id) {
  cpb::Article a;
  a.set_id(id);
  a.set_slug(slug);
  a.set_category_id(category_id);
  a.set_state(cpb::ARTICLE_STATE_PUBLISHED);
  a.set_default_locale("en");
  a.mutable_publish_time()->set_seconds(1517796000);  // 2018-02-05 10:00 Beijing
  a.mutable_update_time()->set_seconds(1517796000);
  cpb::ArticleTranslation& en = (*a.mutable_translations())["en"];
  en.set_title(title_en);
  en.set_summary("Summary of " + title_en);
  en.set_body("<p>Body text.</p>");
  en.set_cover_image_url("/media/cover.jpg");
  en.set_cover_image_caption("The Tripartite Meeting");
  cpb::ArticleTranslation& zh = (*a.mutable_translations())["zh-CN"];
  zh.set_title("三方会议");
  zh.set_body("<p>正文。</p>");
  for (const char* l : {"en", "zh-CN"}) {
    cpb::LocaleLink* link = a.add_published_locales();
    link->set_locale(l);
    link->set_slug(slug);
    link->set_title(a.translations().at(l).title());
  }
  return a;
}

cpb::Category NewsCategory() {
  cpb::Category news;
  news.set_id("cat-news");
  news.set_slug("news");
  news.set_parent_id("cat-home");
  (*news.mutable_translations())["en"].set_name("News");
  (*news.mutable_translations())["zh-CN"].set_name("新闻");
  cpb::Category* home = news.add_ancestors();
  home->set_id("cat-home");
  home->set_slug("home");
  (*home->mutable_translations())["en"].set_name("Home");
  (*home->mutable_translations())["zh-CN"].set_name("首页");
  return news;
}

}  // namespace bulletin::web::testing
