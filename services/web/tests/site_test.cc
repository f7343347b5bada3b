// Unit tests of bulletin-web's request handling over the fake backend: the seed page and
// HTTP caching (ETag, Last-Modified, 304, gzip, surrogate keys), old slugs (301), deleted
// articles (410), bad input (400/404/413/414/431, JSON under /api/), upstream outages (503
// + Retry-After, cached pages still served), invalidation by event keys, the beacon
// (cookie, Sec-GPC, forged tokens count nothing) and the JSON API with CORS.
#include "services/web/site/site.h"

#include <gtest/gtest.h>

#include <future>

#include "absl/strings/match.h"
#include "common/testing/process.h"
#include "services/web/events/event_follower.h"
#include "services/web/tests/fake_backend.h"

namespace bulletin::web {
namespace {

using ::bulletin::testing::WaitUntil;
using testing::FakeBackend;
using testing::NewsCategory;
using testing::SampleArticle;

class SiteTest : public ::testing::Test {
 protected:
  SiteTest()
      : cache_(8 << 20),
        tokens_("site-test-key-0123456789", absl::Hours(1)),
        pool_(std::make_unique<WorkerPool>(2, 64)) {
    backend_.PutCategory(NewsCategory());
    backend_.PutArticle(
        SampleArticle("a1", "tripartite-meeting", "The Tripartite Meeting", "cat-news"),
        {"old-slug"});
    backend_.SetViews("a1", 789);
    options_.public_url = "https://news.example.org";
    options_.cors_origins = {"https://partner.example"};
    Reset();
  }
  ~SiteTest() override { pool_.reset(); }  // drains background renders while the site lives
  void Reset() { site_ = std::make_unique<Site>(options_, backend_, cache_, tokens_, *pool_); }

  HttpResponse Call(const std::string& method, const std::string& target,
                    std::vector<std::pair<std::string, std::string>> headers = {},
                    std::string body = "", int refused = 0) {
    HttpRequest r;
    r.method = method;
    r.target = target;
    r.headers = std::move(headers);
    r.body = std::move(body);
    r.peer_ip = "192.0.2.7";
    r.refused = refused;
    std::promise<HttpResponse> done;
    std::future<HttpResponse> f = done.get_future();
    site_->Handle(std::move(r),
                  [&done](HttpResponse response) { done.set_value(std::move(response)); });
    return f.get();
  }
  HttpResponse Get(const std::string& target,
                   std::vector<std::pair<std::string, std::string>> h = {}) {
    return Call("GET", target, std::move(h));
  }
  std::string Header(const HttpResponse& r, const std::string& name) {
    return std::string(r.Get(name).value_or(""));
  }
  std::string TokenOf(const std::string& html) {
    size_t p = html.find("data-view-token=\"");
    EXPECT_NE(p, std::string::npos);
    p += 17;
    return html.substr(p, html.find('"', p) - p);
  }

  FakeBackend backend_;
  ResponseCache cache_;
  ViewTokens tokens_;
  std::unique_ptr<WorkerPool> pool_;
  SiteOptions options_;
  std::unique_ptr<Site> site_;
};

TEST_F(SiteTest, ArticlePageIsCachedAndConditional) {
  HttpResponse first = Get("/en/articles/tripartite-meeting");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_TRUE(absl::StrContains(first.body, "The Tripartite Meeting"));
  EXPECT_TRUE(absl::StrContains(
      first.body, "Visitors: <span class=\"visitors-count\" id=\"visitors-count\">789"));
  const std::string etag = Header(first, "ETag");
  EXPECT_FALSE(etag.empty());
  EXPECT_TRUE(absl::StrContains(Header(first, "Cache-Control"), "stale-while-revalidate="));
  EXPECT_TRUE(absl::StrContains(Header(first, "Surrogate-Key"), "a:a1"));
  EXPECT_TRUE(absl::StrContains(Header(first, "Surrogate-Key"), "c:cat-news"));
  EXPECT_EQ(Header(first, "Last-Modified"), "Mon, 05 Feb 2018 02:00:00 GMT");
  const int calls = backend_.calls();
  metrics::Counter& hits = metrics::Registry::Default()
                               .AddCounter("bulletin_web_cache_total", "", {"result"})
                               .WithLabels({"hit"});
  const double hits_before = hits.Value();
  HttpResponse again = Get("/en/articles/tripartite-meeting");
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(backend_.calls(), calls);  // from the cache
  EXPECT_EQ(hits.Value(), hits_before + 1);
  HttpResponse not_modified = Get("/en/articles/tripartite-meeting", {{"if-none-match", etag}});
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_TRUE(not_modified.body.empty());
  EXPECT_EQ(Get("/en/articles/tripartite-meeting", {{"if-none-match", "\"other\""}}).status, 200);
  EXPECT_EQ(Get("/en/articles/tripartite-meeting",
                {{"if-modified-since", "Mon, 05 Feb 2018 02:00:00 GMT"}})
                .status,
            304);
  EXPECT_EQ(Get("/en/articles/tripartite-meeting",
                {{"if-modified-since", "Sun, 04 Feb 2018 02:00:00 GMT"}})
                .status,
            200);
  HttpResponse gz = Get("/en/articles/tripartite-meeting", {{"accept-encoding", "gzip, br"}});
  EXPECT_EQ(Header(gz, "Content-Encoding"), "gzip");
  EXPECT_LT(gz.body.size(), first.body.size());
}

TEST_F(SiteTest, RootRedirectsByCookieThenAcceptLanguage) {
  HttpResponse zh = Get("/", {{"accept-language", "zh-CN,zh;q=0.9"}});
  EXPECT_EQ(zh.status, 302);
  EXPECT_EQ(Header(zh, "Location"), "/zh-CN/");
  EXPECT_EQ(
      Header(Get("/", {{"accept-language", "zh"}, {"cookie", "bulletin_lang=en"}}), "Location"),
      "/en/");
  HttpResponse chosen = Get("/?lang=zh-CN");
  EXPECT_EQ(Header(chosen, "Location"), "/zh-CN/");
  EXPECT_TRUE(absl::StartsWith(Header(chosen, "Set-Cookie"), "bulletin_lang=zh-CN;"));
}

TEST_F(SiteTest, OldSlugRedirectsPermanently) {
  HttpResponse r = Get("/zh-CN/articles/old-slug");
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(Header(r, "Location"), "/zh-CN/articles/tripartite-meeting");
}

TEST_F(SiteTest, DeletedArticleIsGoneUnknownIsNotFoundInTheReadersLanguage) {
  site_->MarkGone({"tripartite-meeting"});
  HttpResponse gone = Get("/zh-CN/articles/tripartite-meeting");
  EXPECT_EQ(gone.status, 410);
  EXPECT_TRUE(absl::StrContains(gone.body, "文章已删除"));
  HttpResponse unknown_locale = Get("/fr/articles/x", {{"accept-language", "zh-CN"}});
  EXPECT_EQ(unknown_locale.status, 404);
  EXPECT_TRUE(absl::StrContains(unknown_locale.body, "<html lang=\"zh-CN\">"));
  EXPECT_TRUE(absl::StrContains(unknown_locale.body, "页面不存在"));
  EXPECT_EQ(Get("/en/articles/no-such-article").status, 404);
  EXPECT_EQ(Get("/en/articles/UPPER").status, 404);
  EXPECT_EQ(Get("/en/nothing-here").status, 404);
}

TEST_F(SiteTest, BadInputGetsTheRight4xxNeverA500) {
  HttpResponse pct = Get("/zh-CN/articles/%zz");
  EXPECT_EQ(pct.status, 400);
  EXPECT_TRUE(absl::StrContains(pct.body, "请求有误"));
  EXPECT_EQ(Get("/en/search?q=%ff").status, 400);
  EXPECT_EQ(Get("/en/search?q=").status, 400);
  EXPECT_EQ(Get("/en/search?q=" + std::string(300, 'a')).status, 400);
  EXPECT_EQ(Get("/en/categories/news?page_token=bad").status, 400);
  HttpResponse api = Get("/api/v1/articles/%ff");
  EXPECT_EQ(api.status, 400);
  EXPECT_EQ(api.body,
            "{\"error\":{\"code\":\"INVALID_ARGUMENT\",\"message\":\"path: not valid "
            "UTF-8\",\"field\":\"path\"}}");
  EXPECT_EQ(Call("GET", "", {}, "", 414).status, 414);
  EXPECT_EQ(Call("GET", "/zh-CN/", {}, "", 431).status, 431);
  HttpResponse big = Call("POST", "/api/v1/views", {}, "", 413);
  EXPECT_EQ(big.status, 413);
  EXPECT_TRUE(
      absl::StrContains(big.body, "\"code\":\"INVALID_ARGUMENT\",\"message\":\"body: too large\""));
  EXPECT_EQ(Call("DELETE", "/en/").status, 405);
}

TEST_F(SiteTest, UpstreamDownServesCachedPagesAndOtherwise503) {
  options_.fresh = absl::ZeroDuration();  // every request re-renders
  Reset();
  ASSERT_EQ(Get("/en/articles/tripartite-meeting").status, 200);
  backend_.SetDown(true);
  HttpResponse cached = Get("/en/articles/tripartite-meeting");
  EXPECT_EQ(cached.status, 200);
  EXPECT_TRUE(absl::StrContains(cached.body, "The Tripartite Meeting"));
  HttpResponse down = Get("/zh-CN/articles/tripartite-meeting");
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(Header(down, "Retry-After"), "5");
  EXPECT_TRUE(absl::StrContains(down.body, "暂时无法访问"));
  HttpResponse api = Get("/api/v1/articles/tripartite-meeting");
  EXPECT_EQ(api.status, 503);
  EXPECT_TRUE(absl::StrContains(api.body, "\"code\":\"UNAVAILABLE\""));
}

TEST_F(SiteTest, StalePagesAreServedAtOnceAndRefreshedInTheBackground) {
  options_.fresh = absl::ZeroDuration();
  Reset();
  ASSERT_TRUE(
      absl::StrContains(Get("/en/articles/tripartite-meeting").body, "The Tripartite Meeting"));
  backend_.PutArticle(SampleArticle("a1", "tripartite-meeting", "Renamed Meeting", "cat-news"));
  // Stale: the old copy answers at once, a refresh renders the new one.
  EXPECT_TRUE(
      absl::StrContains(Get("/en/articles/tripartite-meeting").body, "The Tripartite Meeting"));
  EXPECT_TRUE(WaitUntil(
      [&] {
        return absl::StrContains(Get("/en/articles/tripartite-meeting").body, "Renamed Meeting");
      },
      absl::Seconds(5)));
  // A 404 without keys (nothing could invalidate it) is not cached.
  HttpResponse missing = Get("/api/v1/articles/later");
  EXPECT_EQ(missing.status, 404);
  backend_.PutArticle(SampleArticle("a9", "later", "Later", "cat-news"));
  EXPECT_EQ(Get("/api/v1/articles/later").status, 200);
}

TEST_F(SiteTest, EventKeysInvalidateEveryPageShowingTheArticle) {
  ASSERT_TRUE(
      absl::StrContains(Get("/en/articles/tripartite-meeting").body, "The Tripartite Meeting"));
  ASSERT_TRUE(absl::StrContains(Get("/en/").body, "The Tripartite Meeting"));
  backend_.PutArticle(SampleArticle("a1", "tripartite-meeting", "Renamed Meeting", "cat-news"));
  EXPECT_TRUE(
      absl::StrContains(Get("/en/articles/tripartite-meeting").body, "The Tripartite Meeting"));
  events::v1::ArticleEvent event;
  event.set_type(events::v1::ARTICLE_EVENT_TYPE_UPDATED);
  event.mutable_article()->set_id("a1");
  event.mutable_article()->set_slug("tripartite-meeting");
  event.mutable_article()->set_category_id("cat-news");
  cache_.Invalidate(KeysOf(event));
  EXPECT_TRUE(absl::StrContains(Get("/en/articles/tripartite-meeting").body, "Renamed Meeting"));
  EXPECT_TRUE(absl::StrContains(Get("/en/").body, "Renamed Meeting"));
}

TEST_F(SiteTest, BeaconCountsOncePerVisitorAndSetsTheCookie) {
  std::string token = TokenOf(Get("/en/articles/tripartite-meeting").body);
  HttpResponse first =
      Call("POST", "/api/v1/views", {}, "{\"token\":\"" + token + "\",\"locale\":\"en\"}");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_TRUE(absl::StrContains(first.body, "\"counted\":true"));
  EXPECT_TRUE(absl::StrContains(first.body, "\"views\":\"790\""));
  std::string cookie = Header(first, "Set-Cookie");
  ASSERT_TRUE(absl::StartsWith(cookie, "bulletin_vid=")) << cookie;
  EXPECT_TRUE(absl::StrContains(cookie, "HttpOnly"));
  EXPECT_TRUE(absl::StrContains(cookie, "Secure"));  // the public URL is https
  cookie = cookie.substr(0, cookie.find(';'));
  HttpResponse reload =
      Call("POST", "/api/v1/views", {{"cookie", cookie}}, "{\"token\":\"" + token + "\"}");
  EXPECT_TRUE(absl::StrContains(reload.body, "\"counted\":false"));
  EXPECT_TRUE(absl::StrContains(reload.body, "\"views\":\"790\""));
  EXPECT_FALSE(reload.Get("Set-Cookie").has_value());
  ASSERT_EQ(backend_.recorded().size(), 2u);
  EXPECT_EQ(backend_.recorded()[0].article_id(), "a1");
  EXPECT_EQ(backend_.recorded()[0].locale(), "en");
  HttpResponse pixel = Get("/api/v1/views/pixel?token=" + token + "&locale=en");
  EXPECT_EQ(pixel.status, 200);
  EXPECT_EQ(Header(pixel, "Content-Type"), "image/gif");
  EXPECT_EQ(Header(pixel, "Cache-Control"), "no-store");
}

TEST_F(SiteTest, GlobalPrivacyControlMeansNoCookie) {
  std::string token = TokenOf(Get("/en/articles/tripartite-meeting").body);
  HttpResponse r = Call("POST", "/api/v1/views", {{"sec-gpc", "1"}, {"user-agent", "UA/1"}},
                        "{\"token\":\"" + token + "\"}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(r.Get("Set-Cookie").has_value());
  ASSERT_EQ(backend_.recorded().size(), 1u);
  EXPECT_EQ(backend_.recorded()[0].visitor_id(), "");
  EXPECT_EQ(backend_.recorded()[0].client_ip(), "192.0.2.7");
  EXPECT_EQ(backend_.recorded()[0].user_agent(), "UA/1");
}

TEST(ClientIpTest, ForwardedForIsBelievedOnlyFromTrustedProxies) {
  HttpRequest r;
  r.peer_ip = "10.0.0.5";
  r.headers = {{"x-forwarded-for", "198.51.100.9, 203.0.113.4, 10.0.0.6"}};
  EXPECT_EQ(ClientIp(r, {}), "10.0.0.5");
  EXPECT_EQ(ClientIp(r, {"10.0.0.5"}), "10.0.0.6");
  EXPECT_EQ(ClientIp(r, {"10.0.0.5", "10.0.0.6"}), "203.0.113.4");
  r.peer_ip = "192.0.2.1";  // not a proxy: its header is whatever the client wrote
  EXPECT_EQ(ClientIp(r, {"10.0.0.5", "10.0.0.6"}), "192.0.2.1");
}

TEST_F(SiteTest, ForgedOrExpiredTokenCountsNothingAndSaysWhy) {
  std::string token = TokenOf(Get("/en/articles/tripartite-meeting").body);
  token.back() = token.back() == 'A' ? 'B' : 'A';
  HttpResponse forged = Call("POST", "/api/v1/views", {}, "{\"token\":\"" + token + "\"}");
  EXPECT_EQ(forged.status, 400);
  EXPECT_EQ(forged.body,
            "{\"error\":{\"code\":\"INVALID_ARGUMENT\",\"message\":\"token: signature does not "
            "match\",\"field\":\"token\"}}");
  ViewTokens same_key("site-test-key-0123456789", absl::Hours(1));
  std::string old = same_key.Sign("a1", absl::Now() - absl::Hours(2));
  HttpResponse expired = Call("POST", "/api/v1/views", {}, "{\"token\":\"" + old + "\"}");
  EXPECT_EQ(expired.status, 400);
  EXPECT_TRUE(absl::StrContains(expired.body, "token: expired"));
  EXPECT_EQ(Call("POST", "/api/v1/views", {}, "not json").status, 400);
  EXPECT_TRUE(backend_.recorded().empty());
}

TEST_F(SiteTest, JsonApiUsesTheProtobufMappingAndCors) {
  HttpResponse r =
      Get("/api/v1/articles/tripartite-meeting?locale=en", {{"origin", "https://partner.example"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(absl::StartsWith(
      r.body, "{\"id\":\"a1\",\"slug\":\"tripartite-meeting\",\"categoryId\":\"cat-news\""));
  EXPECT_TRUE(absl::StrContains(r.body, "\"returnedLocale\":\"en\""));
  EXPECT_EQ(Header(r, "Access-Control-Allow-Origin"), "https://partner.example");
  EXPECT_FALSE(Header(r, "ETag").empty());
  EXPECT_EQ(
      Get("/api/v1/articles/tripartite-meeting?locale=en", {{"if-none-match", Header(r, "ETag")}})
          .status,
      304);
  HttpResponse other =
      Get("/api/v1/articles/tripartite-meeting?locale=en", {{"origin", "https://evil.example"}});
  EXPECT_FALSE(other.Get("Access-Control-Allow-Origin").has_value());
  HttpResponse preflight =
      Call("OPTIONS", "/api/v1/search", {{"origin", "https://partner.example"}});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_TRUE(absl::StrContains(Header(preflight, "Access-Control-Allow-Methods"), "GET"));
  HttpResponse missing = Get("/api/v1/articles/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(
      absl::StartsWith(missing.body, "{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"slug: "));
  EXPECT_TRUE(absl::StrContains(missing.body, "\"field\":\"slug\""));
  EXPECT_EQ(Get("/api/v1/search?q=volunteer&locale=en").status, 200);
  EXPECT_EQ(Get("/api/v1/categories/news/articles?locale=en").status, 200);
  EXPECT_EQ(Get("/api/v1/articles/tripartite-meeting/related?locale=en").status, 200);
  EXPECT_EQ(Get("/api/v1/stats?article_ids=a1").status, 200);
  EXPECT_EQ(Get("/api/v1/unknown").status, 404);
}

TEST_F(SiteTest, ListPagesRender) {
  HttpResponse home = Get("/zh-CN/");
  ASSERT_EQ(home.status, 200);
  EXPECT_TRUE(absl::StrContains(home.body, "最新消息"));
  HttpResponse category = Get("/en/categories/news");
  ASSERT_EQ(category.status, 200);
  EXPECT_TRUE(absl::StrContains(category.body, "id=\"breadcrumb\""));
  HttpResponse search = Get("/en/search?q=volunteer");
  ASSERT_EQ(search.status, 200);
  EXPECT_TRUE(absl::StrContains(search.body, "about <mark>volunteer</mark> &lt;b&gt;"));
  HttpResponse stats = Get("/en/stats");
  ASSERT_EQ(stats.status, 200);
  EXPECT_TRUE(absl::StrContains(stats.body, "<svg class=\"views-chart\""));
  EXPECT_EQ(Get("/en").status, 301);
}

}  // namespace
}  // namespace bulletin::web
