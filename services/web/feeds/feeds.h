// The syndication documents of bulletin-web: RSS 2.0, Atom 1.0 and JSON Feed 1.1 per locale
// and per category, the sitemap (a urlset with hreflang alternates, or an index of pages
// when large) and robots.txt. Every function is pure (no I/O, no clock): content protos and
// a small context in, the whole document out as UTF-8, so the same input always gives the
// same bytes (the web service caches and ETags them). Text is escaped for its format and
// characters XML cannot carry are never emitted. Thread-safe.
//
// URL shapes (paths below `public_url`, locales as normalised BCP-47 tags):
//   /{locale}/                          a locale's home
//   /{locale}/articles/{slug}           an article (slug of that locale's translation)
//   /{locale}/categories/{slug}         a category's articles
//   /{locale}/feed.rss|feed.atom|feed.json                    the locale's feeds
//   /{locale}/categories/{slug}/feed.rss|feed.atom|feed.json  a category's feeds
//   /sitemap.xml                        the urlset, or the index when over one page
//   /sitemaps/{n}.xml                   page n (1-based) of a sitemap index
//   /robots.txt
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "bulletin/content/v1/content.pb.h"

namespace bulletin::web::feeds {

using ::bulletin::content::v1::Article;
using ::bulletin::content::v1::Category;

enum class FeedFormat { kRss, kAtom, kJson };

// What one feed shows. `public_url` is the site's origin without a trailing '/'
// ("https://news.example.org").
struct FeedContext {
  std::string public_url;
  std::string locale;    // "en", "zh-CN": the feed's language
  std::string title;     // the feed's title, already in `locale` (e.g. "Bulletin - News")
  std::string subtitle;  // optional description, in `locale`
  // The path this feed is served at, e.g. "/en/feed.atom" (FeedPath gives it): the
  // rel="self" link of every format.
  std::string self_path;
  // Set for a category's feed: its home link becomes the category page.
  std::optional<Category> category;
  std::string hub_url;  // WebSub hub; empty: no hub advertised
};

// The articles of a feed: newest first (as ListArticles answers), published, read with
// view FULL (bodies are the full content) in ctx.locale with require_translation set.
// An article without a translation keyed exactly ctx.locale is left out (a feed never
// shows another language's text). Entry dates: publish_time (published) and update_time
// (updated); ids are tag: URIs stable across slug changes.
std::string RenderRssFeed(const FeedContext& ctx, absl::Span<const Article> articles);
std::string RenderAtomFeed(const FeedContext& ctx, absl::Span<const Article> articles);
std::string RenderJsonFeed(const FeedContext& ctx, absl::Span<const Article> articles);
std::string RenderFeed(FeedFormat format, const FeedContext& ctx,
                       absl::Span<const Article> articles);

// "application/rss+xml; charset=utf-8", "application/atom+xml; charset=utf-8",
// "application/feed+json; charset=utf-8".
absl::string_view FeedContentType(FeedFormat format);
// "feed.rss" -> kRss, "feed.atom" -> kAtom, "feed.json" -> kJson; nullopt otherwise.
std::optional<FeedFormat> FeedFormatFromFileName(absl::string_view file_name);
// "/{locale}/feed.atom", or "/{locale}/categories/{slug}/feed.atom" with a category slug.
std::string FeedPath(absl::string_view locale, absl::string_view category_slug, FeedFormat format);
std::string ArticlePath(absl::string_view locale, absl::string_view slug);
std::string CategoryPath(absl::string_view locale, absl::string_view slug);

// The basis of a feed's Last-Modified and ETag. `last_modified`: the newest update_time of
// the articles shown and of ctx.category (absl::UnixEpoch() when there is none). `etag`: a
// strong validator, quoted ("\"f-...\""), over the context (ctx.category's id and etag
// included) and each shown article's id, etag, revision and update_time, so it changes
// when an article leaves the list too (which Last-Modified cannot say).
struct FeedVersion {
  absl::Time last_modified;
  std::string etag;
};
FeedVersion FeedVersionOf(const FeedContext& ctx, absl::Span<const Article> articles);

// The feeds an article shows in, for cache invalidation and WebSub pings: for each of
// `locales` (the article's public locales, e.g. from an ArticleEvent's translations), the
// locale's feeds and the feeds of each of `category_slugs` (the article's category and its
// ancestors: a category's feeds include its subcategories), in every format; in that
// order, without duplicates.
std::vector<std::string> FeedPathsOf(absl::Span<const std::string> locales,
                                     absl::Span<const std::string> category_slugs);

// The body (application/x-www-form-urlencoded) of a WebSub publish ping to the hub:
// "hub.mode=publish&hub.url=URL&hub.url=..." with public_url + each path, percent-encoded.
std::string WebSubPublishBody(absl::string_view public_url,
                              absl::Span<const std::string> feed_paths);

// ---------------------------------------------------------------------------------------
// Sitemap and robots.txt
// ---------------------------------------------------------------------------------------

// The site as the sitemap sees it.
struct SiteContext {
  std::string public_url;  // no trailing '/'
  // The site's locales, the x-default first: homes and category pages exist in each.
  std::vector<std::string> locales = {"en", "zh-CN"};
  // At most this many <url> and bytes per sitemap page (the protocol's limits, which a
  // larger value cannot raise, are 50,000 URLs and 50 MiB uncompressed); 0: the limit.
  size_t max_urls_per_page = 50000;
  size_t max_bytes_per_page = 52428800;
};

// One <url>: its location, optional lastmod (absl::InfinitePast(): none) and its hreflang
// alternates (locale tag or "x-default" -> absolute URL), itself included; no alternates
// when the page exists in one locale only.
struct SitemapUrl {
  std::string loc;
  absl::Time lastmod = absl::InfinitePast();
  std::vector<std::pair<std::string, std::string>> alternates;
};

// Every URL of the site: each locale's home, each category page in each site locale, and
// each article in each of its published_locales (translations' keys when that is empty),
// every one with the alternates of its siblings plus x-default (the article's
// default_locale, else the first site locale). Articles as ListArticles answers them
// without a locale (BASIC view is enough); deleted or unpublished ones are left out.
std::vector<SitemapUrl> SitemapUrls(const SiteContext& site, absl::Span<const Article> articles,
                                    absl::Span<const Category> categories);

// Number of sitemap pages `urls` fill, in order, within both bounds (at least 1).
size_t SitemapPageCount(const SiteContext& site, absl::Span<const SitemapUrl> urls);
// "/sitemaps/{page}.xml", page 1-based.
std::string SitemapPagePath(size_t page);

// A <urlset> (with the xhtml namespace) of exactly `urls`; the caller keeps it within
// the page bounds (RenderSitemapRoot and RenderSitemapPage split for it).
std::string RenderSitemap(absl::Span<const SitemapUrl> urls);
// A <sitemapindex> of the SitemapPageCount pages `urls` split into (at SitemapPagePath),
// each with the newest lastmod of its URLs.
std::string RenderSitemapIndex(const SiteContext& site, absl::Span<const SitemapUrl> urls);
// What /sitemap.xml answers: RenderSitemap when the URLs fit one page, else the index.
std::string RenderSitemapRoot(const SiteContext& site, absl::Span<const SitemapUrl> urls);
// Page `page` (1-based) of the index; nullopt (a 404) when out of range.
std::optional<std::string> RenderSitemapPage(const SiteContext& site,
                                             absl::Span<const SitemapUrl> urls, size_t page);

// robots.txt: everything allowed but /api/ and each locale's search, and the sitemap's
// absolute URL.
std::string RenderRobotsTxt(const SiteContext& site);

// "Mon, 05 Feb 2018 08:00:00 GMT" (RFC 7231 HTTP-date, for Last-Modified).
std::string FormatHttpDate(absl::Time t);

}  // namespace bulletin::web::feeds
