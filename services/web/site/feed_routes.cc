// The syndication routes: a locale's and a category's feeds (RSS, Atom, JSON Feed), the
// sitemap (or its index and pages) and robots.txt, rendered by services/web/feeds from
// the articles and categories content lists.
#include "absl/strings/str_cat.h"
#include "services/web/core/locale.h"
#include "services/web/feeds/feeds.h"
#include "services/web/site/site.h"

namespace bulletin::web {
namespace {

constexpr int kMaxSitemapPages = 500;  // of 100 articles: 50,000 URLs, the protocol's page

std::string CategoryName(const cpb::Category& c, const std::string& locale) {
  auto it = c.translations().find(locale);
  if (it != c.translations().end()) return it->second.name();
  return c.slug();
}

}  // namespace

absl::StatusOr<CachedResponse> Site::FeedDocument(const std::string& locale,
                                                  const std::string& category_slug,
                                                  const std::string& file_name) {
  std::optional<feeds::FeedFormat> format = feeds::FeedFormatFromFileName(file_name);
  if (!format) return ErrorPage(locale, 404, {"lists"});
  feeds::FeedContext ctx;
  ctx.public_url = options_.public_url;
  ctx.locale = locale;
  ctx.title = LabelsFor(locale).site_name;
  ctx.self_path = feeds::FeedPath(locale, category_slug, *format);
  cpb::ListArticlesRequest list;
  std::vector<std::string> keys = {"lists"};
  if (!category_slug.empty()) {
    cpb::GetCategoryRequest get;
    get.set_slug(category_slug);
    absl::StatusOr<cpb::Category> category = backend_.GetCategory(get);
    if (absl::IsNotFound(category.status())) return ErrorPage(locale, 404, {"lists"});
    if (!category.ok()) return category.status();
    ctx.title = absl::StrCat(ctx.title, " - ", CategoryName(*category, locale));
    list.set_category_id(category->id());
    list.set_include_subcategories(true);
    keys.push_back("c:" + category->id());
    ctx.category = *std::move(category);
  }
  list.set_locale(locale);
  list.set_require_translation(true);
  list.set_view(cpb::ARTICLE_VIEW_FULL);
  list.set_page_size(20);
  absl::StatusOr<cpb::ListArticlesResponse> r = backend_.ListArticles(list);
  if (!r.ok()) return r.status();
  std::vector<cpb::Article> articles(r->articles().begin(), r->articles().end());
  feeds::FeedVersion version = feeds::FeedVersionOf(ctx, articles);
  CachedResponse response;
  response.content_type = std::string(feeds::FeedContentType(*format));
  response.body = feeds::RenderFeed(*format, ctx, articles);
  response.etag = version.etag;
  response.last_modified = version.last_modified;
  for (const cpb::Article& a : articles) keys.push_back("a:" + a.id());
  response.keys = std::move(keys);
  return response;
}

absl::StatusOr<CachedResponse> Site::SitemapDocument(size_t page) {
  std::vector<cpb::Article> articles;
  cpb::ListArticlesRequest list;
  list.set_page_size(100);
  for (int i = 0; i < kMaxSitemapPages; ++i) {
    absl::StatusOr<cpb::ListArticlesResponse> r = backend_.ListArticles(list);
    if (!r.ok()) return r.status();
    articles.insert(articles.end(), r->articles().begin(), r->articles().end());
    if (r->next_page_token().empty()) break;
    list.set_page_token(r->next_page_token());
  }
  std::vector<cpb::Category> categories;
  cpb::ListCategoriesRequest cats;
  cats.set_page_size(100);
  for (int i = 0; i < 100; ++i) {
    absl::StatusOr<cpb::ListCategoriesResponse> r = backend_.ListCategories(cats);
    if (!r.ok()) return r.status();
    categories.insert(categories.end(), r->categories().begin(), r->categories().end());
    if (r->next_page_token().empty()) break;
    cats.set_page_token(r->next_page_token());
  }
  feeds::SiteContext site;
  site.public_url = options_.public_url;
  std::vector<feeds::SitemapUrl> urls = feeds::SitemapUrls(site, articles, categories);
  CachedResponse response;
  response.content_type = "application/xml; charset=utf-8";
  response.keys = {"lists"};
  if (page == 0) {
    response.body = feeds::RenderSitemapRoot(site, urls);
  } else {
    std::optional<std::string> body = feeds::RenderSitemapPage(site, urls, page);
    if (!body) return ErrorPage(SiteLocales().front(), 404, {"lists"});
    response.body = *std::move(body);
  }
  for (const feeds::SitemapUrl& u : urls) {
    if (u.lastmod != absl::InfinitePast())
      response.last_modified = std::max(response.last_modified, u.lastmod);
  }
  return response;
}

CachedResponse Site::RobotsTxt() const {
  feeds::SiteContext site;
  site.public_url = options_.public_url;
  CachedResponse response;
  response.content_type = "text/plain; charset=utf-8";
  response.body = feeds::RenderRobotsTxt(site);
  response.keys = {"robots"};
  response.last_modified = absl::FromUnixSeconds(1700000000);
  return response;
}

}  // namespace bulletin::web
