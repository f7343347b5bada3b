// The HTML pages of bulletin-web, each a pure function from content and analytics protos
// (already fetched by the site layer) to the whole document: the article (the seed page),
// a locale's home, a category's list, search results, statistics with server-drawn SVG
// charts, and the error pages (404, 410, 400, 413, 414, 431, 503) in the reader's
// language. Every text from content is escaped (mustache {{ }}); only the article body,
// which content has already reduced to an allow-list of HTML, goes in as markup. Pure;
// thread-safe.
#pragma once

#include <string>
#include <vector>

#include "bulletin/analytics/v1/analytics.pb.h"
#include "bulletin/content/v1/content.pb.h"

namespace bulletin::web {

struct SiteInfo {
  std::string public_url;  // origin, no trailing '/'
};

// The breadcrumb's categories, root first (a root named "home" is the site's Home link).
using CategoryChain = std::vector<content::v1::Category>;

struct ArticlePageData {
  std::string locale;            // the page's locale (== article.returned_locale)
  content::v1::Article article;  // FULL view, read in `locale`
  CategoryChain categories;      // ancestors and the article's category; may be empty
  std::vector<content::v1::Article> related;
  bool visitors_known = false;
  int64_t visitors = 0;
  std::string view_token;  // for the beacon and the <noscript> pixel
};
std::string RenderArticlePage(const SiteInfo& site, const ArticlePageData& page);

struct ListSection {
  std::string title;
  std::string css_class;                       // "featured", "latest", "most-read", "trending"
  std::vector<content::v1::Article> articles;  // read in the page's locale
  std::vector<analytics::v1::TopArticle> top;  // for most read / trending (title, slug)
};
struct HomePageData {
  std::string locale;
  std::vector<ListSection> sections;
};
std::string RenderHomePage(const SiteInfo& site, const HomePageData& page);

struct CategoryPageData {
  std::string locale;
  CategoryChain categories;  // ancestors and the category itself (last)
  std::vector<content::v1::Article> articles;
  std::string next_page_token;  // empty: last page
  bool has_previous = false;    // a page_token was given
  int32_t total_size = 0;
};
std::string RenderCategoryPage(const SiteInfo& site, const CategoryPageData& page);

struct SearchPageData {
  std::string locale;
  std::string query;
  std::vector<content::v1::SearchResult> results;
  std::string next_page_token;
};
std::string RenderSearchPage(const SiteInfo& site, const SearchPageData& page);

struct StatsEntry {
  analytics::v1::TopArticle top;
  std::vector<analytics::v1::TimeSeriesPoint> days;  // daily, oldest first
};
struct StatsPageData {
  std::string locale;
  std::vector<StatsEntry> entries;
};
std::string RenderStatsPage(const SiteInfo& site, const StatsPageData& page);
// The chart alone: a 30-day bar chart as inline SVG with a <title> per bar.
std::string RenderViewsSvg(const std::vector<analytics::v1::TimeSeriesPoint>& days,
                           const std::string& label);

// An error page for `status` in `locale` (a short text and a link home).
std::string RenderErrorPage(const SiteInfo& site, const std::string& locale, int status,
                            const std::string& path);

// A snippet's highlighted text: the text escaped, each highlight range in <mark>.
std::string HighlightSnippet(const content::v1::Snippet& snippet);

// The translation `article` has in `locale`, or its only / default one.
const content::v1::ArticleTranslation& TranslationOf(const content::v1::Article& article,
                                                     const std::string& locale);
// The slug of `article` in `locale`: published_locales' entry, else the translation's, else
// the article slug.
std::string SlugIn(const content::v1::Article& article, const std::string& locale);
std::string ArticlePath(const std::string& locale, const std::string& slug);

}  // namespace bulletin::web
