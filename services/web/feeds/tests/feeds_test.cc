// RSS, Atom and JSON Feed rendering: markup in titles and summaries reaches readers as
// text, full content in the feed's language, dates, self/hub links, and the version basis.
#include "services/web/feeds/feeds.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/web/feeds/tests/sample_articles.h"

namespace bulletin::web::feeds {
namespace {

using testing::SampleArticles;
using testing::SampleFeedContext;

constexpr FeedFormat kFormats[] = {FeedFormat::kRss, FeedFormat::kAtom, FeedFormat::kJson};

std::string Render(FeedFormat format, const std::string& locale, bool category = false) {
  return RenderFeed(format, SampleFeedContext(locale, format, category), SampleArticles());
}

TEST(FeedsTest, MarkupTitleIsTextInEveryFormat) {
  for (FeedFormat format : kFormats) {
    const std::string doc = Render(format, "en");
    SCOPED_TRACE(doc);
    // No raw markup from the title, summary or tags anywhere.
    EXPECT_FALSE(absl::StrContains(doc, "<script")) << static_cast<int>(format);
    EXPECT_FALSE(absl::StrContains(doc, "<i>markup")) << static_cast<int>(format);
    EXPECT_FALSE(absl::StrContains(doc, "<b>tag")) << static_cast<int>(format);
    EXPECT_FALSE(absl::StrContains(doc, " & ")) << static_cast<int>(format);
  }
  EXPECT_TRUE(absl::StrContains(
      Render(FeedFormat::kRss, "en"),
      "<title>&lt;script&gt;alert(1)&lt;/script&gt; &amp; AT&amp;T &quot;quoted&quot; "
      "&#39;single&#39;</title>"));
  EXPECT_TRUE(absl::StrContains(Render(FeedFormat::kAtom, "en"),
                                "<title type=\"text\">&lt;script&gt;alert(1)&lt;/script&gt; "
                                "&amp; AT&amp;T"));
  EXPECT_TRUE(absl::StrContains(
      Render(FeedFormat::kJson, "en"),
      "\"title\": \"\\u003cscript\\u003ealert(1)\\u003c/script\\u003e \\u0026 AT\\u0026T "
      "\\\"quoted\\\" 'single'\""));
}

TEST(FeedsTest, RssDescriptionIsHtmlSoPlainSummaryIsEscapedTwice) {
  // <description> holds HTML: the plain-text summary's "<i>" must decode to "&lt;i&gt;".
  EXPECT_TRUE(absl::StrContains(
      Render(FeedFormat::kRss, "en"),
      "<description>Summary with &amp;lt;i&amp;gt;markup&amp;lt;/i&amp;gt; &amp;amp; an "
      "ampersand</description>"));
}

TEST(FeedsTest, FullContentInTheFeedLocaleWithAbsoluteUrls) {
  const std::string rss = Render(FeedFormat::kRss, "en");
  EXPECT_TRUE(
      absl::StrContains(rss, "&lt;img src=&quot;https://news.example.org/media/launch.jpg&quot;"));
  EXPECT_TRUE(absl::StrContains(
      rss, "&lt;a href=&quot;https://news.example.org/en/categories/news&quot;&gt;the news"));
  EXPECT_TRUE(absl::StrContains(
      rss,
      "&lt;figure&gt;&lt;img src=&quot;https://news.example.org/media/cover.jpg&quot; "
      "alt=&quot;A newsroom&quot;&gt;&lt;figcaption&gt;The newsroom"));
  // The body's own entities stay escaped: "&amp;lt;script" is text in the HTML.
  EXPECT_TRUE(absl::StrContains(rss, "Fish &amp;amp; chips &amp;lt;script&amp;gt;"));

  for (FeedFormat format : kFormats) {
    const std::string zh = Render(format, "zh-CN");
    EXPECT_TRUE(absl::StrContains(zh, testing::kBilingualTitleZh)) << zh;  // raw UTF-8
    EXPECT_TRUE(absl::StrContains(zh, "阅读")) << zh;
    EXPECT_TRUE(absl::StrContains(zh, "https://news.example.org/zh-CN/articles/gonggao-shangxian"));
    // The English-only article has no zh-CN translation: not in the Chinese feed.
    EXPECT_FALSE(absl::StrContains(zh, "alert(1)")) << zh;
    EXPECT_FALSE(absl::StrContains(zh, testing::kBilingualTitleEn)) << zh;
  }
}

TEST(FeedsTest, DatesSelfAndHubLinks) {
  const std::string rss = Render(FeedFormat::kRss, "en");
  EXPECT_TRUE(absl::StrContains(rss, "<pubDate>Mon, 05 Feb 2018 08:00:00 +0000</pubDate>"));
  EXPECT_TRUE(
      absl::StrContains(rss, "<lastBuildDate>Tue, 06 Feb 2018 07:15:00 +0000</lastBuildDate>"));
  EXPECT_TRUE(absl::StrContains(rss,
                                "<atom:link rel=\"self\" type=\"application/rss+xml\" "
                                "href=\"https://news.example.org/en/feed.rss\"/>"));
  EXPECT_TRUE(absl::StrContains(rss, "<atom:link rel=\"hub\" href=\"https://hub.example.net/\"/>"));
  EXPECT_TRUE(
      absl::StrContains(rss,
                        "<guid isPermaLink=\"false\">tag:news.example.org,2018-02-01:articles/"
                        "art-bilingual-1/en</guid>"));

  const std::string atom = Render(FeedFormat::kAtom, "zh-CN", /*category=*/true);
  EXPECT_TRUE(absl::StrContains(atom, "xml:lang=\"zh-CN\""));
  EXPECT_TRUE(absl::StrContains(atom, "<updated>2018-02-05T10:30:00Z</updated>"));
  EXPECT_TRUE(absl::StrContains(atom, "<published>2018-02-05T08:00:00Z</published>"));
  EXPECT_TRUE(
      absl::StrContains(atom,
                        "<link rel=\"self\" type=\"application/atom+xml\" "
                        "href=\"https://news.example.org/zh-CN/categories/news/feed.atom\"/>"));
  EXPECT_TRUE(absl::StrContains(atom,
                                "<link rel=\"alternate\" type=\"text/html\" "
                                "href=\"https://news.example.org/zh-CN/categories/news\"/>"));
  EXPECT_TRUE(absl::StrContains(atom, "<link rel=\"hub\" href=\"https://hub.example.net/\"/>"));

  const std::string json = Render(FeedFormat::kJson, "en");
  EXPECT_TRUE(absl::StrContains(json, "\"version\": \"https://jsonfeed.org/version/1.1\""));
  EXPECT_TRUE(absl::StrContains(json, "\"date_published\": \"2018-02-05T08:00:00Z\""));
  EXPECT_TRUE(absl::StrContains(
      json, "\"hubs\": [{\"type\": \"WebSub\", \"url\": \"https://hub.example.net/\"}]"));
  EXPECT_TRUE(absl::StrContains(json, "\"feed_url\": \"https://news.example.org/en/feed.json\""));
}

TEST(FeedsTest, NoHubWhenNoneIsConfigured) {
  for (FeedFormat format : kFormats) {
    FeedContext ctx = SampleFeedContext("en", format, false);
    ctx.hub_url.clear();
    const std::string doc = RenderFeed(format, ctx, SampleArticles());
    EXPECT_FALSE(absl::StrContains(doc, "hub")) << doc;
  }
}

TEST(FeedsTest, DeletedAndUnpublishedArticlesAreLeftOut) {
  std::vector<Article> articles = SampleArticles();
  articles[0].mutable_delete_time()->set_seconds(1);
  articles[1].set_state(content::v1::ARTICLE_STATE_DRAFT);
  for (FeedFormat format : kFormats) {
    const std::string doc = RenderFeed(format, SampleFeedContext("en", format, false), articles);
    EXPECT_FALSE(absl::StrContains(doc, "alert(1)")) << doc;
    EXPECT_FALSE(absl::StrContains(doc, testing::kBilingualTitleEn)) << doc;
  }
}

TEST(FeedsTest, ControlCharactersInTextNeverReachTheDocument) {
  std::vector<Article> articles = SampleArticles();
  (*articles[0].mutable_translations())["en"].set_title(std::string("bell\x07 esc\x1b nul\0!", 16));
  for (FeedFormat format : kFormats) {
    const std::string doc = RenderFeed(format, SampleFeedContext("en", format, false), articles);
    EXPECT_TRUE(absl::StrContains(doc, "bell esc nul!")) << doc;
    EXPECT_EQ(doc.find_first_of(std::string("\x07\x1b\0", 3)), std::string::npos);
  }
}

TEST(FeedVersionTest, NewestUpdateAndAnEtagThatSeesRemovals) {
  const FeedContext ctx = SampleFeedContext("en", FeedFormat::kAtom, false);
  const std::vector<Article> articles = SampleArticles();
  const FeedVersion v = FeedVersionOf(ctx, articles);
  EXPECT_EQ(FormatHttpDate(v.last_modified), "Tue, 06 Feb 2018 07:15:00 GMT");
  EXPECT_TRUE(absl::StartsWith(v.etag, "\"f-")) << v.etag;
  EXPECT_EQ(FeedVersionOf(ctx, articles).etag, v.etag);  // deterministic

  // The older article leaves the list: Last-Modified cannot change, the ETag must.
  const FeedVersion without_older = FeedVersionOf(ctx, {articles[0]});
  EXPECT_EQ(without_older.last_modified, v.last_modified);
  EXPECT_NE(without_older.etag, v.etag);

  std::vector<Article> edited = articles;
  edited[1].set_etag("e1-next");
  EXPECT_NE(FeedVersionOf(ctx, edited).etag, v.etag);
  EXPECT_NE(FeedVersionOf(SampleFeedContext("zh-CN", FeedFormat::kAtom, false), articles).etag,
            v.etag);

  const FeedVersion empty = FeedVersionOf(ctx, {});
  EXPECT_EQ(empty.last_modified, absl::UnixEpoch());
}

TEST(FeedPathsTest, UrlShapes) {
  EXPECT_EQ(FeedPath("en", "", FeedFormat::kRss), "/en/feed.rss");
  EXPECT_EQ(FeedPath("zh-CN", "news", FeedFormat::kJson), "/zh-CN/categories/news/feed.json");
  EXPECT_EQ(ArticlePath("zh-CN", "a-b"), "/zh-CN/articles/a-b");
  EXPECT_EQ(CategoryPath("en", "news"), "/en/categories/news");
  EXPECT_EQ(FeedFormatFromFileName("feed.atom"), FeedFormat::kAtom);
  EXPECT_EQ(FeedFormatFromFileName("feed.json"), FeedFormat::kJson);
  EXPECT_EQ(FeedFormatFromFileName("feed.rss"), FeedFormat::kRss);
  EXPECT_EQ(FeedFormatFromFileName("feed.xml"), std::nullopt);
  EXPECT_EQ(FeedContentType(FeedFormat::kJson), "application/feed+json; charset=utf-8");
  EXPECT_EQ(FeedContentType(FeedFormat::kAtom), "application/atom+xml; charset=utf-8");
  EXPECT_EQ(FeedContentType(FeedFormat::kRss), "application/rss+xml; charset=utf-8");
}

TEST(FeedPathsTest, FeedsOfAnArticleAndThePublishPing) {
  const std::vector<std::string> paths =
      FeedPathsOf({"en", "zh-CN"}, {"news", "world", "news"});  // duplicates once
  EXPECT_EQ(paths.size(), 2u * 3u * 3u);
  EXPECT_EQ(paths.front(), "/en/feed.rss");
  EXPECT_NE(std::find(paths.begin(), paths.end(), "/zh-CN/categories/world/feed.json"),
            paths.end());
  EXPECT_EQ(FeedPathsOf({"en"}, {}),
            (std::vector<std::string>{"/en/feed.rss", "/en/feed.atom", "/en/feed.json"}));
  EXPECT_EQ(WebSubPublishBody("https://news.example.org", {"/en/feed.atom", "/zh-CN/feed.rss"}),
            "hub.mode=publish&hub.url=https%3A%2F%2Fnews.example.org%2Fen%2Ffeed.atom"
            "&hub.url=https%3A%2F%2Fnews.example.org%2Fzh-CN%2Ffeed.rss");
}

TEST(FeedsTest, OnlySiteRelativeBodyUrlsBecomeAbsolute) {
  std::vector<Article> articles = SampleArticles();
  (*articles[1].mutable_translations())["en"].set_body(
      "<p><a href=\"//cdn.example.com/x\">cdn</a> <a href=\"https://other.example/y\">o</a> "
      "<img src=\"/m/1.jpg\"> <a title=\"/not-a-link\" href=\"/en/\">home</a> "
      "src=&quot;/text&quot;</p>");
  const std::string json =
      RenderJsonFeed(SampleFeedContext("en", FeedFormat::kJson, false), articles);
  EXPECT_TRUE(absl::StrContains(json, "href=\\\"//cdn.example.com/x\\\"")) << json;
  EXPECT_TRUE(absl::StrContains(json, "href=\\\"https://other.example/y\\\""));
  EXPECT_TRUE(absl::StrContains(json, "src=\\\"https://news.example.org/m/1.jpg\\\""));
  EXPECT_TRUE(absl::StrContains(json, "title=\\\"/not-a-link\\\""));
  EXPECT_TRUE(absl::StrContains(json, "href=\\\"https://news.example.org/en/\\\""));
  EXPECT_TRUE(absl::StrContains(json, "src=\\u0026quot;/text"));
}

}  // namespace
}  // namespace bulletin::web::feeds
