// Unit tests of bulletin-web's core: request targets (bad percent-encoding, UTF-8, control
// characters), the reader's locale, view tokens (forged, expired, other key), and the
// response cache (byte bound, LRU, surrogate-key invalidation, stale renders refused).
#include <gtest/gtest.h>

#include "common/testing/status_matchers.h"
#include "services/web/core/locale.h"
#include "services/web/core/response_cache.h"
#include "services/web/core/url.h"
#include "services/web/core/view_token.h"

namespace bulletin::web {
namespace {

using ::bulletin::testing::StatusIs;

TEST(UrlTest, DecodesSegmentsAndQuery) {
  ASSERT_OK_AND_ASSIGN(ParsedTarget t,
                       ParseTarget("/zh-CN/search?q=%E5%BF%97%E6%84%BF+x&page_token=a%2Bb"));
  EXPECT_EQ(t.segments, (std::vector<std::string>{"zh-CN", "search"}));
  EXPECT_EQ(t.query["q"], "志愿 x");
  EXPECT_EQ(t.query["page_token"], "a+b");
  ASSERT_OK_AND_ASSIGN(ParsedTarget root, ParseTarget("/"));
  EXPECT_TRUE(root.segments.empty());
  EXPECT_TRUE(root.trailing_slash);
}

TEST(UrlTest, RefusesBadEncoding) {
  EXPECT_THAT(ParseTarget("/en/%zz").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "percent"));
  EXPECT_THAT(ParseTarget("/en/%4").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "percent"));
  EXPECT_THAT(ParseTarget("/en/%ff%fe").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "UTF-8"));
  EXPECT_THAT(ParseTarget("/en/a%00b").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "control"));
  EXPECT_THAT(ParseTarget("/en/search?q=%C3").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "query parameter q"));
  EXPECT_THAT(ParseTarget("http://x/").status(), StatusIs(absl::StatusCode::kInvalidArgument));
  std::string many = "/en/?";
  for (int i = 0; i < 40; ++i) many += "p" + std::to_string(i) + "=1&";
  EXPECT_THAT(ParseTarget(many).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "parameters"));
}

TEST(LocaleTest, CookieThenAcceptLanguageThenDefault) {
  EXPECT_EQ(PreferredLocale("zh-CN,zh;q=0.9,en;q=0.8", std::nullopt), "zh-CN");
  EXPECT_EQ(PreferredLocale("fr, en;q=0.5, zh;q=0.4", std::nullopt), "en");
  EXPECT_EQ(PreferredLocale("zh-TW", std::nullopt), "zh-CN");
  EXPECT_EQ(PreferredLocale("fr", std::nullopt), "en");
  EXPECT_EQ(PreferredLocale(std::nullopt, std::nullopt), "en");
  EXPECT_EQ(PreferredLocale("en", "a=b; bulletin_lang=zh-CN"), "zh-CN");
  EXPECT_EQ(PreferredLocale("zh", "bulletin_lang=xx"), "zh-CN");
  EXPECT_EQ(std::string(LabelsFor("zh-CN").visitors), "访问量");
  EXPECT_EQ(std::string(LabelsFor("en").related), "Related News");
}

TEST(ViewTokenTest, SignedTokenVerifiesToItsArticle) {
  ViewTokens tokens("0123456789abcdef-key", absl::Hours(1));
  absl::Time now = absl::FromUnixSeconds(1800000000);
  std::string token = tokens.Sign("article-1", now);
  ASSERT_OK_AND_ASSIGN(std::string id, tokens.Verify(token, now + absl::Minutes(59)));
  EXPECT_EQ(id, "article-1");
  ASSERT_OK(tokens.Verify(token, now).status());
}

TEST(ViewTokenTest, ForgedExpiredAndMalformedCountNothing) {
  ViewTokens tokens("0123456789abcdef-key", absl::Hours(1));
  ViewTokens other("another-key-0123456789", absl::Hours(1));
  absl::Time now = absl::FromUnixSeconds(1800000000);
  std::string token = tokens.Sign("article-1", now);
  // Another article id with the same signature.
  std::string forged = "article-2" + token.substr(std::string("article-1").size());
  EXPECT_THAT(tokens.Verify(forged, now).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "signature"));
  EXPECT_THAT(tokens.Verify(other.Sign("article-1", now), now).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "signature"));
  // A later time with the old signature.
  std::string moved = "article-1." + std::to_string(absl::ToUnixSeconds(now) + 3000) +
                      token.substr(token.rfind('.'));
  EXPECT_THAT(tokens.Verify(moved, now).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "signature"));
  EXPECT_THAT(tokens.Verify(token, now + absl::Minutes(61)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "expired"));
  EXPECT_THAT(tokens.Verify(token, now - absl::Minutes(5)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "future"));
  for (const char* bad : {"", "a.b", "a.1.x.y", "<script>.1.abc", "a.notanumber.abc"}) {
    EXPECT_THAT(tokens.Verify(bad, now).status(),
                StatusIs(absl::StatusCode::kInvalidArgument, "malformed"))
        << bad;
  }
  EXPECT_THAT(tokens.Verify(std::string(500, 'a'), now).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "malformed"));
}

std::shared_ptr<CachedResponse> Entry(size_t body_bytes, std::vector<std::string> keys) {
  auto e = std::make_shared<CachedResponse>();
  e->body.assign(body_bytes, 'x');
  e->keys = std::move(keys);
  return e;
}

TEST(ResponseCacheTest, StaysWithinItsByteBoundEvictingLeastRecentlyUsed) {
  ResponseCache cache(1 << 20);
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(cache.Put("k" + std::to_string(i), Entry(50000, {"lists"}), cache.generation()));
    if (i >= 2) {
      ASSERT_NE(cache.Get("k0"), nullptr) << i;  // k0 used: stays
    }
    EXPECT_LE(cache.bytes(), cache.max_bytes());
  }
  EXPECT_NE(cache.Get("k0"), nullptr);
  EXPECT_EQ(cache.Get("k1"), nullptr);  // least recently used went first
  EXPECT_NE(cache.Get("k99"), nullptr);
  EXPECT_LT(cache.entries(), 21u);
  // An entry over an eighth of the bound is not stored at all.
  EXPECT_FALSE(cache.Put("huge", Entry(200000, {}), cache.generation()));
  EXPECT_EQ(cache.Get("huge"), nullptr);
}

TEST(ResponseCacheTest, InvalidateDropsEveryEntryWithTheKey) {
  ResponseCache cache(1 << 20);
  cache.Put("/en/articles/a", Entry(10, {"a:1", "c:news"}), cache.generation());
  cache.Put("/en/", Entry(10, {"lists", "a:1"}), cache.generation());
  cache.Put("/en/articles/b", Entry(10, {"a:2"}), cache.generation());
  EXPECT_EQ(cache.Invalidate({"a:1"}), 2u);
  EXPECT_EQ(cache.Get("/en/articles/a"), nullptr);
  EXPECT_EQ(cache.Get("/en/"), nullptr);
  EXPECT_NE(cache.Get("/en/articles/b"), nullptr);
  EXPECT_EQ(cache.Invalidate({"nothing"}), 0u);
  const size_t bytes = cache.bytes();
  EXPECT_EQ(cache.Invalidate({"a:2"}), 1u);
  EXPECT_LT(cache.bytes(), bytes);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(ResponseCacheTest, ClearDropsEverythingAndRefusesRendersBeforeIt) {
  ResponseCache cache(1 << 20);
  cache.Put("/a", Entry(10, {"a:1"}), cache.generation());
  cache.Put("/b", Entry(10, {}), cache.generation());
  uint64_t generation = cache.generation();
  EXPECT_EQ(cache.Clear(), 2u);
  EXPECT_EQ(cache.entries(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
  EXPECT_FALSE(cache.Put("/a", Entry(10, {"a:1"}), generation));
}

TEST(ResponseCacheTest, RenderStartedBeforeAnInvalidationIsNotStored) {
  ResponseCache cache(1 << 20);
  uint64_t generation = cache.generation();  // a render reads upstream ...
  cache.Invalidate({"a:1"});                 // ... an event arrives ...
  EXPECT_FALSE(cache.Put("/en/articles/a", Entry(10, {"a:1"}), generation));  // ... stale
  EXPECT_EQ(cache.Get("/en/articles/a"), nullptr);
  EXPECT_TRUE(cache.Put("/en/articles/a", Entry(10, {"a:1"}), cache.generation()));
}

}  // namespace
}  // namespace bulletin::web
