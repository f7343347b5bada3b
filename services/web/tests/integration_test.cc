// bulletin-web against the real services (label integration): redis-server, content with
// the demo data (--seed-demo), analytics and notifications (tests/system.h), and the
// bulletin-web binary on a free port, fetched over real HTTP with libcurl: the seed page
// in both languages, 304 on a conditional request, an old slug's 301, the beacon counting
// once per new visitor and not on a reload, a publish visible on the cached home page and
// in the feed within a second, and 503 + Retry-After with cached pages still served when
// content is down.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/testing/process.h"
#include "tests/system.h"

namespace bulletin::web {
namespace {

using ::bulletin::testing::BinDir;
using ::bulletin::testing::ChildProcess;
using ::bulletin::testing::Context;
using ::bulletin::testing::FreePort;
using ::bulletin::testing::System;
using ::bulletin::testing::TempDir;
using ::bulletin::testing::WaitUntil;
namespace cpb = ::bulletin::content::v1;

struct Fetched {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

size_t OnHeader(char* p, size_t size, size_t n, void* out) {
  std::string line(p, size * n);
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    (*static_cast<std::map<std::string, std::string>*>(
        out))[absl::AsciiStrToLower(line.substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return size * n;
}

Fetched Fetch(const std::string& url, const std::vector<std::string>& headers = {},
              const std::string& post_body = "", bool post = false) {
  Fetched f;
  CURL* curl = curl_easy_init();
  curl_slist* list = nullptr;
  for (const std::string& h : headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  if (post) {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, post_body.c_str());
  }
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* p, size_t size, size_t n, void* out) -> size_t {
        static_cast<std::string*>(out)->append(p, size * n);
        return size * n;
      });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &f.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &f.headers);
  if (curl_easy_perform(curl) == CURLE_OK)
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &f.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return f;
}

class WebIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(system_.Start().ok());
    std::ofstream(dir_.path() + "/tokens")
        << "frontend " << ::bulletin::testing::kFrontendToken << "\n";
    port_ = FreePort();
    base_ = "http://127.0.0.1:" + std::to_string(port_);
    log_ = dir_.path() + "/web.log";
    ASSERT_TRUE(
        web_.Start(BinDir() + "/bulletin-web",
                   {"--listen=127.0.0.1:" + std::to_string(port_), "--grpc-listen=127.0.0.1:0",
                    "--content=" + system_.content_addr(),
                    "--analytics=" + system_.analytics_addr(), "--redis=" + system_.redis().url(),
                    "--public-url=" + base_, "--auth-tokens-file=" + dir_.path() + "/tokens",
                    "--view-token-key=integration-test-key-0001"},
                   {}, log_)
            .ok());
    ASSERT_TRUE(
        WaitUntil([&] { return Fetch(base_ + "/robots.txt").status == 200; }, absl::Seconds(10)))
        << Logs();
  }
  void TearDown() override { web_.Stop(SIGTERM); }
  std::string Logs() {
    std::ifstream in(log_);
    return std::string(std::istreambuf_iterator<char>(in), {}) + system_.Logs();
  }
  std::string Page(const std::string& locale) {
    return base_ + "/" + locale + "/articles/" + system_.demo_slug();
  }
  static std::string TokenOf(const std::string& html) {
    size_t p = html.find("data-view-token=\"");
    if (p == std::string::npos) return "";
    p += 17;
    return html.substr(p, html.find('"', p) - p);
  }
  static std::string CookieOf(const Fetched& f) {
    auto it = f.headers.find("set-cookie");
    return it == f.headers.end() ? "" : it->second.substr(0, it->second.find(';'));
  }

  System system_;
  TempDir dir_;
  ChildProcess web_;
  int port_ = 0;
  std::string base_;
  std::string log_;
};

TEST_F(WebIntegrationTest, SeedPageInBothLanguagesAndConditionalRequests) {
  Fetched en = Fetch(Page("en"));
  ASSERT_EQ(en.status, 200) << Logs();
  EXPECT_TRUE(absl::StrContains(en.body, "<html lang=\"en\">"));
  EXPECT_TRUE(absl::StrContains(en.body,
                                ">Home</a> &gt; <a href=\"/en/categories/news\">News</a> &gt; "
                                "<span aria-current=\"page\">Content</span>"));
  EXPECT_TRUE(absl::StrContains(en.body, "The Tripartite Meeting of the First Quarter in 2018"));
  EXPECT_TRUE(absl::StrContains(en.body,
                                "Date: <time datetime=\"2018-02-05T02:00:00Z\">2018-02-05</time>"));
  EXPECT_TRUE(absl::StrContains(en.body, "Visitors: <span"));
  EXPECT_TRUE(absl::StrContains(en.body, "<h2>Related News</h2>"));
  EXPECT_TRUE(absl::StrContains(en.body, ">简体中文</a> | <strong lang=\"en\""));
  Fetched zh = Fetch(Page("zh-CN"));
  ASSERT_EQ(zh.status, 200);
  EXPECT_TRUE(absl::StrContains(zh.body,
                                ">首页</a> &gt; <a href=\"/zh-CN/categories/news\">新闻</a> &gt; "
                                "<span aria-current=\"page\">正文</span>"));
  EXPECT_TRUE(absl::StrContains(zh.body, "日期：<time"));
  EXPECT_TRUE(absl::StrContains(zh.body, "访问量：<span"));
  EXPECT_TRUE(absl::StrContains(zh.body, "<h2>相关新闻</h2>"));
  const std::string etag = en.headers["etag"];
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(Fetch(Page("en"), {"If-None-Match: " + etag}).status, 304);
  EXPECT_EQ(Fetch(Page("en"), {"If-Modified-Since: " + en.headers["last-modified"]}).status, 304);
  Fetched gz = Fetch(Page("en"), {"Accept-Encoding: gzip"});
  EXPECT_EQ(gz.headers["content-encoding"], "gzip");
  Fetched api = Fetch(base_ + "/api/v1/articles/" + system_.demo_slug() + "?locale=zh-CN");
  EXPECT_EQ(api.status, 200);
  EXPECT_TRUE(absl::StrContains(api.body, "\"returnedLocale\":\"zh-CN\""));
  EXPECT_EQ(Fetch(base_ + "/en/feed.atom").status, 200);
  EXPECT_EQ(Fetch(base_ + "/sitemap.xml").status, 200);
  EXPECT_EQ(Fetch(base_ + "/xx/").status, 404);
}

TEST_F(WebIntegrationTest, BeaconCountsOncePerNewVisitor) {
  Fetched page = Fetch(Page("en"));
  const std::string token = TokenOf(page.body);
  ASSERT_FALSE(token.empty());
  const std::string body = "{\"token\":\"" + token + "\",\"locale\":\"en\"}";
  Fetched first = Fetch(base_ + "/api/v1/views", {"Content-Type: application/json"}, body, true);
  ASSERT_EQ(first.status, 200) << first.body << Logs();
  EXPECT_TRUE(absl::StrContains(first.body, "\"counted\":true")) << first.body;
  const std::string cookie = CookieOf(first);
  ASSERT_TRUE(absl::StartsWith(cookie, "bulletin_vid="));
  Fetched reload = Fetch(base_ + "/api/v1/views", {"Cookie: " + cookie}, body, true);
  EXPECT_TRUE(absl::StrContains(reload.body, "\"counted\":false")) << reload.body;
  Fetched second_visitor = Fetch(base_ + "/api/v1/views", {}, body, true);
  EXPECT_TRUE(absl::StrContains(second_visitor.body, "\"counted\":true")) << second_visitor.body;
  auto views = [](const std::string& json) {
    size_t p = json.find("\"views\":\"");
    return p == std::string::npos ? -1 : std::stol(json.substr(p + 9));
  };
  EXPECT_EQ(views(reload.body), views(first.body));
  EXPECT_EQ(views(second_visitor.body), views(first.body) + 1);
  Fetched forged = Fetch(base_ + "/api/v1/views", {}, "{\"token\":\"x" + token + "\"}", true);
  EXPECT_EQ(forged.status, 400);
  EXPECT_TRUE(absl::StrContains(forged.body, "\"field\":\"token\""));
}

TEST_F(WebIntegrationTest, PublishIsVisibleOnCachedPagesWithinASecond) {
  ASSERT_EQ(Fetch(base_ + "/en/").status, 200);  // the home page and the feed are cached now
  ASSERT_EQ(Fetch(base_ + "/en/feed.atom").status, 200);
  auto content = system_.Content();
  cpb::GetArticleRequest get;
  get.set_slug(system_.demo_slug());
  cpb::Article demo;
  ASSERT_TRUE(content->GetArticle(Context().get(), get, &demo).ok());
  cpb::CreateArticleRequest create;
  create.set_request_id("web-integration-publish");
  cpb::Article* a = create.mutable_article();
  a->set_category_id(demo.category_id());
  a->set_default_locale("en");
  (*a->mutable_translations())["en"].set_title("Volunteers plant trees in Miyun");
  (*a->mutable_translations())["en"].set_body("<p>Spring planting.</p>");
  cpb::Article created;
  ASSERT_TRUE(
      content->CreateArticle(Context(::bulletin::testing::kEditorToken).get(), create, &created)
          .ok());
  cpb::PublishArticleRequest publish;
  publish.set_id(created.id());
  cpb::Article published;
  ASSERT_TRUE(
      content->PublishArticle(Context(::bulletin::testing::kEditorToken).get(), publish, &published)
          .ok());
  const absl::Time start = absl::Now();
  EXPECT_TRUE(WaitUntil(
      [&] { return absl::StrContains(Fetch(base_ + "/en/").body, "Volunteers plant trees"); },
      absl::Seconds(1)))
      << Logs();
  EXPECT_TRUE(WaitUntil(
      [&] {
        return absl::StrContains(Fetch(base_ + "/en/feed.atom").body, "Volunteers plant trees");
      },
      absl::Seconds(1)));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  // Renamed: the old slug answers 301 to the new one (content resolves former slugs).
  cpb::UpdateArticleRequest update;
  update.mutable_article()->set_id(created.id());
  update.mutable_article()->set_slug("volunteers-plant-trees-2018");
  update.mutable_update_mask()->add_paths("slug");
  cpb::Article renamed;
  ASSERT_TRUE(
      content->UpdateArticle(Context(::bulletin::testing::kEditorToken).get(), update, &renamed)
          .ok());
  Fetched old = Fetch(base_ + "/en/articles/" + created.slug());
  EXPECT_EQ(old.status, 301) << old.body.substr(0, 300);
  EXPECT_EQ(old.headers["location"], "/en/articles/volunteers-plant-trees-2018");
}

TEST_F(WebIntegrationTest, ContentDownMeans503WhileCachedPagesStillServe) {
  ASSERT_EQ(Fetch(Page("en")).status, 200);
  system_.Kill(::bulletin::testing::Service::kContent);
  Fetched cached = Fetch(Page("en"));
  EXPECT_EQ(cached.status, 200);
  Fetched uncached = Fetch(base_ + "/en/categories/news");
  EXPECT_EQ(uncached.status, 503);
  EXPECT_EQ(uncached.headers["retry-after"], "5");
  EXPECT_TRUE(absl::StrContains(uncached.body, "Temporarily unavailable"));
}

}  // namespace
}  // namespace bulletin::web
