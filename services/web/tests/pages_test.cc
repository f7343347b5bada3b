// Unit tests of the HTML pages: the seed page's parts in both languages, and escaping --
// an article title "<script>" shows as text in <title>, the heading, OpenGraph and the
// JSON-LD, never as markup; snippets highlight without letting markup through.
#include "services/web/pages/pages.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "services/web/pages/html.h"
#include "services/web/tests/fake_backend.h"

namespace bulletin::web {
namespace {

using testing::NewsCategory;
using testing::SampleArticle;

constexpr char kEvilTitle[] = "<script>alert(1)</script> & \"quotes\" '</script>";

int Count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1))
    ++n;
  return n;
}

ArticlePageData Page(const std::string& locale, const std::string& title) {
  ArticlePageData page;
  page.locale = locale;
  page.article = SampleArticle("a1", "tripartite-meeting", title, "cat-news");
  cpb::Category news = NewsCategory();
  page.categories = {news.ancestors(0), news};
  page.related = {SampleArticle("a2", "other-news", "Other news", "cat-news")};
  page.visitors_known = true;
  page.visitors = 789;
  page.view_token = "a1.1.sig";
  return page;
}

TEST(ArticlePageTest, SeedPageInEnglish) {
  std::string html =
      RenderArticlePage({"https://news.example.org"}, Page("en", "The Tripartite Meeting"));
  EXPECT_TRUE(absl::StrContains(html, "<html lang=\"en\">"));
  EXPECT_TRUE(absl::StrContains(html,
                                ">Home</a> &gt; <a href=\"/en/categories/news\">News</a> &gt; "
                                "<span aria-current=\"page\">Content</span>"));
  EXPECT_TRUE(absl::StrContains(html, "id=\"article-title\">The Tripartite Meeting</h1>"));
  EXPECT_TRUE(
      absl::StrContains(html, "Date: <time datetime=\"2018-02-05T02:00:00Z\">2018-02-05</time>"));
  EXPECT_TRUE(absl::StrContains(
      html, "Visitors: <span class=\"visitors-count\" id=\"visitors-count\">789</span>"));
  EXPECT_TRUE(absl::StrContains(html, "<h2>Related News</h2>"));
  EXPECT_TRUE(absl::StrContains(html, "<a href=\"/en/articles/other-news\">Other news</a>"));
  EXPECT_TRUE(absl::StrContains(html, "<figcaption>The Tripartite Meeting</figcaption>"));
  EXPECT_TRUE(absl::StrContains(
      html,
      "<link rel=\"canonical\" href=\"https://news.example.org/en/articles/tripartite-meeting\">"));
  EXPECT_TRUE(absl::StrContains(
      html,
      "hreflang=\"zh-CN\" href=\"https://news.example.org/zh-CN/articles/tripartite-meeting\""));
  EXPECT_TRUE(absl::StrContains(
      html,
      "hreflang=\"x-default\" href=\"https://news.example.org/en/articles/tripartite-meeting\""));
  EXPECT_TRUE(absl::StrContains(html, "<meta property=\"og:type\" content=\"article\">"));
  EXPECT_TRUE(absl::StrContains(html, "\"@type\":\"NewsArticle\""));
  // The switch: 简体中文 links to the same article in Chinese; English is the current page.
  EXPECT_TRUE(absl::StrContains(html,
                                "<a href=\"/zh-CN/articles/tripartite-meeting\" hreflang=\"zh-CN\" "
                                "lang=\"zh-CN\">简体中文</a> | <strong lang=\"en\""));
  EXPECT_TRUE(absl::StrContains(html,
                                "<noscript><img class=\"view-pixel\" "
                                "src=\"/api/v1/views/pixel?token=a1.1.sig&amp;locale=en\""));
}

TEST(ArticlePageTest, SeedPageInChineseHasChineseLabels) {
  std::string html =
      RenderArticlePage({"https://news.example.org"}, Page("zh-CN", "The Tripartite Meeting"));
  EXPECT_TRUE(absl::StrContains(html, "<html lang=\"zh-CN\">"));
  EXPECT_TRUE(absl::StrContains(html,
                                ">首页</a> &gt; <a href=\"/zh-CN/categories/news\">新闻</a> &gt; "
                                "<span aria-current=\"page\">正文</span>"));
  EXPECT_TRUE(absl::StrContains(html, "id=\"article-title\">三方会议</h1>"));
  EXPECT_TRUE(absl::StrContains(html, "日期：<time"));
  EXPECT_TRUE(absl::StrContains(html, "访问量：<span"));
  EXPECT_TRUE(absl::StrContains(html, "<h2>相关新闻</h2>"));
}

TEST(ArticlePageTest, SwitchLeadsToTheOtherHomeWithoutATranslation) {
  ArticlePageData page = Page("en", "Only English");
  page.article.mutable_translations()->erase("zh-CN");
  page.article.mutable_published_locales()->RemoveLast();
  std::string html = RenderArticlePage({"https://x.org"}, page);
  EXPECT_TRUE(absl::StrContains(
      html, "<a href=\"/zh-CN/\" hreflang=\"zh-CN\" lang=\"zh-CN\">简体中文</a>"));
  EXPECT_FALSE(absl::StrContains(html, "hreflang=\"zh-CN\" href="));
}

TEST(ArticlePageTest, ScriptInTitleIsTextEverywhere) {
  ArticlePageData page = Page("en", kEvilTitle);
  (*page.article.mutable_translations())["en"].set_cover_image_caption("\"><script>x()</script>");
  std::string html = RenderArticlePage({"https://x.org"}, page);
  EXPECT_FALSE(absl::StrContains(html, "<script>alert"));
  EXPECT_FALSE(absl::StrContains(html, "<script>x()"));
  EXPECT_TRUE(absl::StrContains(html,
                                "<title>&lt;script&gt;alert(1)&lt;/script&gt; &amp; "
                                "&quot;quotes&quot; &apos;&lt;/script&gt;</title>"));
  EXPECT_TRUE(absl::StrContains(
      html, "<meta property=\"og:title\" content=\"&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_TRUE(
      absl::StrContains(html, "id=\"article-title\">&lt;script&gt;alert(1)&lt;/script&gt;"));
  // JSON-LD: the title's </script> cannot close the block.
  EXPECT_TRUE(absl::StrContains(html,
                                "\"headline\":\"\\u003cscript\\u003ealert(1)\\u003c/script\\u003e "
                                "\\u0026 \\\"quotes\\\" '\\u003c/script\\u003e\""));
  // Exactly the two script blocks the page has: JSON-LD and the beacon.
  EXPECT_EQ(Count(html, "</script>"), 2);
  EXPECT_EQ(Count(html, "<script"), 2);
}

TEST(PagesTest, JsonStringEscapesWhatCouldEndAScriptBlock) {
  EXPECT_EQ(JsonString("</script>\n\u2028\"\\&"),
            "\"\\u003c/script\\u003e\\n\\u2028\\\"\\\\\\u0026\"");
}

TEST(PagesTest, SnippetHighlightsAreMarkedAndEscaped) {
  cpb::Snippet s;
  s.set_text("a <b>volunteer</b> x");
  s.add_highlights()->set_start(5);
  s.mutable_highlights(0)->set_end(14);
  s.add_highlights()->set_start(3);  // overlapping: ignored
  s.mutable_highlights(1)->set_end(400);
  EXPECT_EQ(HighlightSnippet(s), "a &lt;b&gt;<mark>volunteer</mark>&lt;/b&gt; x");
}

TEST(PagesTest, ErrorPagesSpeakTheReadersLanguage) {
  std::string zh = RenderErrorPage({"https://x.org"}, "zh-CN", 404, "/zh-CN/");
  EXPECT_TRUE(absl::StrContains(zh, "<html lang=\"zh-CN\">"));
  EXPECT_TRUE(absl::StrContains(zh, "页面不存在"));
  std::string gone = RenderErrorPage({"https://x.org"}, "en", 410, "/en/");
  EXPECT_TRUE(absl::StrContains(gone, "Article removed"));
}

TEST(PagesTest, StatsChartIsServerDrawnSvg) {
  std::vector<analytics::v1::TimeSeriesPoint> days(30);
  for (int i = 0; i < 30; ++i) {
    days[i].set_views(i * 10);
    days[i].mutable_start_time()->set_seconds(1700000000 + i * 86400);
  }
  std::string svg = RenderViewsSvg(days, "Daily <views>");
  EXPECT_TRUE(absl::StartsWith(svg, "<svg class=\"views-chart\""));
  EXPECT_EQ(Count(svg, "<rect "), 30);
  EXPECT_TRUE(absl::StrContains(svg, "<title>Daily &lt;views&gt;</title>"));
  EXPECT_TRUE(absl::StrContains(svg, "height=\"120\" fill"));  // the largest day is full height
}

}  // namespace
}  // namespace bulletin::web
