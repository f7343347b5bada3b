// web_feeds_sample OUT_DIR: renders every document of bulletin_web_feeds from the sample
// articles into OUT_DIR, for check_feeds.py to parse with real parsers:
//   {en,zh-CN}[-news].{rss,atom,json}  the locale's feeds and the category's
//   empty.{rss,atom,json}               a category's feeds without articles
//   random.{rss,atom,json}              200 articles of random hostile text (RandomArticles)
//   sitemap.xml                         the root with the protocol's page size (a urlset)
//   sitemap-index.xml, sitemaps/N.xml   the root and pages with 2 URLs a page (an index)
//   robots.txt
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "services/web/feeds/feeds.h"
#include "services/web/feeds/tests/sample_articles.h"

namespace feeds = bulletin::web::feeds;

namespace {

bool Write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) {
    std::fprintf(stderr, "web_feeds_sample: cannot write %s\n", path.c_str());
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: web_feeds_sample OUT_DIR\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::error_code ec;
  std::filesystem::create_directories(dir / "sitemaps", ec);
  if (ec) {
    std::fprintf(stderr, "web_feeds_sample: cannot create %s: %s\n", argv[1], ec.message().c_str());
    return 1;
  }
  const std::vector<feeds::Article> articles = feeds::testing::SampleArticles();
  bool ok = true;
  for (const std::string locale : {"en", "zh-CN"}) {
    for (bool category : {false, true}) {
      for (auto [format, ext] :
           {std::pair{feeds::FeedFormat::kRss, "rss"}, std::pair{feeds::FeedFormat::kAtom, "atom"},
            std::pair{feeds::FeedFormat::kJson, "json"}}) {
        const feeds::FeedContext ctx = feeds::testing::SampleFeedContext(locale, format, category);
        const std::string name = locale + (category ? "-news." : ".") + ext;
        ok = Write(dir / name, feeds::RenderFeed(format, ctx, articles)) && ok;
        if (locale == "en" && category) {
          ok = Write(dir / (std::string("empty.") + ext), feeds::RenderFeed(format, ctx, {})) && ok;
          ok = Write(dir / (std::string("random.") + ext),
                     feeds::RenderFeed(format, ctx, feeds::testing::RandomArticles(12, 200))) &&
               ok;
        }
      }
    }
  }
  feeds::SiteContext site;
  site.public_url = feeds::testing::kPublicUrl;
  const std::vector<feeds::Category> categories = {feeds::testing::SampleCategory()};
  const std::vector<feeds::SitemapUrl> urls = feeds::SitemapUrls(site, articles, categories);
  ok = Write(dir / "sitemap.xml", feeds::RenderSitemapRoot(site, urls)) && ok;
  ok = Write(dir / "robots.txt", feeds::RenderRobotsTxt(site)) && ok;
  site.max_urls_per_page = 2;
  ok = Write(dir / "sitemap-index.xml", feeds::RenderSitemapRoot(site, urls)) && ok;
  for (size_t page = 1; page <= feeds::SitemapPageCount(site, urls); ++page) {
    ok = Write(dir / "sitemaps" / (std::to_string(page) + ".xml"),
               *feeds::RenderSitemapPage(site, urls, page)) &&
         ok;
  }
  return ok ? 0 : 1;
}
