// Tests of ContentCore on each store backend (store_backend.h): creation, reads with
// locale fallback, slugs, idempotency, publishing through the outbox, optimistic
// concurrency, validation and visibility.
#include "services/content/core/content_core.h"

#include <gtest/gtest.h>

#include <functional>

#include "absl/strings/match.h"
#include "bulletin/events/v1/events.pb.h"
#include "services/content/seed_demo.h"
#include "services/content/tests/content_fixture.h"

namespace bulletin::content {
namespace {

class ContentCoreTest : public CoreFixture {
 protected:
  // Without a body unless given (drafts need none).
  static Translation Text(const std::string& title, const std::string& summary = "",
                          const std::string& body = "") {
    return CoreFixture::Text(title, summary, body);
  }

  Article MustCreate(const Article& a, const std::string& request_id = "") {
    return Create(a, request_id);
  }
};

CONTENT_STORE_TEST_SUITE(ContentCoreTest);

TEST_P(ContentCoreTest, CategoryTreeGivesAncestorsRootFirst) {
  Category home;
  home.slug = "home";
  home.default_locale = "en";
  home.translations["en"].name = "Home";
  home.translations["zh-cn"].name = "首页";
  auto h = core_->CreateCategory(kEditor, home, "");
  ASSERT_OK(h);
  EXPECT_EQ(h->translations.count("zh-CN"), 1u);
  Category news = home;
  news.slug = "news";
  news.parent_id = h->id;
  auto n = core_->CreateCategory(kEditor, news, "");
  ASSERT_OK(n);

  auto read = core_->GetCategory("", "news");
  ASSERT_OK(read);
  ASSERT_EQ(read->ancestors.size(), 1u);
  EXPECT_EQ(read->ancestors[0].slug, "home");
  EXPECT_THAT(core_->CreateCategory(kEditor, news, ""), StatusIs(absl::StatusCode::kAlreadyExists));
  news.slug = "orphan";
  news.parent_id = "no-such-category";
  EXPECT_THAT(core_->CreateCategory(kEditor, news, ""),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(core_->GetCategory("missing", ""), StatusIs(absl::StatusCode::kNotFound));
}

TEST_P(ContentCoreTest, CreateArticleNormalisesLocalesAndStartsAsDraft) {
  Article in = Bilingual("Hello World");
  in.translations["zh-cn"] = in.translations["zh-CN"];
  in.translations.erase("zh-CN");
  in.default_locale = "EN";
  in.tags = {" Volunteers ", "volunteers", "UN"};
  Article a = MustCreate(in);
  EXPECT_EQ(a.state, ArticleState::kDraft);
  EXPECT_EQ(a.revision, 1);
  EXPECT_FALSE(a.etag.empty());
  EXPECT_EQ(a.default_locale, "en");
  EXPECT_EQ(a.translations.count("zh-CN"), 1u);
  EXPECT_EQ(a.tags, (std::vector<std::string>{"volunteers", "un"}));
  EXPECT_EQ(a.slug, "hello-world");
}

TEST_P(ContentCoreTest, DraftsAreHiddenFromAnonymousAndFrontendButVisibleToEditors) {
  Article a = MustCreate(Bilingual("Secret draft"));
  ArticleQuery q;
  q.id = a.id;
  EXPECT_THAT(core_->GetArticle(kAnonymous, q), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(core_->GetArticle(kFrontend, q), StatusIs(absl::StatusCode::kNotFound));
  auto read = core_->GetArticle(kEditor, q);
  ASSERT_OK(read);
  EXPECT_TRUE(read->published_locales.empty());
  ASSERT_OK(core_->PublishArticle(kEditor, {a.id, "", std::nullopt}));
  EXPECT_OK(core_->GetArticle(kAnonymous, q));
}

TEST_P(ContentCoreTest, LocaleFallbackExactThenPrimaryLanguageThenDefault) {
  Article a = MustCreate(Bilingual("Fallback"));
  ASSERT_OK(core_->PublishArticle(kEditor, {a.id, "", std::nullopt}));
  auto read_in = [&](const std::string& locale) {
    ArticleQuery q;
    q.slug = a.slug;
    q.locale = locale;
    auto r = core_->GetArticle(kAnonymous, q);
    EXPECT_OK(r);
    EXPECT_EQ(r->article.translations.size(), 1u);
    EXPECT_EQ(r->article.translations.count(r->returned_locale), 1u);
    return r->returned_locale;
  };
  EXPECT_EQ(read_in("zh-cn"), "zh-CN");
  EXPECT_EQ(read_in("zh"), "zh-CN");
  EXPECT_EQ(read_in("zh-TW"), "zh-CN");
  EXPECT_EQ(read_in("en-GB"), "en");
  EXPECT_EQ(read_in("fr"), "en");

  ArticleQuery all;
  all.id = a.id;
  auto r = core_->GetArticle(kAnonymous, all);
  ASSERT_OK(r);
  EXPECT_EQ(r->article.translations.size(), 2u);
  EXPECT_TRUE(r->returned_locale.empty());
  ASSERT_EQ(r->published_locales.size(), 2u);
  EXPECT_EQ(r->published_locales[0].locale, "en");
  EXPECT_EQ(r->published_locales[1].locale, "zh-CN");
  EXPECT_EQ(r->published_locales[1].slug, "fallback");
  EXPECT_EQ(r->published_locales[1].title, "中文标题");
  EXPECT_EQ(r->published_locales[1].canonical_url,
            "https://news.example.org/zh-CN/articles/fallback");
}

TEST_P(ContentCoreTest, SlugsAreDerivedUniqueAndChineseTitlesGetOne) {
  EXPECT_EQ(MustCreate(Bilingual("Volunteers' Day: 2018!")).slug, "volunteers-day-2018");
  EXPECT_EQ(MustCreate(Bilingual("Volunteers' Day: 2018!")).slug, "volunteers-day-2018-2");

  Article zh;
  zh.default_locale = "zh-CN";
  zh.translations["zh-CN"] = Text("志愿服务合作项目三方会议召开");
  Article created = MustCreate(zh);
  EXPECT_TRUE(absl::StartsWith(created.slug, "article-")) << created.slug;
  EXPECT_EQ(created.slug.size(), std::string("article-").size() + 8);

  Article given = Bilingual("Other");
  given.slug = "volunteers-day-2018";
  EXPECT_THAT(core_->CreateArticle(kEditor, given, ""), StatusIs(absl::StatusCode::kAlreadyExists));
  given.slug = "";
  given.translations["zh-CN"].slug = "volunteers-day-2018-2";
  auto clash = core_->CreateArticle(kEditor, given, "");
  EXPECT_THAT(clash, StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_TRUE(absl::StrContains(clash.status().message(), "article.translations[zh-CN].slug"))
      << clash.status();

  ArticleQuery by_translation_slug;
  by_translation_slug.slug = "volunteers-day-2018";
  EXPECT_OK(core_->GetArticle(kEditor, by_translation_slug));
}

TEST_P(ContentCoreTest, RepeatedRequestIdReturnsTheFirstArticle) {
  Article first = MustCreate(Bilingual("Once"), "req-1");
  Article again = MustCreate(Bilingual("Something else"), "req-1");
  EXPECT_EQ(again.id, first.id);
  EXPECT_EQ(again.slug, "once");
  EXPECT_NE(MustCreate(Bilingual("Once"), "req-2").id, first.id);
  // The window is 24 hours.
  now_ += absl::Hours(25);
  EXPECT_NE(MustCreate(Bilingual("Once"), "req-1").id, first.id);
}

TEST_P(ContentCoreTest, PublishWritesExactlyOneOutboxEventWithTheChange) {
  Category news;
  news.slug = "news";
  news.default_locale = "en";
  news.translations["en"].name = "News";
  Category home = news;
  home.slug = "home";
  auto h = core_->CreateCategory(kEditor, home, "");
  ASSERT_OK(h);
  news.parent_id = h->id;
  auto n = core_->CreateCategory(kEditor, news, "");
  ASSERT_OK(n);
  Article in = Bilingual("Published story");
  in.category_id = n->id;
  in.tags = {"un"};
  Article a = MustCreate(in);
  EXPECT_EQ(OutboxRows(), 0);

  now_ += absl::Minutes(5);
  auto published = core_->PublishArticle(kEditor, {a.id, a.etag, std::nullopt});
  ASSERT_OK(published);
  EXPECT_EQ(published->state, ArticleState::kPublished);
  EXPECT_EQ(published->revision, 2);
  EXPECT_EQ(published->publish_time, now_);
  EXPECT_NE(published->etag, a.etag);
  EXPECT_EQ(OutboxRows(), 1);
  EXPECT_EQ(commits_, 1);

  auto pending = outbox().PendingEvents(10);
  ASSERT_OK(pending);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].type, "ARTICLE_EVENT_TYPE_PUBLISHED");
  events::v1::ArticleEvent event;
  ASSERT_TRUE(event.ParseFromString((*pending)[0].payload));
  EXPECT_EQ(event.event_id(), (*pending)[0].event_id);
  EXPECT_EQ(event.type(), events::v1::ARTICLE_EVENT_TYPE_PUBLISHED);
  EXPECT_EQ(event.occur_time().seconds(), absl::ToUnixSeconds(now_));
  const auto& s = event.article();
  EXPECT_EQ(s.id(), a.id);
  EXPECT_EQ(s.revision(), 2);
  EXPECT_EQ(s.category_id(), n->id);
  ASSERT_EQ(s.category_ancestor_ids_size(), 1);
  EXPECT_EQ(s.category_ancestor_ids(0), h->id);
  ASSERT_EQ(s.translations_size(), 2);
  EXPECT_EQ(s.translations(0).locale(), "en");
  EXPECT_EQ(s.translations(1).locale(), "zh-CN");
  EXPECT_EQ(s.canonical_url(), "https://news.example.org/en/articles/published-story");
  EXPECT_EQ(s.tags(0), "un");

  // Publishing again is refused and writes nothing.
  auto again = core_->PublishArticle(kEditor, {a.id, "", std::nullopt});
  EXPECT_THAT(again, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(OutboxRows(), 1);
}

TEST_P(ContentCoreTest, StaleEtagIsAbortedAndChangesNothing) {
  Article a = MustCreate(Bilingual("Contested"));
  auto result = core_->PublishArticle(kEditor, {a.id, "stale-etag", std::nullopt});
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kAborted));
  EXPECT_TRUE(absl::StrContains(result.status().message(), a.etag)) << result.status();
  EXPECT_EQ(std::string(*result.status().GetPayload(kCurrentEtagKey)), a.etag);
  auto stored = articles().GetArticle(a.id);
  ASSERT_OK(stored);
  EXPECT_EQ(stored->state, ArticleState::kDraft);
  EXPECT_EQ(stored->revision, 1);
  EXPECT_EQ(stored->etag, a.etag);
  EXPECT_EQ(OutboxRows(), 0);
}

TEST_P(ContentCoreTest, FuturePublishTimeSchedulesWithoutAnEvent) {
  Article a = MustCreate(Bilingual("Later"));
  auto scheduled = core_->PublishArticle(kEditor, {a.id, "", now_ + absl::Hours(2)});
  ASSERT_OK(scheduled);
  EXPECT_EQ(scheduled->state, ArticleState::kScheduled);
  EXPECT_EQ(OutboxRows(), 0);
  EXPECT_THAT(core_->PublishArticle(kEditor, {a.id, "", now_ + absl::Hours(24 * 400)}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // Back-dated: published at once, showing the old date.
  auto back = core_->PublishArticle(kEditor, {a.id, "", absl::FromUnixSeconds(1517796000)});
  ASSERT_OK(back);
  EXPECT_EQ(back->state, ArticleState::kPublished);
  EXPECT_EQ(back->publish_time, absl::FromUnixSeconds(1517796000));
  EXPECT_EQ(OutboxRows(), 1);
}

TEST_P(ContentCoreTest, WritesNeedAnEditorToken) {
  EXPECT_THAT(core_->CreateArticle(kAnonymous, Bilingual("x"), ""),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(core_->CreateArticle(kFrontend, Bilingual("x"), ""),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(core_->PublishArticle(kAnonymous, {"some-id", "", std::nullopt}),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_OK(core_->CreateArticle(Principal{Role::kAdmin, ""}, Bilingual("x"), ""));
}

TEST_P(ContentCoreTest, BadInputIsInvalidArgumentNamingTheField) {
  struct Case {
    std::function<void(Article&)> mutate;
    std::string field;
  };
  std::vector<Case> cases = {
      {[](Article& a) { a.translations.clear(); }, "article.translations:"},
      {[](Article& a) { a.translations["en"].title = ""; }, "article.translations[en].title:"},
      {[](Article& a) { a.translations["zh-CN"].title = std::string(201, 'x'); },
       "article.translations[zh-CN].title:"},
      {[](Article& a) { a.translations["en"].summary = std::string(1001, 'x'); },
       "article.translations[en].summary:"},
      {[](Article& a) { a.translations["en"].cover_image_url = "javascript:alert(1)"; },
       "article.translations[en].cover_image_url:"},
      {[](Article& a) { a.translations["not a tag!"] = Text("t"); },
       "article.translations[not a tag!]:"},
      {[](Article& a) { a.translations["EN"] = Text("t"); }, "article.translations[en]:"},
      {[](Article& a) { a.default_locale = ""; }, "article.default_locale:"},
      {[](Article& a) { a.default_locale = "fr"; }, "article.default_locale:"},
      {[](Article& a) { a.slug = "Bad Slug"; }, "article.slug:"},
      {[](Article& a) { a.slug = "double--dash"; }, "article.slug:"},
      {[](Article& a) { a.category_id = "bad id!"; }, "article.category_id:"},
      {[](Article& a) { a.tags = std::vector<std::string>(21, "t"); }, "article.tags:"},
      {[](Article& a) {
         a.tags = {"ok", "  "};
       },
       "article.tags[1]:"},
  };
  for (const Case& c : cases) {
    Article a = Bilingual("Valid");
    c.mutate(a);
    auto r = core_->CreateArticle(kEditor, a, "");
    EXPECT_THAT(r, StatusIs(absl::StatusCode::kInvalidArgument)) << c.field;
    EXPECT_TRUE(absl::StartsWith(r.status().message(), c.field))
        << r.status() << " should name " << c.field;
  }
  EXPECT_TRUE(absl::StartsWith(
      core_->CreateArticle(kEditor, Bilingual("v"), "bad request id").status().message(),
      "request_id:"));
  ArticleQuery q;
  EXPECT_TRUE(absl::StartsWith(core_->GetArticle(kAnonymous, q).status().message(), "id:"));
  q.slug = "ok";
  q.locale = "x";
  EXPECT_TRUE(absl::StartsWith(core_->GetArticle(kAnonymous, q).status().message(), "locale:"));
  EXPECT_TRUE(absl::StartsWith(
      core_->PublishArticle(kEditor, {"bad id", "", std::nullopt}).status().message(), "id:"));
  Category cat;
  cat.slug = "c";
  cat.default_locale = "en";
  cat.translations["en"].name = "";
  EXPECT_TRUE(absl::StartsWith(core_->CreateCategory(kEditor, cat, "").status().message(),
                               "category.translations[en].name:"));
  // Nothing was stored by any of the refused calls.
  EXPECT_THAT(core_->GetCategory("", "c"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(OutboxRows(), 0);
}

TEST_P(ContentCoreTest, SeedDemoIsIdempotent) {
  auto first = SeedDemo(*core_, articles());
  ASSERT_OK(first);
  EXPECT_EQ(first->state, ArticleState::kPublished);
  EXPECT_EQ(first->slug, kDemoArticleSlug);
  auto second = SeedDemo(*core_, articles());
  ASSERT_OK(second);
  EXPECT_EQ(second->id, first->id);
  EXPECT_EQ(second->revision, first->revision);
  EXPECT_EQ(OutboxRows(), 1);
  auto news = core_->GetCategory("", "news");
  ASSERT_OK(news);
  ASSERT_EQ(news->ancestors.size(), 1u);
  EXPECT_EQ(news->ancestors[0].translations.at("zh-CN").name, "首页");
  EXPECT_EQ(absl::FormatTime("%Y-%m-%d", *first->publish_time, absl::UTCTimeZone()), "2018-02-05");
}

}  // namespace
}  // namespace bulletin::content
