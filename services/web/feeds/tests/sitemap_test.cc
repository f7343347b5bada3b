// The sitemap's URLs and hreflang alternates, its split into pages behind an index, and
// robots.txt.
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/web/feeds/feeds.h"
#include "services/web/feeds/tests/sample_articles.h"

namespace bulletin::web::feeds {
namespace {

using Alternates = std::vector<std::pair<std::string, std::string>>;

SiteContext Site() {
  SiteContext site;
  site.public_url = testing::kPublicUrl;
  return site;
}

std::vector<SitemapUrl> Urls() {
  return SitemapUrls(Site(), testing::SampleArticles(), {testing::SampleCategory()});
}

const SitemapUrl* Find(const std::vector<SitemapUrl>& urls, absl::string_view loc) {
  for (const SitemapUrl& u : urls) {
    if (u.loc == loc) return &u;
  }
  return nullptr;
}

TEST(SitemapUrlsTest, EveryTranslationWithItsAlternatesAndXDefault) {
  const std::vector<SitemapUrl> urls = Urls();
  // 2 homes, 2 category pages, 2 translations of the bilingual article, 1 English-only.
  EXPECT_EQ(urls.size(), 7u);
  const Alternates expected = {
      {"en", "https://news.example.org/en/articles/bulletin-launches"},
      {"zh-CN", "https://news.example.org/zh-CN/articles/gonggao-shangxian"},
      {"x-default", "https://news.example.org/en/articles/bulletin-launches"}};
  for (const auto& loc : {"https://news.example.org/en/articles/bulletin-launches",
                          "https://news.example.org/zh-CN/articles/gonggao-shangxian"}) {
    const SitemapUrl* u = Find(urls, loc);
    ASSERT_NE(u, nullptr) << loc;
    EXPECT_EQ(u->alternates, expected);
    EXPECT_EQ(u->lastmod, absl::FromUnixSeconds(1517826600));  // 2018-02-05T10:30:00Z
  }
  const SitemapUrl* single = Find(urls, "https://news.example.org/en/articles/markup-in-title");
  ASSERT_NE(single, nullptr);
  EXPECT_TRUE(single->alternates.empty());
  const SitemapUrl* home = Find(urls, "https://news.example.org/zh-CN/");
  ASSERT_NE(home, nullptr);
  EXPECT_EQ(home->alternates.back(),
            (std::pair<std::string, std::string>{"x-default", "https://news.example.org/en/"}));
  ASSERT_NE(Find(urls, "https://news.example.org/zh-CN/categories/news"), nullptr);
}

TEST(SitemapUrlsTest, DefaultLocaleIsXDefaultAndUnservedLocalesAreLeftOut) {
  std::vector<Article> articles = testing::SampleArticles();
  Article& a = articles[1];
  a.set_default_locale("zh-CN");
  auto* fr = a.add_published_locales();
  fr->set_locale("fr");
  fr->set_slug("bulletin-lance");
  articles[0].mutable_delete_time()->set_seconds(1);
  const std::vector<SitemapUrl> urls = SitemapUrls(Site(), articles, {});
  EXPECT_EQ(urls.size(), 4u);  // 2 homes and the two served translations
  const SitemapUrl* u = Find(urls, "https://news.example.org/en/articles/bulletin-launches");
  ASSERT_NE(u, nullptr);
  const Alternates expected = {
      {"zh-CN", "https://news.example.org/zh-CN/articles/gonggao-shangxian"},
      {"en", "https://news.example.org/en/articles/bulletin-launches"},
      {"x-default", "https://news.example.org/zh-CN/articles/gonggao-shangxian"}};
  EXPECT_EQ(u->alternates, expected);
  EXPECT_EQ(Find(urls, "https://news.example.org/en/articles/markup-in-title"), nullptr);
}

TEST(SitemapTest, UrlsetWithXhtmlLinks) {
  const std::string xml = RenderSitemapRoot(Site(), Urls());
  EXPECT_TRUE(absl::StrContains(xml,
                                "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" "
                                "xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">"));
  EXPECT_TRUE(
      absl::StrContains(xml,
                        "<url><loc>https://news.example.org/zh-CN/articles/gonggao-shangxian</loc>"
                        "<lastmod>2018-02-05T10:30:00Z</lastmod>\n"
                        "  <xhtml:link rel=\"alternate\" hreflang=\"en\" "
                        "href=\"https://news.example.org/en/articles/bulletin-launches\"/>"));
  EXPECT_TRUE(absl::StrContains(xml, "hreflang=\"x-default\""));
}

TEST(SitemapTest, UrlsAreEscaped) {
  SitemapUrl u;
  u.loc = "https://news.example.org/en/?a=1&b=<2>";
  u.alternates = {{"en", "https://x/?a&b"}};
  const std::string xml = RenderSitemap({u});
  EXPECT_TRUE(
      absl::StrContains(xml, "<loc>https://news.example.org/en/?a=1&amp;b=&lt;2&gt;</loc>"));
  EXPECT_TRUE(absl::StrContains(xml, "href=\"https://x/?a&amp;b\""));
  EXPECT_FALSE(absl::StrContains(xml, "<lastmod>"));
}

TEST(SitemapTest, LargeSitesGetAnIndexOfPages) {
  SiteContext site = Site();
  site.max_urls_per_page = 3;
  const std::vector<SitemapUrl> urls = Urls();  // 7 URLs: pages of 3, 3, 1
  EXPECT_EQ(SitemapPageCount(site, urls), 3u);
  const std::string index = RenderSitemapRoot(site, urls);
  EXPECT_TRUE(absl::StrContains(
      index, "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"));
  for (int page = 1; page <= 3; ++page) {
    EXPECT_TRUE(absl::StrContains(
        index, absl::StrCat("<loc>https://news.example.org/sitemaps/", page, ".xml</loc>")));
  }
  EXPECT_FALSE(absl::StrContains(index, "sitemaps/4.xml"));
  EXPECT_EQ(SitemapPagePath(2), "/sitemaps/2.xml");

  size_t total = 0;
  for (size_t page = 1; page <= 3; ++page) {
    const std::optional<std::string> xml = RenderSitemapPage(site, urls, page);
    ASSERT_TRUE(xml.has_value());
    size_t count = 0;
    for (size_t pos = xml->find("<url>"); pos != std::string::npos;
         pos = xml->find("<url>", pos + 1)) {
      ++count;
    }
    EXPECT_EQ(count, page == 3 ? 1u : 3u);
    total += count;
  }
  EXPECT_EQ(total, urls.size());
  EXPECT_FALSE(RenderSitemapPage(site, urls, 0).has_value());
  EXPECT_FALSE(RenderSitemapPage(site, urls, 4).has_value());

  // The protocol's limit holds whatever is configured; one page is the urlset itself.
  site.max_urls_per_page = 1000000;
  SitemapUrl small;
  small.loc = "https://news.example.org/en/";
  EXPECT_EQ(SitemapPageCount(site, std::vector<SitemapUrl>(50001, small)), 2u);
  EXPECT_EQ(SitemapPageCount(site, {}), 1u);
  EXPECT_TRUE(absl::StrContains(RenderSitemapRoot(site, urls), "<urlset"));
  EXPECT_TRUE(RenderSitemapPage(site, {}, 1).has_value());
}

TEST(SitemapTest, PagesStayWithinTheByteBound) {
  SiteContext site = Site();
  site.max_bytes_per_page = 1200;  // the sample's URLs with alternates are ~400-500 bytes
  const std::vector<SitemapUrl> urls = Urls();
  const size_t pages = SitemapPageCount(site, urls);
  EXPECT_GT(pages, 2u);
  std::string all;
  for (size_t page = 1; page <= pages; ++page) {
    const std::optional<std::string> xml = RenderSitemapPage(site, urls, page);
    ASSERT_TRUE(xml.has_value());
    EXPECT_LE(xml->size(), 1200u) << *xml;
    all += *xml;
  }
  for (const SitemapUrl& u : urls) {
    EXPECT_TRUE(absl::StrContains(all, absl::StrCat("<loc>", u.loc, "</loc>"))) << u.loc;
  }
  EXPECT_TRUE(absl::StrContains(RenderSitemapRoot(site, urls), "<sitemapindex"));
  // The protocol's 50 MiB holds whatever is configured.
  site.max_bytes_per_page = 0;
  EXPECT_EQ(SitemapPageCount(site, urls), 1u);
  site.max_bytes_per_page = size_t{1} << 40;
  SitemapUrl big;
  big.loc = "https://news.example.org/en/articles/" + std::string(1000, 'a');
  EXPECT_EQ(SitemapPageCount(site, std::vector<SitemapUrl>(40000, big)), 1u);
  EXPECT_EQ(SitemapPageCount(site, std::vector<SitemapUrl>(60000, big)), 2u);
}

TEST(RobotsTest, PointsAtTheSitemap) {
  EXPECT_EQ(RenderRobotsTxt(Site()),
            "User-agent: *\nDisallow: /api/\nDisallow: /en/search\nDisallow: /zh-CN/search\n"
            "Allow: /\n\nSitemap: https://news.example.org/sitemap.xml\n");
}

}  // namespace
}  // namespace bulletin::web::feeds
