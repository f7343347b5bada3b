#include "services/web/feeds/tests/sample_articles.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace bulletin::web::feeds::testing {
namespace {

using ::bulletin::content::v1::ARTICLE_STATE_PUBLISHED;
using ::bulletin::content::v1::ArticleTranslation;

void SetTime(absl::string_view rfc3339, google::protobuf::Timestamp* ts) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err)) std::abort();
  ts->set_seconds(absl::ToUnixSeconds(t));
}

std::string RandomText(std::mt19937* rng) {
  static const char* const kPieces[] = {"<",
                                        ">",
                                        "&",
                                        "\"",
                                        "'",
                                        "]]>",
                                        "<![CDATA[",
                                        "&amp;",
                                        "&#0;",
                                        "\t",
                                        "\n",
                                        "\r",
                                        "\x01",
                                        "\x1b",
                                        "\x7f",
                                        "\xc2\x85",
                                        "\xef\xbf\xbe",
                                        "\xef\xbf\xbf",
                                        "\xff",
                                        "\xed\xa0\x80",
                                        "\xe6\x96",
                                        "新闻",
                                        "\xe2\x80\xa8",
                                        "word",
                                        " ",
                                        "<script>",
                                        "</p>",
                                        "\\",
                                        "/",
                                        "\\u0000"};
  std::string out;
  const int n = 1 + static_cast<int>((*rng)() % 24);
  for (int i = 0; i < n; ++i) {
    const uint32_t r = (*rng)();
    if (r % 7 == 0) {
      out.push_back('\0');
    } else {
      out.append(kPieces[r % (sizeof(kPieces) / sizeof(kPieces[0]))]);
    }
  }
  return out;
}

}  // namespace

std::vector<Article> RandomArticles(uint32_t seed, int count) {
  std::mt19937 rng(seed);
  std::vector<Article> out;
  for (int i = 0; i < count; ++i) {
    Article a;
    a.set_id(absl::StrCat("random-", i));
    a.set_slug(absl::StrCat("random-", i));
    a.set_state(ARTICLE_STATE_PUBLISHED);
    a.set_default_locale("en");
    a.set_revision(1);
    a.add_tags(RandomText(&rng));
    a.mutable_create_time()->set_seconds(1517814000 + i);
    a.mutable_publish_time()->set_seconds(1517814000 + i);
    a.mutable_update_time()->set_seconds(1517814000 + i);
    ArticleTranslation& t = (*a.mutable_translations())["en"];
    t.set_title(absl::StrCat("random-", i, " ", RandomText(&rng)));
    t.set_summary(RandomText(&rng));
    t.set_body(RandomText(&rng));
    t.set_cover_image_url(absl::StrCat("/media/", i, ".jpg"));
    t.set_cover_image_caption(RandomText(&rng));
    t.set_cover_image_alt(RandomText(&rng));
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<Article> SampleArticles() {
  Article bilingual;
  bilingual.set_id("art-bilingual-1");
  bilingual.set_slug("bulletin-launches");
  bilingual.set_category_id("cat-news");
  bilingual.add_tags("launch");
  bilingual.add_tags("新闻");
  bilingual.set_state(ARTICLE_STATE_PUBLISHED);
  bilingual.set_default_locale("en");
  bilingual.set_etag("e1");
  bilingual.set_revision(3);
  SetTime("2018-02-01T09:00:00Z", bilingual.mutable_create_time());
  SetTime("2018-02-05T08:00:00Z", bilingual.mutable_publish_time());
  SetTime("2018-02-05T10:30:00Z", bilingual.mutable_update_time());
  ArticleTranslation& en = (*bilingual.mutable_translations())["en"];
  en.set_title(kBilingualTitleEn);
  en.set_summary("The site is live in English and Chinese.");
  en.set_body(
      "<p>Read <a href=\"/en/categories/news\">the news</a>.</p>"
      "<p><img src=\"/media/launch.jpg\" alt=\"Launch\"></p>");
  en.set_cover_image_url("/media/cover.jpg");
  en.set_cover_image_caption("The newsroom");
  en.set_cover_image_alt("A newsroom");
  ArticleTranslation& zh = (*bilingual.mutable_translations())["zh-CN"];
  zh.set_title(kBilingualTitleZh);
  zh.set_summary("网站以中英文上线。");
  zh.set_body("<p>阅读<a href=\"/zh-CN/categories/news\">新闻</a>。</p>");
  zh.set_slug("gonggao-shangxian");
  for (const auto& [locale, slug] :
       {std::pair<std::string, std::string>{"en", "bulletin-launches"},
        std::pair<std::string, std::string>{"zh-CN", "gonggao-shangxian"}}) {
    auto* link = bilingual.add_published_locales();
    link->set_locale(locale);
    link->set_slug(slug);
  }

  Article hostile;
  hostile.set_id("art-hostile-2");
  hostile.set_slug("markup-in-title");
  hostile.set_state(ARTICLE_STATE_PUBLISHED);
  hostile.set_default_locale("en");
  hostile.set_etag("e2");
  hostile.set_revision(1);
  hostile.add_tags("<b>tag</b> & co");
  SetTime("2018-02-06T07:00:00Z", hostile.mutable_create_time());
  SetTime("2018-02-06T07:00:00Z", hostile.mutable_publish_time());
  SetTime("2018-02-06T07:15:00Z", hostile.mutable_update_time());
  ArticleTranslation& h = (*hostile.mutable_translations())["en"];
  h.set_title(kHostileTitle);
  h.set_summary("Summary with <i>markup</i> & an ampersand");
  h.set_body("<p>Fish &amp; chips &lt;script&gt; stays text.</p>");
  auto* link = hostile.add_published_locales();
  link->set_locale("en");
  link->set_slug("markup-in-title");
  return {hostile, bilingual};
}

Category SampleCategory() {
  Category c;
  c.set_id("cat-news");
  c.set_slug("news");
  c.set_default_locale("en");
  c.set_etag("c1");
  (*c.mutable_translations())["en"].set_name("News");
  (*c.mutable_translations())["zh-CN"].set_name("新闻");
  SetTime("2018-01-01T00:00:00Z", c.mutable_update_time());
  return c;
}

FeedContext SampleFeedContext(const std::string& locale, FeedFormat format, bool category) {
  FeedContext ctx;
  ctx.public_url = kPublicUrl;
  ctx.locale = locale;
  ctx.title = locale == "zh-CN" ? "公告 - 新闻" : "Bulletin - News";
  ctx.subtitle = locale == "zh-CN" ? "最新新闻" : "The latest news";
  ctx.hub_url = kHubUrl;
  if (category) ctx.category = SampleCategory();
  ctx.self_path = FeedPath(locale, category ? "news" : "", format);
  return ctx;
}

}  // namespace bulletin::web::feeds::testing
