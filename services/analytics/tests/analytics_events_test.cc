// events/: the ArticleEvent -> ArticleMeta mapping and the consumer group's handler over
// the in-memory store (unit); the stream itself is read in analytics_redis_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/testing/status_matchers.h"
#include "services/analytics/events/article_events.h"
#include "services/analytics/store/memory/faulty_view_store.h"
#include "services/analytics/store/memory/memory_view_store.h"
#include "services/analytics/tests/analytics_fixture.h"

namespace bulletin::analytics {
namespace {

using ::bulletin::testing::StatusIs;
namespace ev = ::bulletin::events::v1;

StreamEntry EntryOf(uint64_t seq, std::optional<ev::ArticleEvent> event) {
  return {StreamId{1, seq},
          event ? std::make_shared<const ev::ArticleEvent>(*std::move(event)) : nullptr};
}

TEST(ArticleEventsTest, AnEventBecomesTheArticlesMetadata) {
  ev::ArticleEvent e = ArticleEventOf("a1", ev::ARTICLE_EVENT_TYPE_UPDATED, 7, "local",
                                      {"news", "home"}, {"zh-CN", "en"});
  e.mutable_article()->mutable_translations(1)->clear_slug();  // falls back to the article's
  std::optional<ArticleMeta> meta = ArticleMetaOf(e);
  ASSERT_TRUE(meta.has_value());
  EXPECT_EQ(meta->article_id, "a1");
  EXPECT_EQ(meta->revision, 7);
  EXPECT_TRUE(meta->published);
  EXPECT_EQ(meta->categories, (std::vector<std::string>{"local", "news", "home"}));
  EXPECT_EQ(meta->default_locale, "zh-CN");
  ASSERT_EQ(meta->translations.size(), 2u);
  EXPECT_EQ(meta->translations[0].locale, "zh-CN");
  EXPECT_EQ(meta->translations[0].title, "Title a1 (zh-CN)");
  EXPECT_EQ(meta->translations[0].slug, "zh-CN-a1");
  EXPECT_EQ(meta->translations[1].slug, "slug-a1");

  e.mutable_article()->clear_default_locale();
  EXPECT_EQ(ArticleMetaOf(e)->default_locale, "zh-CN") << "else the first translation's";
  for (ev::ArticleEventType gone :
       {ev::ARTICLE_EVENT_TYPE_UNPUBLISHED, ev::ARTICLE_EVENT_TYPE_DELETED}) {
    e.set_type(gone);
    EXPECT_FALSE(ArticleMetaOf(e)->published);
  }
  e.set_type(ev::ARTICLE_EVENT_TYPE_UNSPECIFIED);
  EXPECT_FALSE(ArticleMetaOf(e).has_value()) << "a type analytics does not know";
  e.set_type(ev::ARTICLE_EVENT_TYPE_PUBLISHED);
  e.mutable_article()->clear_id();
  EXPECT_FALSE(ArticleMetaOf(e).has_value()) << "no article id";
}

TEST(ArticleEventsTest, WhatIsStoredFollowsTheTextRules) {
  ev::ArticleEvent e = ArticleEventOf("a1", ev::ARTICLE_EVENT_TYPE_PUBLISHED, 1, "bad category",
                                      {"news"}, {"en", "zh_cn", "not a locale"});
  ev::ArticleSnapshot* a = e.mutable_article();
  a->mutable_translations(0)->set_title("Escape \x1b[31m and bell \a");
  a->mutable_translations(1)->set_title("\xc3\x28 not UTF-8");
  a->mutable_translations(1)->set_slug(std::string(70000, 's'));
  std::optional<ArticleMeta> meta = ArticleMetaOf(e);
  ASSERT_TRUE(meta.has_value());
  EXPECT_EQ(meta->categories, (std::vector<std::string>{"news"})) << "the malformed id left out";
  ASSERT_EQ(meta->translations.size(), 2u) << "the malformed locale left out";
  EXPECT_EQ(meta->translations[0].title, "") << "control characters: stored as unknown";
  EXPECT_EQ(meta->translations[0].slug, "en-a1");
  EXPECT_EQ(meta->translations[1].locale, "zh-CN") << "normalised";
  EXPECT_EQ(meta->translations[1].title, "");
  EXPECT_EQ(meta->translations[1].slug, "");
  a->set_id("a\nb");
  EXPECT_FALSE(ArticleMetaOf(e).has_value()) << "an id that is not an id";
  a->set_id(std::string(70000, 'x'));
  EXPECT_FALSE(ArticleMetaOf(e).has_value());
}

TEST(ArticleEventsTest, TheHandlerStoresEachUsableEventAndStopsAtAStoreError) {
  MemoryViewStore memory;
  FaultyViewStore store(memory);
  ev::ArticleEvent unknown = ArticleEventOf("x", ev::ARTICLE_EVENT_TYPE_UNSPECIFIED, 1);
  EXPECT_OK(ApplyArticleEvents(
      store, {EntryOf(1, std::nullopt), EntryOf(2, unknown),
              EntryOf(3, ArticleEventOf("p", ev::ARTICLE_EVENT_TYPE_PUBLISHED, 1))}));
  ASSERT_OK(memory.Record({{"p", "v:1", "", absl::Now()}}, absl::Now()));
  ASSERT_OK_AND_ASSIGN(
      std::vector<TopEntry> top,
      memory.Top({TopKind::kMostRead, Window::kLastHour, "", "", 10}, absl::Now()));
  ASSERT_EQ(top.size(), 1u) << "undecodable and unknown entries skipped, p stored";

  store.FailNext(StoreCall::kApplyArticle);
  ConsumerGroupReader::Handler handler = ArticleEventsHandler(store);
  EXPECT_THAT(handler({EntryOf(4, ArticleEventOf("p", ev::ARTICLE_EVENT_TYPE_DELETED, 2))}),
              StatusIs(absl::StatusCode::kUnavailable))
      << "the batch stays pending, to be read again";
  EXPECT_OK(handler({EntryOf(4, ArticleEventOf("p", ev::ARTICLE_EVENT_TYPE_DELETED, 2))}));
  ASSERT_OK_AND_ASSIGN(
      top, memory.Top({TopKind::kMostRead, Window::kLastHour, "", "", 10}, absl::Now()));
  EXPECT_TRUE(top.empty());
}

TEST(ArticleEventsTest, TheReaderJoinsTheAnalyticsGroup) {
  ConsumerGroupOptions options = ArticleEventsReaderOptions("replica-1");
  EXPECT_EQ(options.group, "analytics");
  EXPECT_EQ(options.consumer, "replica-1");
  EXPECT_EQ(options.claim_idle, absl::Seconds(60));
}

}  // namespace
}  // namespace bulletin::analytics
