// The renderers of the HTML pages, feeds and sitemap: the upstream calls each page needs,
// then pages/ or feeds/ for the document, with the surrogate keys and Last-Modified of
// what it shows. Content failures are the page's failure (503 or a stale copy); analytics
// failures only leave the figures out ("Visitors: -"), so an analytics outage never takes
// the articles down.
#include "absl/strings/str_cat.h"
#include "services/web/core/locale.h"
#include "services/web/feeds/feeds.h"
#include "services/web/pages/html.h"
#include "services/web/site/site.h"

namespace bulletin::web {
namespace {

absl::Time Newer(absl::Time a, const google::protobuf::Timestamp& t) {
  return std::max(a, ToTime(t));
}

std::vector<cpb::Category> Chain(const cpb::Category& c) {
  std::vector<cpb::Category> chain(c.ancestors().begin(), c.ancestors().end());
  chain.push_back(c);
  chain.back().clear_ancestors();
  return chain;
}

CachedResponse Redirect(int status, std::string location, std::vector<std::string> keys) {
  CachedResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.location = std::move(location);
  r.keys = std::move(keys);
  return r;
}

}  // namespace

absl::StatusOr<CachedResponse> Site::ArticlePage(const std::string& locale,
                                                 const std::string& slug) {
  const std::string slug_key = "slug:" + slug;
  if (IsGone(slug)) return ErrorPage(locale, 410, {slug_key});
  cpb::GetArticleRequest get;
  get.set_slug(slug);
  get.set_locale(locale);
  get.set_view(cpb::ARTICLE_VIEW_FULL);
  absl::StatusOr<cpb::Article> article = backend_.GetArticle(get);
  if (absl::IsNotFound(article.status()) || absl::IsInvalidArgument(article.status())) {
    return ErrorPage(locale, 404, {slug_key});
  }
  if (!article.ok()) return article.status();
  const std::string id_key = "a:" + article->id();
  if (!article->returned_locale().empty() && article->returned_locale() != locale) {
    // No translation in this locale: the article in the language it has.
    const std::string& other = article->returned_locale();
    return Redirect(302, ArticlePath(other, SlugIn(*article, other)), {id_key, slug_key});
  }
  const std::string current = SlugIn(*article, locale);
  if (current != slug) return Redirect(301, ArticlePath(locale, current), {id_key, slug_key});

  ArticlePageData page;
  page.locale = locale;
  std::vector<std::string> keys = {id_key, slug_key};
  if (!article->category_id().empty()) {
    cpb::GetCategoryRequest cat;
    cat.set_id(article->category_id());
    if (absl::StatusOr<cpb::Category> c = backend_.GetCategory(cat); c.ok()) {
      page.categories = Chain(*c);
      for (const cpb::Category& x : page.categories) keys.push_back("c:" + x.id());
    }
  }
  cpb::ListRelatedArticlesRequest related;
  related.set_article_id(article->id());
  related.set_locale(locale);
  related.set_page_size(5);
  if (absl::StatusOr<cpb::ListRelatedArticlesResponse> r = backend_.ListRelatedArticles(related);
      r.ok()) {
    for (const cpb::Article& a : r->articles()) {
      page.related.push_back(a);
      keys.push_back("a:" + a.id());
    }
  }
  apb::GetStatsRequest stats;
  stats.add_article_ids(article->id());
  if (absl::StatusOr<apb::GetStatsResponse> s = backend_.GetStats(stats);
      s.ok() && s->stats_size() > 0) {
    page.visitors_known = true;
    page.visitors = s->stats(0).views();
  }
  page.view_token = tokens_.Sign(article->id(), absl::Now());
  absl::Time modified = ToTime(article->update_time());
  page.article = *std::move(article);
  return Page(200, RenderArticlePage(info(), page), std::move(keys), modified);
}

absl::StatusOr<CachedResponse> Site::HomePage(const std::string& locale) {
  const Labels& labels = LabelsFor(locale);
  HomePageData page;
  page.locale = locale;
  std::vector<std::string> keys = {"lists"};
  absl::Time modified = absl::UnixEpoch();
  for (bool featured : {true, false}) {
    cpb::ListArticlesRequest list;
    list.set_locale(locale);
    list.set_require_translation(true);
    list.set_featured_only(featured);
    list.set_page_size(featured ? 5 : 10);
    absl::StatusOr<cpb::ListArticlesResponse> r = backend_.ListArticles(list);
    if (!r.ok()) return r.status();
    ListSection section;
    section.title = featured ? labels.featured : labels.latest;
    section.css_class = featured ? "featured" : "latest";
    for (const cpb::Article& a : r->articles()) {
      section.articles.push_back(a);
      keys.push_back("a:" + a.id());
      modified = Newer(modified, a.update_time());
    }
    page.sections.push_back(std::move(section));
  }
  for (bool trending : {false, true}) {
    apb::GetTopArticlesRequest top;
    top.set_kind(trending ? apb::TOP_KIND_TRENDING : apb::TOP_KIND_MOST_READ);
    top.set_window(trending ? apb::TIME_WINDOW_LAST_DAY : apb::TIME_WINDOW_LAST_30_DAYS);
    top.set_locale(locale);
    top.set_page_size(5);
    ListSection section;
    section.title = trending ? labels.trending : labels.most_read;
    section.css_class = trending ? "trending" : "most-read";
    if (absl::StatusOr<apb::GetTopArticlesResponse> r = backend_.GetTopArticles(top); r.ok()) {
      section.top.assign(r->articles().begin(), r->articles().end());
    }
    page.sections.push_back(std::move(section));
  }
  return Page(200, RenderHomePage(info(), page), std::move(keys), modified);
}

absl::StatusOr<CachedResponse> Site::CategoryPage(const std::string& locale,
                                                  const std::string& slug,
                                                  const std::string& page_token) {
  cpb::GetCategoryRequest get;
  get.set_slug(slug);
  absl::StatusOr<cpb::Category> category = backend_.GetCategory(get);
  if (absl::IsNotFound(category.status())) return ErrorPage(locale, 404, {"lists"});
  if (!category.ok()) return category.status();
  cpb::ListArticlesRequest list;
  list.set_category_id(category->id());
  list.set_include_subcategories(true);
  list.set_locale(locale);
  list.set_require_translation(true);
  list.set_page_size(20);
  list.set_page_token(page_token);
  absl::StatusOr<cpb::ListArticlesResponse> r = backend_.ListArticles(list);
  if (absl::IsInvalidArgument(r.status())) return ErrorPage(locale, 400, {});
  if (!r.ok()) return r.status();
  CategoryPageData page;
  page.locale = locale;
  page.categories = Chain(*category);
  page.next_page_token = r->next_page_token();
  page.has_previous = !page_token.empty();
  page.total_size = r->total_size();
  std::vector<std::string> keys = {"lists", "c:" + category->id()};
  absl::Time modified = ToTime(category->update_time());
  for (const cpb::Article& a : r->articles()) {
    page.articles.push_back(a);
    modified = Newer(modified, a.update_time());
  }
  return Page(200, RenderCategoryPage(info(), page), std::move(keys), modified);
}

absl::StatusOr<CachedResponse> Site::SearchPage(const std::string& locale, const std::string& query,
                                                const std::string& page_token) {
  cpb::SearchArticlesRequest search;
  search.set_query(query);
  search.set_locale(locale);
  search.set_page_size(20);
  search.set_page_token(page_token);
  absl::StatusOr<cpb::SearchArticlesResponse> r = backend_.SearchArticles(search);
  if (absl::IsInvalidArgument(r.status())) return ErrorPage(locale, 400, {});
  if (!r.ok()) return r.status();
  SearchPageData page;
  page.locale = locale;
  page.query = query;
  page.results.assign(r->results().begin(), r->results().end());
  page.next_page_token = r->next_page_token();
  return Page(200, RenderSearchPage(info(), page), {"lists"}, absl::UnixEpoch());
}

absl::StatusOr<CachedResponse> Site::StatsPage(const std::string& locale) {
  apb::GetTopArticlesRequest top;
  top.set_kind(apb::TOP_KIND_MOST_READ);
  top.set_window(apb::TIME_WINDOW_LAST_30_DAYS);
  top.set_locale(locale);
  top.set_page_size(10);
  absl::StatusOr<apb::GetTopArticlesResponse> r = backend_.GetTopArticles(top);
  if (!r.ok()) return r.status();
  StatsPageData page;
  page.locale = locale;
  const absl::Time now = absl::Now();
  const absl::Time start = absl::FromCivil(
      absl::CivilDay(absl::ToCivilDay(now, absl::UTCTimeZone())) - 29, absl::UTCTimeZone());
  std::vector<std::string> keys = {"lists", "stats"};
  for (const apb::TopArticle& t : r->articles()) {
    StatsEntry entry;
    entry.top = t;
    apb::GetTimeSeriesRequest series;
    series.set_article_id(t.article_id());
    series.set_granularity(apb::GRANULARITY_DAILY);
    series.mutable_start_time()->set_seconds(absl::ToUnixSeconds(start));
    series.mutable_end_time()->set_seconds(absl::ToUnixSeconds(now));
    absl::StatusOr<apb::GetTimeSeriesResponse> points = backend_.GetTimeSeries(series);
    if (!points.ok()) return points.status();
    entry.days.assign(points->points().begin(), points->points().end());
    keys.push_back("a:" + t.article_id());
    page.entries.push_back(std::move(entry));
  }
  return Page(200, RenderStatsPage(info(), page), std::move(keys), absl::UnixEpoch());
}

}  // namespace bulletin::web
