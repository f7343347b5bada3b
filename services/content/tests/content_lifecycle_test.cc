// Tests of ContentCore's write rules on each store backend: HTML sanitising, NFC,
// updates with update_mask and etags, outdated translations, revisions, every state change
// and its outbox event, two writers racing, the scheduler (injected clock), preview tokens
// and the cache.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "absl/strings/match.h"
#include "services/content/core/html_sanitizer.h"
#include "services/content/core/scheduler.h"
#include "services/content/tests/content_fixture.h"

namespace bulletin::content {
namespace {

using ContentLifecycleTest = CoreFixture;
CONTENT_STORE_TEST_SUITE(ContentLifecycleTest);

TEST_P(ContentLifecycleTest, BodyIsSanitisedOnWriteKeepingTheText) {
  Article in = Bilingual("Safe");
  in.translations["en"].body =
      "<p onclick=\"steal()\">Hello <b>world</b><script>alert(1)</script></p>"
      "<img src=x onerror=\"alert(2)\" alt=\"pic\">"
      "<a href=\"javascript:alert(3)\">click me</a>"
      "<a href=\" JaVa\tScRiPt:alert(4)\">again</a>"
      "<a href=\"https://example.org/\" target=\"_blank\">ok link</a>"
      "<iframe src=\"https://evil\"></iframe><style>p{}</style>"
      "<custom-tag>kept text</custom-tag><p style=\"x\" class=\"y\">styled</p>";
  Article a = Create(in);
  const std::string& body = a.translations.at("en").body;
  for (const char* banned : {"<script", "onclick", "onerror", "javascript", "JaVa", "alert(",
                             "<iframe", "<style", "style=", "class="}) {
    EXPECT_FALSE(absl::StrContains(body, banned)) << banned << " in " << body;
  }
  for (const char* kept : {"Hello <b>world</b>", "click me", "again", "kept text", "styled",
                           "alt=\"pic\"", "href=\"https://example.org/\"", "noopener"}) {
    EXPECT_TRUE(absl::StrContains(body, kept)) << kept << " missing from " << body;
  }
  // Stored as sanitised: a second read has the same body.
  auto stored = articles().GetArticle(a.id);
  ASSERT_OK(stored);
  EXPECT_EQ(stored->translations.at("en").body, body);
  EXPECT_EQ(HtmlToText("<p>a &amp; b</p><p>c</p>"), "a & b\nc");
}

TEST_P(ContentLifecycleTest, TextIsNormalisedToNfcAndLimitsNameTheField) {
  Article in = Bilingual("Cafe\xCC\x81 news");  // "e" + combining acute
  in.tags = {"Cafe\xCC\x81"};
  Article a = Create(in);
  EXPECT_EQ(a.translations.at("en").title, "Caf\xC3\xA9 news");  // precomposed é
  EXPECT_EQ(a.tags[0], "caf\xC3\xA9");
  Article bad = Bilingual("x");
  bad.translations["en"].body = std::string(2000001, 'x');
  EXPECT_TRUE(absl::StartsWith(core_->CreateArticle(kEditor, bad, "").status().message(),
                               "article.translations[en].body:"));
  bad = Bilingual("x");
  bad.translations["en"].summary = "\xff\xfe";
  EXPECT_TRUE(absl::StartsWith(core_->CreateArticle(kEditor, bad, "").status().message(),
                               "article.translations[en].summary: not valid UTF-8"));
  bad = Bilingual("x");
  bad.tags = {std::string(51, 't')};
  EXPECT_TRUE(absl::StartsWith(core_->CreateArticle(kEditor, bad, "").status().message(),
                               "article.tags[0]:"));
}

TEST_P(ContentLifecycleTest, UpdateAppliesTheMaskChecksTheEtagAndKeepsRevisions) {
  Article a = Create(Bilingual("First"));
  UpdateCommand cmd;
  cmd.article.id = a.id;
  cmd.article.etag = a.etag;
  cmd.article.translations["en"].title = "Second";
  cmd.article.featured = true;
  cmd.article.tags = {"ignored"};  // not in the mask
  cmd.paths = {"translations.`en`.title", "featured"};
  auto updated = core_->UpdateArticle(kEditor, cmd);
  ASSERT_OK(updated);
  EXPECT_EQ(updated->translations.at("en").title, "Second");
  EXPECT_EQ(updated->translations.at("en").summary, "Summary");
  EXPECT_TRUE(updated->featured);
  EXPECT_TRUE(updated->tags.empty());
  EXPECT_EQ(updated->revision, 2);
  EXPECT_NE(updated->etag, a.etag);

  // The same (now stale) etag: ABORTED with the current one, nothing changed.
  auto stale = core_->UpdateArticle(kEditor, cmd);
  EXPECT_THAT(stale, StatusIs(absl::StatusCode::kAborted));
  EXPECT_TRUE(absl::StartsWith(stale.status().message(), "article.etag:"));
  EXPECT_EQ(std::string(*stale.status().GetPayload(kCurrentEtagKey)), updated->etag);
  EXPECT_EQ(articles().GetArticle(a.id)->revision, 2);

  for (auto [paths, field] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{}, "update_mask:"},
           {{"revision"}, "update_mask:"},
           {{"nonsense"}, "update_mask:"},
           {{"translations.en"}, "article.translations:"},  // removes the default locale
           {{"slug"}, "article.slug:"}}) {
    UpdateCommand bad;
    bad.article.id = a.id;
    bad.paths = paths;
    auto r = core_->UpdateArticle(kEditor, bad);
    EXPECT_THAT(r, StatusIs(absl::StatusCode::kInvalidArgument)) << field;
    EXPECT_TRUE(absl::StartsWith(r.status().message(), field)) << r.status();
  }

  auto revisions = core_->ListArticleRevisions(kEditor, {a.id, 0, "", true});
  ASSERT_OK(revisions);
  ASSERT_EQ(revisions->revisions.size(), 2u);
  EXPECT_EQ(revisions->revisions[0].revision, 2);
  EXPECT_EQ(revisions->revisions[0].article.translations.at("en").title, "Second");
  EXPECT_EQ(revisions->revisions[0].changed_fields,
            (std::vector<std::string>{"translations.`en`.title", "featured"}));
  EXPECT_EQ(revisions->revisions[0].author, "editor");
  EXPECT_EQ(revisions->revisions[1].revision, 1);
  EXPECT_EQ(revisions->revisions[1].article.translations.at("en").title, "First");
  EXPECT_TRUE(revisions->revisions[1].article.translations.at("en").body.empty());  // BASIC
  auto page = core_->ListArticleRevisions(kEditor, {a.id, 1, "", false});
  ASSERT_OK(page);
  ASSERT_EQ(page->revisions.size(), 1u);
  auto rest = core_->ListArticleRevisions(kEditor, {a.id, 1, page->next_page_token, false});
  ASSERT_OK(rest);
  ASSERT_EQ(rest->revisions.size(), 1u);
  EXPECT_EQ(rest->revisions[0].revision, 1);
  EXPECT_FALSE(rest->revisions[0].article.translations.at("en").body.empty());  // FULL
  EXPECT_THAT(core_->ListArticleRevisions(kFrontend, {a.id, 0, "", true}),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST_P(ContentLifecycleTest, EditingTheSourceMarksOtherTranslationsOutdated) {
  Article a = Create(Bilingual("Source"));
  UpdateCommand edit_source;
  edit_source.article.id = a.id;
  edit_source.article.translations["en"].body = "<p>New body</p>";
  edit_source.paths = {"translations.en.body"};
  auto r = core_->UpdateArticle(kEditor, edit_source);
  ASSERT_OK(r);
  EXPECT_TRUE(r->translations.at("zh-CN").outdated);
  EXPECT_FALSE(r->translations.at("en").outdated);

  UpdateCommand edit_zh;
  edit_zh.article.id = a.id;
  edit_zh.article.translations["zh-cn"].title = "新标题";
  edit_zh.paths = {"translations.zh-cn.title"};
  r = core_->UpdateArticle(kEditor, edit_zh);
  ASSERT_OK(r);
  EXPECT_FALSE(r->translations.at("zh-CN").outdated);

  // A cover change of the source is not a text change; clearing the flag by hand works.
  edit_source.article.translations["en"].title = "Source again";
  edit_source.paths = {"translations.en.title"};
  ASSERT_TRUE(core_->UpdateArticle(kEditor, edit_source)->translations.at("zh-CN").outdated);
  UpdateCommand clear;
  clear.article.id = a.id;
  clear.article.translations["zh-CN"].outdated = false;
  clear.paths = {"translations.zh-CN.outdated"};
  EXPECT_FALSE(core_->UpdateArticle(kEditor, clear)->translations.at("zh-CN").outdated);
}

TEST_P(ContentLifecycleTest, EveryChangeOfAPublishedArticleWritesItsEvent) {
  Category news = MakeCategory("news");
  Article in = Bilingual("Evented");
  in.category_id = news.id;
  Article a = Publish(Create(in));
  UpdateCommand cmd;
  cmd.article.id = a.id;
  cmd.article.tags = {"new-tag"};
  cmd.paths = {"tags"};
  ASSERT_OK(core_->UpdateArticle(kEditor, cmd));
  ASSERT_OK(core_->UnpublishArticle(kEditor, {a.id, ""}));
  // Changes of a draft emit nothing.
  ASSERT_OK(core_->UpdateArticle(kEditor, cmd));
  Publish(a);
  ASSERT_OK(core_->ArchiveArticle(kEditor, {a.id, ""}));
  EXPECT_THAT(core_->ArchiveArticle(kEditor, {a.id, ""}),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  Publish(a);
  auto deleted = core_->DeleteArticle(kEditor, {a.id, ""});
  ASSERT_OK(deleted);
  EXPECT_TRUE(deleted->delete_time.has_value());
  EXPECT_THAT(core_->DeleteArticle(kEditor, {a.id, ""}), StatusIs(absl::StatusCode::kNotFound));

  std::vector<events::v1::ArticleEventType> types;
  int64_t last_revision = 0;
  for (const auto& e : Events()) {
    types.push_back(e.type());
    EXPECT_GT(e.article().revision(), last_revision);  // ordered per article
    last_revision = e.article().revision();
    EXPECT_EQ(e.article().category_id(), news.id);
  }
  using events::v1::ArticleEventType;
  EXPECT_EQ(
      types,
      (std::vector<ArticleEventType>{
          events::v1::ARTICLE_EVENT_TYPE_PUBLISHED, events::v1::ARTICLE_EVENT_TYPE_UPDATED,
          events::v1::ARTICLE_EVENT_TYPE_UNPUBLISHED, events::v1::ARTICLE_EVENT_TYPE_PUBLISHED,
          events::v1::ARTICLE_EVENT_TYPE_UNPUBLISHED, events::v1::ARTICLE_EVENT_TYPE_PUBLISHED,
          events::v1::ARTICLE_EVENT_TYPE_DELETED}));
  // Deleted: gone from public reads, the slug stays reserved.
  ArticleQuery q;
  q.id = a.id;
  EXPECT_THAT(core_->GetArticle(kEditor, q), StatusIs(absl::StatusCode::kNotFound));
  q.show_deleted = true;
  EXPECT_OK(core_->GetArticle(kEditor, q));
  Article clash = Bilingual("Evented");
  clash.slug = a.slug;
  EXPECT_THAT(core_->CreateArticle(kEditor, clash, ""), StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST_P(ContentLifecycleTest, TwoWritersRacingOnOneArticleExactlyOneWins) {
  Article a = Create(Bilingual("Contested"));
  // A second handle on the same data (with SQLite, a second connection to the file): the
  // race goes through the store's own concurrency control, as between two replicas.
  ASSERT_OK_AND_ASSIGN(ArticleStore * other_store, store_->SecondHandle());
  ContentCore other_core(*other_store, Options());
  ContentCore* cores[2] = {core_.get(), &other_core};
  for (int round = 0; round < 10; ++round) {
    const std::string etag = articles().GetArticle(a.id)->etag;
    std::atomic<int> ready{0};
    absl::Status results[2];
    std::thread writers[2];
    for (int w = 0; w < 2; ++w) {
      writers[w] = std::thread([&, w] {
        UpdateCommand cmd;
        cmd.article.id = a.id;
        cmd.article.etag = etag;
        cmd.article.translations["en"].title = "Writer " + std::to_string(w);
        cmd.paths = {"translations.en.title"};
        ++ready;
        while (ready.load() < 2) {
        }
        results[w] = cores[w]->UpdateArticle(kEditor, cmd).status();
      });
    }
    for (auto& t : writers) t.join();
    const int wins = results[0].ok() + results[1].ok();
    ASSERT_EQ(wins, 1) << results[0] << " / " << results[1];
    const absl::Status& loser = results[0].ok() ? results[1] : results[0];
    EXPECT_THAT(loser, StatusIs(absl::StatusCode::kAborted)) << loser;
    auto stored = articles().GetArticle(a.id);
    EXPECT_EQ(stored->translations.at("en").title, results[0].ok() ? "Writer 0" : "Writer 1");
    EXPECT_EQ(stored->revision, 2 + round);
  }
}

TEST_P(ContentLifecycleTest, SchedulerPublishesOnTimeWithTheEventThen) {
  Article a = Create(Bilingual("Later"));
  const absl::Time due = now_ + absl::Minutes(10);
  auto scheduled = core_->PublishArticle(kEditor, {a.id, "", due});
  ASSERT_OK(scheduled);
  EXPECT_EQ(scheduled->state, ArticleState::kScheduled);
  SchedulerOptions options;
  options.clock = [this] { return now_; };
  Scheduler scheduler(*core_, articles(), options);
  auto wait = scheduler.RunOnce();
  ASSERT_OK(wait);
  EXPECT_EQ(*wait, absl::Seconds(30));  // capped; the next due time is 10 minutes away
  EXPECT_TRUE(Events().empty());
  now_ = due - absl::Seconds(5);
  EXPECT_EQ(*scheduler.RunOnce(), absl::Seconds(5));
  now_ = due;
  ASSERT_OK(scheduler.RunOnce());
  auto stored = articles().GetArticle(a.id);
  EXPECT_EQ(stored->state, ArticleState::kPublished);
  EXPECT_EQ(stored->publish_time, due);
  auto events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type(), events::v1::ARTICLE_EVENT_TYPE_PUBLISHED);
  EXPECT_EQ(events[0].occur_time().seconds(), absl::ToUnixSeconds(due));
  auto revisions = core_->ListArticleRevisions(kEditor, {a.id, 1, "", true});
  EXPECT_EQ(revisions->revisions[0].author, "scheduler");
  // Unpublishing a scheduled article cancels it.
  Article b = Create(Bilingual("Cancelled"));
  ASSERT_OK(core_->PublishArticle(kEditor, {b.id, "", now_ + absl::Hours(1)}));
  ASSERT_OK(core_->UnpublishArticle(kEditor, {b.id, ""}));
  now_ += absl::Hours(2);
  ASSERT_OK(scheduler.RunOnce());
  EXPECT_EQ(articles().GetArticle(b.id)->state, ArticleState::kDraft);
}

TEST_P(ContentLifecycleTest, PreviewTokenReadsOneDraftUntilItExpires) {
  Article draft = Create(Bilingual("Draft"));
  Article other = Create(Bilingual("Other draft"));
  EXPECT_THAT(core_->CreatePreviewToken(kFrontend, draft.id, absl::ZeroDuration()),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_TRUE(absl::StartsWith(
      core_->CreatePreviewToken(kEditor, draft.id, absl::Hours(25)).status().message(), "ttl:"));
  auto grant = core_->CreatePreviewToken(kEditor, draft.id, absl::Minutes(10));
  ASSERT_OK(grant);
  ArticleQuery q;
  q.id = draft.id;
  q.preview_token = grant->token;
  auto read = core_->GetArticle(kAnonymous, q);
  ASSERT_OK(read);
  EXPECT_EQ(read->article.state, ArticleState::kDraft);
  q.id = other.id;
  EXPECT_THAT(core_->GetArticle(kAnonymous, q), StatusIs(absl::StatusCode::kPermissionDenied));
  q.id = draft.id;
  q.preview_token = grant->token + "x";
  EXPECT_THAT(core_->GetArticle(kAnonymous, q), StatusIs(absl::StatusCode::kPermissionDenied));
  q.preview_token = grant->token;
  now_ += absl::Minutes(11);
  EXPECT_THAT(core_->GetArticle(kAnonymous, q), StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST_P(ContentLifecycleTest, CacheServesPublishedArticlesAndIsInvalidatedOnWrite) {
  Article a = Publish(Create(Bilingual("Cached")));
  ArticleQuery q;
  q.slug = a.slug;
  ASSERT_OK(core_->GetArticle(kAnonymous, q));
  EXPECT_EQ(core_->cache().size(), 1u);
  UpdateCommand cmd;
  cmd.article.id = a.id;
  cmd.article.translations["en"].title = "Fresh";
  cmd.paths = {"translations.en.title"};
  ASSERT_OK(core_->UpdateArticle(kEditor, cmd));
  EXPECT_EQ(core_->cache().size(), 0u);
  EXPECT_EQ(core_->GetArticle(kAnonymous, q)->article.translations.at("en").title, "Fresh");
  ASSERT_OK(core_->UnpublishArticle(kEditor, {a.id, ""}));
  EXPECT_THAT(core_->GetArticle(kAnonymous, q), StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace bulletin::content
