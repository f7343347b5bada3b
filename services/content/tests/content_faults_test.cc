// Error paths of the core (and the relay) when the store fails: FaultyArticleStore over the
// memory fake fails chosen calls with UNAVAILABLE. Every operation then ends OK (served from
// the cache, or not needing that call) or UNAVAILABLE, never INTERNAL or another code; a
// failed write changes nothing; published articles keep being served from the cache.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "common/redis/redis_client.h"
#include "common/testing/status_matchers.h"
#include "services/content/core/content_core.h"
#include "services/content/core/scheduler.h"
#include "services/content/events/outbox_relay.h"
#include "services/content/store/memory/faulty_article_store.h"
#include "services/content/store/memory/memory_article_store.h"

namespace bulletin::content {

// The name of a StoreCall in gtest's messages (found by argument-dependent lookup).
void PrintTo(StoreCall call, std::ostream* os) { *os << StoreCallName(call); }

namespace {

using ::bulletin::testing::IsOk;
using ::bulletin::testing::StatusIs;
using ::testing::AnyOf;

const Caller kEditor = Principal{Role::kEditor, ""};
const Caller kAdmin = Principal{Role::kAdmin, ""};
const Caller kAnonymous = std::nullopt;

// Every method of ArticleStore (the core's store; OutboxStore is the relay's).
constexpr StoreCall kArticleStoreCalls[] = {
    StoreCall::kCreateCategory,       StoreCall::kGetCategory,       StoreCall::kGetCategoryBySlug,
    StoreCall::kGetCategoryAncestors, StoreCall::kListCategories,    StoreCall::kCategorySubtree,
    StoreCall::kUpdateCategory,       StoreCall::kDeleteCategory,    StoreCall::kCreateArticle,
    StoreCall::kGetArticle,           StoreCall::kGetArticleBySlug,  StoreCall::kUpdateArticle,
    StoreCall::kListArticles,         StoreCall::kCountArticles,     StoreCall::kListRevisions,
    StoreCall::kDueScheduledArticles, StoreCall::kNextScheduledTime, StoreCall::kSearch,
    StoreCall::kRelatedCandidates,
};

class ContentFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ContentOptions options;
    options.clock = [this] { return now_; };
    core_ = std::make_unique<ContentCore>(faulty_, options);
    root_ = MustCategory("root", "");
    news_ = MustCategory("news", root_.id);
    empty_ = MustCategory("empty", root_.id);
    published_ = MustPublish(MustCreate("Volunteer service meeting", news_.id));
    second_ = MustPublish(MustCreate("Volunteer awards", news_.id));
    draft_ = MustCreate("Draft story", news_.id);
    to_publish_ = MustCreate("Ready to go", news_.id);
    to_archive_ = MustCreate("Old story", news_.id);
    to_delete_ = MustCreate("Mistake", news_.id);
    scheduled_ = MustCreate("Later story", news_.id);
    EXPECT_OK(core_->PublishArticle(kEditor, {scheduled_.id, "", now_ + absl::Minutes(1)}));
    now_ += absl::Minutes(2);  // the scheduled article is due
  }

  Category MustCategory(const std::string& slug, const std::string& parent_id) {
    Category c;
    c.slug = slug;
    c.parent_id = parent_id;
    c.default_locale = "en";
    c.translations["en"].name = slug;
    absl::StatusOr<Category> created = core_->CreateCategory(kEditor, c, "");
    EXPECT_OK(created);
    return created.value_or(Category{});
  }

  Article MustCreate(const std::string& title, const std::string& category_id) {
    Article a;
    a.default_locale = "en";
    a.category_id = category_id;
    a.tags = {"volunteers"};
    a.translations["en"].title = title;
    a.translations["en"].body = "<p>About volunteer service.</p>";
    absl::StatusOr<Article> created = core_->CreateArticle(kEditor, a, "");
    EXPECT_OK(created);
    return created.value_or(Article{});
  }

  Article MustPublish(const Article& a) {
    absl::StatusOr<Article> published = core_->PublishArticle(kEditor, {a.id, "", std::nullopt});
    EXPECT_OK(published);
    return published.value_or(Article{});
  }

  // One call of every core operation, each of which succeeds on a healthy store.
  std::vector<std::pair<std::string, std::function<absl::Status()>>> Operations() {
    auto status = [](const auto& result) { return result.status(); };
    return {
        {"CreateCategory",
         [&] {
           Category c;
           c.slug = "sports";
           c.default_locale = "en";
           c.translations["en"].name = "Sports";
           return status(core_->CreateCategory(kEditor, c, "request-1"));
         }},
        {"GetCategory", [&] { return status(core_->GetCategory(news_.id, "")); }},
        {"GetCategoryBySlug", [&] { return status(core_->GetCategory("", "news")); }},
        {"ListCategories", [&] { return status(core_->ListCategories({})); }},
        {"UpdateCategory",
         [&] {
           CategoryUpdate u;
           u.category.id = news_.id;
           u.category.translations["en"].name = "All the news";
           u.paths = {"translations.en.name"};
           return status(core_->UpdateCategory(kEditor, u));
         }},
        {"DeleteCategory", [&] { return core_->DeleteCategory(kAdmin, empty_.id, ""); }},
        {"CreateArticle", [&] { return MustCreateStatus(); }},
        {"GetDraft",
         [&] {
           ArticleQuery q;
           q.id = draft_.id;
           return status(core_->GetArticle(kEditor, q));
         }},
        {"GetPublishedBySlug",
         [&] {
           ArticleQuery q;
           q.slug = second_.slug;
           return status(core_->GetArticle(kAnonymous, q));
         }},
        {"UpdateArticle",
         [&] {
           UpdateCommand cmd;
           cmd.article.id = published_.id;
           cmd.article.featured = true;
           cmd.paths = {"featured"};
           return status(core_->UpdateArticle(kEditor, cmd));
         }},
        {"PublishArticle",
         [&] {
           return status(core_->PublishArticle(kEditor, {to_publish_.id, "", std::nullopt}));
         }},
        {"UnpublishArticle",
         [&] {
           return status(core_->UnpublishArticle(kEditor, {second_.id, ""}));
         }},
        {"ArchiveArticle",
         [&] {
           return status(core_->ArchiveArticle(kEditor, {to_archive_.id, ""}));
         }},
        {"DeleteArticle",
         [&] {
           return status(core_->DeleteArticle(kEditor, {to_delete_.id, ""}));
         }},
        {"CreatePreviewToken",
         [&] { return status(core_->CreatePreviewToken(kEditor, draft_.id, absl::Minutes(5))); }},
        {"ListArticles",
         [&] {
           ListArticlesQuery q;
           q.category_id = root_.id;
           q.include_subcategories = true;
           return status(core_->ListArticles(kAnonymous, q));
         }},
        {"ListArticleRevisions",
         [&] {
           return status(core_->ListArticleRevisions(kEditor, {published_.id, 0, "", true}));
         }},
        {"SearchArticles",
         [&] {
           SearchQuery q;
           q.query = "volunteer";
           q.category_id = news_.id;
           return status(core_->SearchArticles(q));
         }},
        {"ListRelatedArticles",
         [&] {
           return status(core_->ListRelatedArticles(kAnonymous, {published_.id, "", 0}));
         }},
        {"PublishDueArticles", [&] { return status(core_->PublishDueArticles()); }},
        {"SchedulerStep",
         [&] {
           SchedulerOptions options;
           options.clock = [this] { return now_; };
           return status(Scheduler(*core_, faulty_, options).RunOnce());
         }},
    };
  }

  absl::Status MustCreateStatus() {
    Article a;
    a.default_locale = "en";
    a.translations["en"].title = "Brand new";
    return core_->CreateArticle(kEditor, a, "request-2").status();
  }

  absl::Time now_ = absl::FromUnixSeconds(1700000000);
  MemoryArticleStore store_;
  FaultyArticleStore faulty_{store_, store_};
  std::unique_ptr<ContentCore> core_;
  Category root_, news_, empty_;
  Article published_, second_, draft_, to_publish_, to_archive_, to_delete_, scheduled_;
};

TEST_F(ContentFaultTest, EveryOperationSucceedsOnAHealthyStore) {
  for (const auto& [name, run] : Operations()) EXPECT_OK(run()) << name;
}

// With one store call failing (the parameter), every operation ends OK or UNAVAILABLE, and
// at least one of those that make the call reports it.
class ContentFaultSweepTest : public ContentFaultTest,
                              public ::testing::WithParamInterface<StoreCall> {};

INSTANTIATE_TEST_SUITE_P(EveryCall, ContentFaultSweepTest, ::testing::ValuesIn(kArticleStoreCalls),
                         [](const ::testing::TestParamInfo<StoreCall>& info) {
                           return std::string(StoreCallName(info.param));
                         });

TEST_P(ContentFaultSweepTest, SurfacesAsUnavailableNeverInternal) {
  faulty_.Fail(GetParam());
  int unavailable = 0;
  for (const auto& [name, run] : Operations()) {
    const absl::Status s = run();
    EXPECT_THAT(s, AnyOf(IsOk(), StatusIs(absl::StatusCode::kUnavailable))) << name;
    unavailable += absl::IsUnavailable(s) ? 1 : 0;
  }
  EXPECT_GT(faulty_.failures(), 0) << "no operation made the call";
  EXPECT_GT(unavailable, 0) << "the call failed but every operation was OK";
}

TEST_F(ContentFaultTest, AFailedWriteChangesNothing) {
  const int64_t events = *store_.CountOutboxEvents();
  faulty_.Fail(StoreCall::kUpdateArticle);
  UpdateCommand cmd;
  cmd.article.id = published_.id;
  cmd.article.translations["en"].title = "Changed";
  cmd.paths = {"translations.en.title"};
  EXPECT_THAT(core_->UpdateArticle(kEditor, cmd), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(core_->PublishArticle(kEditor, {draft_.id, "", std::nullopt}),
              StatusIs(absl::StatusCode::kUnavailable));
  faulty_.Heal();
  ASSERT_OK_AND_ASSIGN(const Article stored, store_.GetArticle(published_.id));
  EXPECT_EQ(stored.revision, published_.revision);
  EXPECT_EQ(stored.translations.at("en").title, "Volunteer service meeting");
  ASSERT_OK_AND_ASSIGN(const Article draft, store_.GetArticle(draft_.id));
  EXPECT_EQ(draft.state, ArticleState::kDraft);
  EXPECT_EQ(*store_.CountOutboxEvents(), events);
  // Once the store is back the same write goes through.
  EXPECT_OK(core_->UpdateArticle(kEditor, cmd));
}

TEST_F(ContentFaultTest, PublishedArticlesAreServedFromTheCacheDuringAnOutage) {
  ArticleQuery published;
  published.slug = published_.slug;
  ASSERT_OK(core_->GetArticle(kAnonymous, published));  // now cached
  faulty_.FailAll();
  ASSERT_OK_AND_ASSIGN(const ArticleRead read, core_->GetArticle(kAnonymous, published));
  EXPECT_EQ(read.article.id, published_.id);
  ArticleQuery draft;
  draft.id = draft_.id;
  EXPECT_THAT(core_->GetArticle(kEditor, draft), StatusIs(absl::StatusCode::kUnavailable));
}

// Related articles are scored from what RelatedCandidates returns; only those that can
// make the page are loaded (at 100k articles, loading all ~150 candidates cost more than
// everything else). Here the page's article is cached and the other candidate is not: with
// GetArticle failing, the call succeeds only if that candidate is never loaded.
TEST_F(ContentFaultTest, RelatedArticlesLoadOnlyTheCandidatesThatCanMakeThePage) {
  const Article tag_only = MustPublish(MustCreate("Unrelated words", empty_.id));
  for (const Article* a : {&published_, &second_}) {
    ArticleQuery q;
    q.id = a->id;
    ASSERT_OK(core_->GetArticle(kAnonymous, q));  // now cached
  }
  faulty_.Fail(StoreCall::kGetArticle);
  // second_ shares the tag, the category and the word "volunteer"; tag_only the tag only.
  ASSERT_OK_AND_ASSIGN(std::vector<ArticleRead> related,
                       core_->ListRelatedArticles(kAnonymous, {published_.id, "", 1}));
  ASSERT_EQ(related.size(), 1u);
  EXPECT_EQ(related[0].article.id, second_.id);
  // A second place on the page needs tag_only itself: the outage shows.
  EXPECT_THAT(core_->ListRelatedArticles(kAnonymous, {published_.id, "", 2}),
              StatusIs(absl::StatusCode::kUnavailable));
}

// A search page's articles are read from the store together: when that read fails, the
// search reports it, and the failing store is not asked again for each article.
TEST_F(ContentFaultTest, ASearchPageReadFromAFailingStoreAsksItOnce) {
  SearchQuery q;
  q.query = "volunteer";
  ASSERT_OK_AND_ASSIGN(const SearchPage healthy, core_->SearchArticles(q));
  ASSERT_GE(healthy.results.size(), 2u);
  core_ = std::make_unique<ContentCore>(faulty_, ContentOptions{});  // nothing cached
  faulty_.Fail(StoreCall::kGetArticle);
  EXPECT_THAT(core_->SearchArticles(q), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(faulty_.failures(), 1);
}

TEST_F(ContentFaultTest, TheSchedulerReportsAnOutageAndPublishesOnceTheStoreIsBack) {
  SchedulerOptions options;
  options.clock = [this] { return now_; };
  Scheduler scheduler(*core_, faulty_, options);
  faulty_.Fail(StoreCall::kDueScheduledArticles);
  EXPECT_THAT(scheduler.RunOnce(), StatusIs(absl::StatusCode::kUnavailable));
  faulty_.Heal();
  faulty_.Fail(StoreCall::kUpdateArticle);
  EXPECT_THAT(scheduler.RunOnce(), StatusIs(absl::StatusCode::kUnavailable));
  faulty_.Heal();
  EXPECT_OK(scheduler.RunOnce());
  ASSERT_OK_AND_ASSIGN(const Article published, store_.GetArticle(scheduled_.id));
  EXPECT_EQ(published.state, ArticleState::kPublished);
}

TEST_F(ContentFaultTest, TheRelayReportsAnOutboxOutageBeforeTouchingRedis) {
  // No Redis behind this client: the relay must stop at the failing outbox first.
  RedisOptions redis_options;
  redis_options.port = 1;
  RedisClient redis(redis_options);
  OutboxRelay relay(faulty_, redis, RelayOptions{});
  faulty_.Fail(StoreCall::kLoadRelayRunId);
  EXPECT_THAT(relay.RunOnce(), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(faulty_.failures(), 1);
}

}  // namespace
}  // namespace bulletin::content
