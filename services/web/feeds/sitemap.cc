// The sitemap protocol (sitemaps.org 0.9) with Google's xhtml:link hreflang alternates,
// split into pages of at most max_urls_per_page URLs behind an index, and robots.txt.
// Article locales are ordered (default first, then by tag) and protobuf map order is never
// relied on, so the same input renders the same bytes.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/web/feeds/feed_entries.h"
#include "services/web/feeds/feeds.h"
#include "services/web/feeds/text_escape.h"

namespace bulletin::web::feeds {
namespace {

using ::bulletin::content::v1::ARTICLE_STATE_PUBLISHED;
using ::bulletin::content::v1::ARTICLE_STATE_UNSPECIFIED;

constexpr size_t kProtocolMaxUrls = 50000;
constexpr size_t kProtocolMaxBytes = 52428800;  // 50 MiB, uncompressed
constexpr absl::string_view kUrlsetOpen =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" "
    "xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n";
constexpr absl::string_view kUrlsetClose = "</urlset>\n";

absl::Time TimeOf(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

size_t PageSize(const SiteContext& site) {
  if (site.max_urls_per_page == 0) return kProtocolMaxUrls;
  return std::min(site.max_urls_per_page, kProtocolMaxUrls);
}

size_t PageBytes(const SiteContext& site) {
  if (site.max_bytes_per_page == 0) return kProtocolMaxBytes;
  return std::min(site.max_bytes_per_page, kProtocolMaxBytes);
}

void AppendUrl(const SitemapUrl& u, std::string* out) {
  absl::StrAppend(out, "<url><loc>", XmlEscaped(u.loc), "</loc>");
  if (u.lastmod != absl::InfinitePast()) {
    absl::StrAppend(out, "<lastmod>", FormatRfc3339(u.lastmod), "</lastmod>");
  }
  for (const auto& [hreflang, href] : u.alternates) {
    absl::StrAppend(out, "\n  <xhtml:link rel=\"alternate\" hreflang=\"", XmlEscaped(hreflang),
                    "\" href=\"", XmlEscaped(href), "\"/>");
  }
  out->append("</url>\n");
}

// The first URL of each page: pages fill greedily up to max_urls_per_page URLs and
// max_bytes_per_page bytes (a single URL over the byte bound still gets a page). Always at
// least one page.
std::vector<size_t> PageStarts(const SiteContext& site, absl::Span<const SitemapUrl> urls) {
  const size_t per_page = PageSize(site);
  const size_t max_bytes = PageBytes(site);
  const size_t frame = kUrlsetOpen.size() + kUrlsetClose.size();
  std::vector<size_t> starts = {0};
  size_t count = 0;
  size_t bytes = frame;
  std::string one;
  for (size_t i = 0; i < urls.size(); ++i) {
    one.clear();
    AppendUrl(urls[i], &one);
    if (count > 0 && (count == per_page || bytes + one.size() > max_bytes)) {
      starts.push_back(i);
      count = 0;
      bytes = frame;
    }
    ++count;
    bytes += one.size();
  }
  return starts;
}

// The URLs of page `page` (1-based, within range).
absl::Span<const SitemapUrl> PageUrls(absl::Span<const SitemapUrl> urls,
                                      const std::vector<size_t>& starts, size_t page) {
  const size_t end = page < starts.size() ? starts[page] : urls.size();
  return urls.subspan(starts[page - 1], end - starts[page - 1]);
}

bool SiteServes(const SiteContext& site, const std::string& locale) {
  return std::find(site.locales.begin(), site.locales.end(), locale) != site.locales.end();
}

// (locale, absolute URL) of each sibling, in order; x-default is the one at `def`.
using Siblings = std::vector<std::pair<std::string, std::string>>;

void AddSiblings(const Siblings& siblings, size_t def, absl::Time lastmod,
                 std::vector<SitemapUrl>* out) {
  std::vector<std::pair<std::string, std::string>> alternates;
  if (siblings.size() > 1) {
    alternates = siblings;
    alternates.emplace_back("x-default", siblings[def].second);
  }
  for (const auto& [locale, url] : siblings) {
    SitemapUrl u;
    u.loc = url;
    u.lastmod = lastmod;
    u.alternates = alternates;
    out->push_back(std::move(u));
  }
}

// The article's public locales with their slugs, default locale first, then by tag.
Siblings ArticleSiblings(const SiteContext& site, const Article& a, size_t* def) {
  std::vector<std::pair<std::string, std::string>> slugs;  // (locale, slug)
  if (!a.published_locales().empty()) {
    for (const auto& link : a.published_locales()) slugs.emplace_back(link.locale(), link.slug());
  } else {
    for (const auto& [locale, t] : a.translations()) {
      slugs.emplace_back(locale, t.slug().empty() ? a.slug() : t.slug());
    }
  }
  std::sort(slugs.begin(), slugs.end(), [&a](const auto& x, const auto& y) {
    const bool dx = x.first == a.default_locale();
    const bool dy = y.first == a.default_locale();
    return dx != dy ? dx : x.first < y.first;
  });
  Siblings siblings;
  *def = 0;
  for (const auto& [locale, slug] : slugs) {
    if (!site.locales.empty() && !SiteServes(site, locale)) continue;
    if (locale == a.default_locale()) *def = siblings.size();
    siblings.emplace_back(locale, absl::StrCat(site.public_url, ArticlePath(locale, slug)));
  }
  return siblings;
}

}  // namespace

std::vector<SitemapUrl> SitemapUrls(const SiteContext& site, absl::Span<const Article> articles,
                                    absl::Span<const Category> categories) {
  std::vector<SitemapUrl> urls;
  absl::Time newest = absl::InfinitePast();
  for (const Article& a : articles) {
    if (a.has_delete_time()) continue;
    if (a.state() != ARTICLE_STATE_PUBLISHED && a.state() != ARTICLE_STATE_UNSPECIFIED) continue;
    if (a.has_update_time()) newest = std::max(newest, TimeOf(a.update_time()));
  }
  Siblings homes;
  for (const std::string& locale : site.locales) {
    homes.emplace_back(locale, absl::StrCat(site.public_url, "/", locale, "/"));
  }
  AddSiblings(homes, 0, newest, &urls);
  for (const Category& c : categories) {
    Siblings pages;
    for (const std::string& locale : site.locales) {
      pages.emplace_back(locale, absl::StrCat(site.public_url, CategoryPath(locale, c.slug())));
    }
    AddSiblings(pages, 0, c.has_update_time() ? TimeOf(c.update_time()) : absl::InfinitePast(),
                &urls);
  }
  for (const Article& a : articles) {
    if (a.has_delete_time()) continue;
    if (a.state() != ARTICLE_STATE_PUBLISHED && a.state() != ARTICLE_STATE_UNSPECIFIED) continue;
    size_t def = 0;
    const Siblings siblings = ArticleSiblings(site, a, &def);
    AddSiblings(siblings, def, a.has_update_time() ? TimeOf(a.update_time()) : absl::InfinitePast(),
                &urls);
  }
  return urls;
}

size_t SitemapPageCount(const SiteContext& site, absl::Span<const SitemapUrl> urls) {
  return PageStarts(site, urls).size();
}

std::string SitemapPagePath(size_t page) { return absl::StrCat("/sitemaps/", page, ".xml"); }

std::string RenderSitemap(absl::Span<const SitemapUrl> urls) {
  std::string out(kUrlsetOpen);
  for (const SitemapUrl& u : urls) AppendUrl(u, &out);
  out.append(kUrlsetClose.data(), kUrlsetClose.size());
  return out;
}

std::string RenderSitemapIndex(const SiteContext& site, absl::Span<const SitemapUrl> urls) {
  const std::vector<size_t> starts = PageStarts(site, urls);
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
  for (size_t page = 1; page <= starts.size(); ++page) {
    absl::Time newest = absl::InfinitePast();
    for (const SitemapUrl& u : PageUrls(urls, starts, page)) newest = std::max(newest, u.lastmod);
    absl::StrAppend(&out, "<sitemap><loc>",
                    XmlEscaped(absl::StrCat(site.public_url, SitemapPagePath(page))), "</loc>");
    if (newest != absl::InfinitePast()) {
      absl::StrAppend(&out, "<lastmod>", FormatRfc3339(newest), "</lastmod>");
    }
    out.append("</sitemap>\n");
  }
  out.append("</sitemapindex>\n");
  return out;
}

std::string RenderSitemapRoot(const SiteContext& site, absl::Span<const SitemapUrl> urls) {
  if (PageStarts(site, urls).size() == 1) return RenderSitemap(urls);
  return RenderSitemapIndex(site, urls);
}

std::optional<std::string> RenderSitemapPage(const SiteContext& site,
                                             absl::Span<const SitemapUrl> urls, size_t page) {
  const std::vector<size_t> starts = PageStarts(site, urls);
  if (page < 1 || page > starts.size()) return std::nullopt;
  return RenderSitemap(PageUrls(urls, starts, page));
}

std::string RenderRobotsTxt(const SiteContext& site) {
  std::string out = "User-agent: *\nDisallow: /api/\n";
  for (const std::string& locale : site.locales) {
    absl::StrAppend(&out, "Disallow: /", locale, "/search\n");
  }
  absl::StrAppend(&out, "Allow: /\n\nSitemap: ", site.public_url, "/sitemap.xml\n");
  return out;
}

}  // namespace bulletin::web::feeds
