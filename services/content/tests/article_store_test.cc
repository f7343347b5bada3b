// The behavioural contract of ArticleStore and OutboxStore (core/article_store.h), run
// against every backend of the binary (store_backend.h): the memory fake in the unit tier,
// SQLite in the sqlite tier. The core's own tests cover the rules; these pin down what the
// core relies on a store for: one slug namespace, request ids, atomic mutations with their
// revision and outbox event, list order and keyset pages, the category tree, the search
// index and the outbox.
#include "services/content/core/article_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/base/status_macros.h"
#include "common/testing/status_matchers.h"
#include "services/content/core/search_query.h"
#include "services/content/tests/store_backend.h"

namespace bulletin::content {
namespace {

using ::bulletin::testing::StatusIs;

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

// The value of `result`; a failure of the test (and T{}) when it is not OK.
template <typename T>
T Value(absl::StatusOr<T> result) {
  EXPECT_OK(result);
  return std::move(result).value_or(T{});
}

Article MakeArticle(const std::string& id, const std::string& slug, absl::Time created) {
  Article a;
  a.id = id;
  a.slug = slug;
  a.default_locale = "en";
  a.translations["en"].title = "Title of " + id;
  a.translations["en"].body = "<p>Body of " + id + "</p>";
  a.create_time = a.update_time = created;
  a.revision = 1;
  a.etag = "etag-" + id;
  return a;
}

Category MakeCategory(const std::string& id, const std::string& parent_id = "") {
  Category c;
  c.id = id;
  c.slug = "slug-" + id;
  c.parent_id = parent_id;
  c.default_locale = "en";
  c.translations["en"].name = "Name " + id;
  c.create_time = c.update_time = kT0;
  c.etag = "etag-" + id;
  return c;
}

OutboxEvent MakeEvent(const std::string& event_id, const std::string& article_id) {
  OutboxEvent e;
  e.event_id = event_id;
  e.type = "ARTICLE_EVENT_TYPE_UPDATED";
  e.article_id = article_id;
  e.payload = "payload of " + event_id;
  e.create_time = kT0;
  return e;
}

// A mutation that publishes the article at `when` and writes `event` (if any).
ArticleMutation PublishAt(absl::Time when, std::optional<OutboxEvent> event = std::nullopt) {
  return [when, event](Article& a, const AncestorLookup&) -> absl::StatusOr<ArticleChange> {
    a.revision += 1;
    a.state = ArticleState::kPublished;
    a.publish_time = when;
    a.update_time = when;
    return ArticleChange{event, "editor", {"state"}};
  };
}

std::vector<std::string> Ids(const std::vector<Article>& articles) {
  std::vector<std::string> ids;
  for (const Article& a : articles) ids.push_back(a.id);
  return ids;
}

class ContentStoreTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override { ASSERT_OK_AND_ASSIGN(store_, GetParam().open()); }

  ArticleStore& articles() { return store_->articles(); }
  OutboxStore& outbox() { return store_->outbox(); }

  void Create(const Article& a) {
    ASSERT_OK(articles().CreateArticle(a, {"", "editor", false, a.create_time}));
  }
  void Publish(const std::string& id, absl::Time when) {
    ASSERT_OK(articles().UpdateArticle(id, PublishAt(when)));
  }

  std::unique_ptr<StoreUnderTest> store_;
};

CONTENT_STORE_TEST_SUITE(ContentStoreTest);

TEST_P(ContentStoreTest, ArticlesAndTranslationsShareOneSlugNamespace) {
  Article a = MakeArticle("a1", "hello", kT0);
  a.translations["zh-CN"].title = "你好";
  a.translations["zh-CN"].slug = "ni-hao";
  Create(a);
  ASSERT_OK_AND_ASSIGN(const Article by_translation, articles().GetArticleBySlug("ni-hao"));
  EXPECT_EQ(by_translation.id, "a1");
  EXPECT_THAT(
      articles().CreateArticle(MakeArticle("a2", "ni-hao", kT0), {"", "editor", false, kT0}),
      StatusIs(absl::StatusCode::kAlreadyExists, "article.slug"));
  Article clash = MakeArticle("a3", "other", kT0);
  clash.translations["en"].slug = "hello";
  EXPECT_THAT(articles().CreateArticle(clash, {"", "editor", false, kT0}),
              StatusIs(absl::StatusCode::kAlreadyExists, "article.translations[en].slug"));
  // A derived slug takes the next free suffix instead.
  ASSERT_OK_AND_ASSIGN(const Article derived,
                       articles().CreateArticle(MakeArticle("a4", "hello", kT0),
                                                {"", "editor", /*derived_slug=*/true, kT0}));
  EXPECT_EQ(derived.slug, "hello-2");
  EXPECT_THAT(articles().GetArticle("a2"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(articles().GetArticleBySlug("nobody"), StatusIs(absl::StatusCode::kNotFound));
  Article orphan = MakeArticle("a5", "orphan", kT0);
  orphan.category_id = "no-such-category";
  EXPECT_THAT(articles().CreateArticle(orphan, {"", "editor", false, kT0}),
              StatusIs(absl::StatusCode::kFailedPrecondition, "article.category_id"));
  EXPECT_EQ(SuffixedSlug(std::string(100, 'x'), 12), std::string(97, 'x') + "-12");
}

// GetArticles reads several articles at once (a search's page), each as GetArticle reads it;
// an id with no article is left out.
TEST_P(ContentStoreTest, GetArticlesReadsEachExistingArticleWhole) {
  Article a = MakeArticle("g1", "g-one", kT0);
  a.tags = {"tag-b", "tag-a"};
  a.translations["zh-CN"].title = "你好";
  a.translations["zh-CN"].slug = "ni-hao-g1";
  Create(a);
  Create(MakeArticle("g2", "g-two", kT0));
  Publish("g2", kT0 + absl::Seconds(5));
  ASSERT_OK_AND_ASSIGN(std::vector<Article> got, articles().GetArticles({"g2", "nobody", "g1"}));
  std::sort(got.begin(), got.end(), [](const Article& x, const Article& y) { return x.id < y.id; });
  ASSERT_EQ(Ids(got), (std::vector<std::string>{"g1", "g2"}));
  for (const Article& one : got) {
    ASSERT_OK_AND_ASSIGN(const Article want, articles().GetArticle(one.id));
    EXPECT_EQ(one.slug, want.slug);
    EXPECT_EQ(one.state, want.state);
    EXPECT_EQ(one.publish_time, want.publish_time);
    EXPECT_EQ(one.revision, want.revision);
    EXPECT_EQ(one.etag, want.etag);
    EXPECT_EQ(one.tags, want.tags);
    ASSERT_EQ(one.translations.size(), want.translations.size()) << one.id;
    for (const auto& [locale, tr] : want.translations) {
      EXPECT_EQ(one.translations.at(locale).title, tr.title);
      EXPECT_EQ(one.translations.at(locale).body, tr.body);
      EXPECT_EQ(one.translations.at(locale).slug, tr.slug);
    }
  }
  EXPECT_EQ(got[0].tags, (std::vector<std::string>{"tag-b", "tag-a"}));
  EXPECT_EQ(got[1].state, ArticleState::kPublished);
  ASSERT_OK_AND_ASSIGN(got, articles().GetArticles({}));
  EXPECT_TRUE(got.empty());
}

TEST_P(ContentStoreTest, ARequestIdReturnsTheFirstResourceWithinItsWindow) {
  ASSERT_OK_AND_ASSIGN(
      const Article first,
      articles().CreateArticle(MakeArticle("a1", "first", kT0), {"req", "editor", false, kT0}));
  ASSERT_OK_AND_ASSIGN(const Article again,
                       articles().CreateArticle(MakeArticle("a2", "second", kT0),
                                                {"req", "editor", false, kT0 + absl::Hours(1)}));
  EXPECT_EQ(again.id, first.id);
  EXPECT_THAT(articles().GetArticle("a2"), StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(
      const Article later,
      articles().CreateArticle(MakeArticle("a3", "third", kT0),
                               {"req", "editor", false, kT0 + kRequestIdWindow + absl::Hours(1)}));
  EXPECT_EQ(later.id, "a3");
  ASSERT_OK_AND_ASSIGN(const Category c, articles().CreateCategory(MakeCategory("c1"), "req", kT0));
  EXPECT_EQ(c.id, "c1");  // article and category request ids are apart
  ASSERT_OK_AND_ASSIGN(const Category c_again,
                       articles().CreateCategory(MakeCategory("c2"), "req", kT0));
  EXPECT_EQ(c_again.id, "c1");
}

TEST_P(ContentStoreTest, TimesAreKeptToTheMicrosecond) {
  Article a = MakeArticle("a1", "precise", kT0 + absl::Nanoseconds(1234567));
  Create(a);
  ASSERT_OK_AND_ASSIGN(const Article stored, articles().GetArticle("a1"));
  EXPECT_EQ(stored.create_time, kT0 + absl::Microseconds(1234));
}

TEST_P(ContentStoreTest, AMutationIsAtomicWithItsRevisionAndEvent) {
  ASSERT_OK(articles().CreateCategory(MakeCategory("c1"), "", kT0));
  Article a = MakeArticle("a1", "story", kT0);
  a.category_id = "c1";
  Create(a);
  Create(MakeArticle("a2", "taken", kT0));
  // A failing mutation, a mutation that does not bump the revision, a slug clash and a
  // missing category each leave the article, its revisions and the outbox as they were.
  EXPECT_THAT(articles().UpdateArticle(
                  "a1",
                  [](Article& a, const AncestorLookup&) -> absl::StatusOr<ArticleChange> {
                    a.revision += 1;
                    a.slug = "changed";
                    return absl::AbortedError("stale");
                  }),
              StatusIs(absl::StatusCode::kAborted));
  EXPECT_THAT(articles().UpdateArticle(
                  "a1",
                  [](Article& a, const AncestorLookup&) -> absl::StatusOr<ArticleChange> {
                    a.slug = "changed";
                    return ArticleChange{};
                  }),
              StatusIs(absl::StatusCode::kInternal));
  auto set = [](std::string slug, std::string category) -> ArticleMutation {
    return [slug, category](Article& a, const AncestorLookup&) -> absl::StatusOr<ArticleChange> {
      a.revision += 1;
      a.slug = slug;
      a.category_id = category;
      return ArticleChange{MakeEvent("e-" + slug + category, a.id), "editor", {"slug"}};
    };
  };
  EXPECT_THAT(articles().UpdateArticle("a1", set("taken", "c1")),
              StatusIs(absl::StatusCode::kAlreadyExists, "article.slug"));
  EXPECT_THAT(articles().UpdateArticle("a1", set("fine", "no-such")),
              StatusIs(absl::StatusCode::kFailedPrecondition, "article.category_id"));
  EXPECT_THAT(articles().UpdateArticle("missing", set("x", "")),
              StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(Article stored, articles().GetArticle("a1"));
  EXPECT_EQ(stored.slug, "story");
  EXPECT_EQ(stored.revision, 1);
  EXPECT_EQ(Value(outbox().CountOutboxEvents()), 0);
  ASSERT_OK_AND_ASSIGN(std::vector<ArticleRevision> revisions,
                       articles().ListRevisions("a1", 0, 10));
  EXPECT_EQ(revisions.size(), 1u);

  // A good one writes all three; the lookup sees the stored tree.
  ASSERT_OK(articles().CreateCategory(MakeCategory("c2", "c1"), "", kT0));
  std::vector<std::string> seen_ancestors;
  ASSERT_OK_AND_ASSIGN(
      stored,
      articles().UpdateArticle(
          "a1",
          [&](Article& a, const AncestorLookup& ancestors_of) -> absl::StatusOr<ArticleChange> {
            a.revision += 1;
            a.category_id = "c2";
            a.update_time = kT0 + absl::Minutes(1);
            ASSIGN_OR_RETURN(seen_ancestors, ancestors_of("c2"));
            return ArticleChange{MakeEvent("e1", a.id), "admin", {"category_id"}};
          }));
  EXPECT_EQ(seen_ancestors, std::vector<std::string>{"c1"});
  EXPECT_EQ(stored.revision, 2);
  EXPECT_EQ(stored.category_id, "c2");
  ASSERT_OK_AND_ASSIGN(revisions, articles().ListRevisions("a1", 0, 10));
  ASSERT_EQ(revisions.size(), 2u);
  EXPECT_EQ(revisions[0].revision, 2);
  EXPECT_EQ(revisions[0].author, "admin");
  EXPECT_EQ(revisions[0].changed_fields, std::vector<std::string>{"category_id"});
  EXPECT_EQ(revisions[0].create_time, kT0 + absl::Minutes(1));
  EXPECT_EQ(revisions[1].article.category_id, "c1");
  ASSERT_OK_AND_ASSIGN(revisions, articles().ListRevisions("a1", 2, 10));
  ASSERT_EQ(revisions.size(), 1u);
  EXPECT_EQ(revisions[0].revision, 1);
  EXPECT_THAT(articles().ListRevisions("missing", 0, 10), StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(const std::vector<OutboxEvent> pending, outbox().PendingEvents(10));
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].event_id, "e1");
  EXPECT_EQ(pending[0].payload, "payload of e1");
}

TEST_P(ContentStoreTest, ListsComeInListOrderWithKeysetPagesAndFilters) {
  ASSERT_OK(articles().CreateCategory(MakeCategory("c1"), "", kT0));
  for (int i = 0; i < 5; ++i) {
    Article a = MakeArticle("a" + std::to_string(i), "s" + std::to_string(i), kT0);
    a.featured = i == 1;
    a.tags = {i % 2 == 0 ? "even" : "odd"};
    if (i >= 3) a.category_id = "c1";
    if (i == 4) a.translations["zh-CN"].title = "中文";
    Create(a);
    Publish(a.id, kT0 + absl::Minutes(i == 2 ? 3 : i));  // a2 and a3 share a time
  }
  Create(MakeArticle("draft", "draft", kT0));
  ArticleFilter all;
  ASSERT_OK_AND_ASSIGN(std::vector<Article> page, articles().ListArticles(all, std::nullopt, 10));
  EXPECT_EQ(Ids(page), (std::vector<std::string>{"a4", "a3", "a2", "a1", "a0"}));
  EXPECT_EQ(Value(articles().CountArticles(all)), 5);
  const Article& third = page[2];
  ASSERT_OK_AND_ASSIGN(
      page, articles().ListArticles(all, ArticleCursor{false, *third.publish_time, third.id}, 10));
  EXPECT_EQ(Ids(page), (std::vector<std::string>{"a1", "a0"}));
  ArticleFilter featured_first;
  featured_first.featured_first = true;
  ASSERT_OK_AND_ASSIGN(page, articles().ListArticles(featured_first, std::nullopt, 2));
  EXPECT_EQ(Ids(page), (std::vector<std::string>{"a1", "a4"}));
  ASSERT_OK_AND_ASSIGN(
      page, articles().ListArticles(featured_first,
                                    ArticleCursor{true, *page[0].publish_time, page[0].id}, 10));
  EXPECT_EQ(Ids(page), (std::vector<std::string>{"a4", "a3", "a2", "a0"}));
  ArticleFilter odd;
  odd.tag = "odd";
  ASSERT_OK_AND_ASSIGN(page, articles().ListArticles(odd, std::nullopt, 10));
  EXPECT_EQ(Ids(page), (std::vector<std::string>{"a3", "a1"}));
  ArticleFilter in_category;
  in_category.category_ids = {"c1"};
  in_category.require_locale = "zh-CN";
  ASSERT_OK_AND_ASSIGN(page, articles().ListArticles(in_category, std::nullopt, 10));
  EXPECT_EQ(Ids(page), (std::vector<std::string>{"a4"}));
  ArticleFilter drafts;
  drafts.state = ArticleState::kDraft;
  EXPECT_EQ(Value(articles().CountArticles(drafts)), 1);
  ArticleFilter featured_only;
  featured_only.featured_only = true;
  EXPECT_EQ(Value(articles().CountArticles(featured_only)), 1);
}

TEST_P(ContentStoreTest, SchedulingQueriesSeeScheduledArticlesOnly) {
  EXPECT_EQ(Value(articles().NextScheduledTime()), std::nullopt);
  for (int i = 0; i < 3; ++i) {
    Create(MakeArticle("a" + std::to_string(i), "s" + std::to_string(i), kT0));
    ASSERT_OK(articles().UpdateArticle(
        "a" + std::to_string(i),
        [i](Article& a, const AncestorLookup&) -> absl::StatusOr<ArticleChange> {
          a.revision += 1;
          a.state = ArticleState::kScheduled;
          a.publish_time = kT0 + absl::Minutes(10 - i);
          return ArticleChange{};
        }));
  }
  EXPECT_EQ(Value(articles().NextScheduledTime()),
            std::optional<absl::Time>(kT0 + absl::Minutes(8)));
  EXPECT_EQ(Value(articles().DueScheduledArticles(kT0 + absl::Minutes(9), 10)),
            (std::vector<std::string>{"a2", "a1"}));
  EXPECT_EQ(Value(articles().DueScheduledArticles(kT0 + absl::Minutes(9), 1)),
            std::vector<std::string>{"a2"});
}

TEST_P(ContentStoreTest, TheCategoryTreeStaysATreeOfAtMostEightLevels) {
  ASSERT_OK(articles().CreateCategory(MakeCategory("c1"), "", kT0));
  EXPECT_THAT(articles().CreateCategory(MakeCategory("c1-again"), "", kT0),
              ::bulletin::testing::IsOk());
  Category clash = MakeCategory("c9");
  clash.slug = "slug-c1";
  EXPECT_THAT(articles().CreateCategory(clash, "", kT0),
              StatusIs(absl::StatusCode::kAlreadyExists, "category.slug"));
  EXPECT_THAT(articles().CreateCategory(MakeCategory("orphan", "none"), "", kT0),
              StatusIs(absl::StatusCode::kFailedPrecondition, "category.parent_id"));
  std::string parent = "c1";
  for (int i = 2; i <= 7; ++i) {  // c1 > c2 > ... > c7
    ASSERT_OK(articles().CreateCategory(MakeCategory("c" + std::to_string(i), parent), "", kT0));
    parent = "c" + std::to_string(i);
  }
  ASSERT_OK_AND_ASSIGN(const std::vector<Category> path, articles().GetCategoryAncestors("c3"));
  ASSERT_EQ(path.size(), 2u);
  EXPECT_EQ(path[0].id, "c1");
  EXPECT_EQ(path[1].id, "c2");
  ASSERT_OK_AND_ASSIGN(const std::vector<std::string> subtree, articles().CategorySubtree("c5"));
  EXPECT_EQ(subtree, (std::vector<std::string>{"c5", "c6", "c7"}));
  EXPECT_THAT(articles().CategorySubtree("none"), StatusIs(absl::StatusCode::kNotFound));
  auto move_under = [](std::string new_parent) -> CategoryMutation {
    return [new_parent](Category& c) {
      c.parent_id = new_parent;
      return absl::OkStatus();
    };
  };
  EXPECT_THAT(articles().UpdateCategory("c3", move_under("c6"), nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, "below itself"));
  ASSERT_OK(articles().CreateCategory(MakeCategory("leaf", "c7"), "", kT0));  // 8 levels
  EXPECT_THAT(articles().UpdateCategory("c1-again", move_under("leaf"), nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, "deeper than 8"));
  EXPECT_THAT(articles().UpdateCategory("c1-again", move_under("none"), nullptr),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(articles().UpdateCategory(
                  "c2",
                  [](Category& c) {
                    c.slug = "slug-c1";
                    return absl::OkStatus();
                  },
                  nullptr),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(articles().UpdateCategory(
                  "c2", [](Category&) { return absl::AbortedError("stale"); }, nullptr),
              StatusIs(absl::StatusCode::kAborted));
  ASSERT_OK_AND_ASSIGN(const Category c2, articles().GetCategory("c2"));
  EXPECT_EQ(c2.slug, "slug-c2");
  EXPECT_EQ(c2.parent_id, "c1");
  ASSERT_OK_AND_ASSIGN(const std::vector<Category> all, articles().ListCategories());
  EXPECT_EQ(all.size(), 9u);
}

TEST_P(ContentStoreTest, MovingACategoryAnnouncesItsPublishedArticles) {
  ASSERT_OK(articles().CreateCategory(MakeCategory("home"), "", kT0));
  ASSERT_OK(articles().CreateCategory(MakeCategory("news"), "", kT0));
  ASSERT_OK(articles().CreateCategory(MakeCategory("local", "news"), "", kT0));
  Article published = MakeArticle("p", "published", kT0);
  published.category_id = "local";
  Create(published);
  Publish("p", kT0);
  Article draft = MakeArticle("d", "draft", kT0);
  draft.category_id = "local";
  Create(draft);
  std::vector<std::string> moved_ids;
  std::vector<std::string> moved_ancestors;
  ASSERT_OK(articles().UpdateCategory(
      "news",
      [](Category& c) {
        c.parent_id = "home";
        return absl::OkStatus();
      },
      [&](const Article& a, const std::vector<std::string>& ancestors) {
        moved_ids.push_back(a.id);
        moved_ancestors = ancestors;
        return MakeEvent("moved-" + a.id, a.id);
      }));
  EXPECT_EQ(moved_ids, std::vector<std::string>{"p"});
  EXPECT_EQ(moved_ancestors, (std::vector<std::string>{"home", "news"}));
  ASSERT_OK_AND_ASSIGN(const std::vector<OutboxEvent> pending, outbox().PendingEvents(10));
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].event_id, "moved-p");
  // Still used: refused; the check runs first and can refuse too.
  EXPECT_THAT(articles().DeleteCategory("local", [](const Category&) { return absl::OkStatus(); }),
              StatusIs(absl::StatusCode::kFailedPrecondition, "2 article(s)"));
  EXPECT_THAT(articles().DeleteCategory("news", [](const Category&) { return absl::OkStatus(); }),
              StatusIs(absl::StatusCode::kFailedPrecondition, "1 child category"));
  ASSERT_OK(articles().CreateCategory(MakeCategory("empty"), "", kT0));
  EXPECT_THAT(articles().DeleteCategory(
                  "empty", [](const Category&) { return absl::AbortedError("stale"); }),
              StatusIs(absl::StatusCode::kAborted));
  ASSERT_OK(articles().DeleteCategory("empty", [](const Category&) { return absl::OkStatus(); }));
  EXPECT_THAT(articles().GetCategory("empty"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_P(ContentStoreTest, SearchFindsPublishedTranslationsBestFirst) {
  ASSERT_OK(articles().CreateCategory(MakeCategory("c1"), "", kT0));
  Article title_hit = MakeArticle("t", "title-hit", kT0);
  title_hit.translations["en"].title = "Volunteers meet volunteers";
  title_hit.translations["zh-CN"].title = "志愿者见面";
  title_hit.category_id = "c1";
  Article body_hit = MakeArticle("b", "body-hit", kT0);
  body_hit.translations["en"].body = "<p>One volunteer came.</p>";
  body_hit.tags = {"volunteers"};
  Article draft = MakeArticle("d", "draft", kT0);
  draft.translations["en"].title = "Volunteer draft";
  for (const Article& a : {title_hit, body_hit, draft}) Create(a);
  Publish("t", kT0);
  Publish("b", kT0);
  auto search = [&](const std::string& text, const std::string& locale,
                    std::vector<std::string> categories) {
    std::vector<std::string> found;
    absl::StatusOr<std::vector<SearchHit>> hits =
        articles().Search(TextQuery{ParseSearchQuery(text), true}, locale, categories, 10);
    EXPECT_OK(hits);
    double previous = -1e300;
    for (const SearchHit& h : hits.value_or(std::vector<SearchHit>())) {
      found.push_back(h.article_id + "/" + h.locale);
      EXPECT_GE(h.rank, previous);  // best (lowest) first
      previous = h.rank;
    }
    return found;
  };
  EXPECT_EQ(search("volunteering", "", {}), (std::vector<std::string>{"t/en", "b/en"}));
  EXPECT_EQ(search("volunteers", "en", {"c1"}), (std::vector<std::string>{"t/en"}));
  EXPECT_EQ(search("志", "", {}), (std::vector<std::string>{"t/zh-CN"}));  // prefix of 志愿
  EXPECT_TRUE(search("volunteers nobody", "", {}).empty());                // AND
  EXPECT_TRUE(Value(articles().Search(TextQuery{}, "", {}, 10)).empty());
  // Unpublishing takes an article out of the index.
  ASSERT_OK(articles().UpdateArticle(
      "t", [](Article& a, const AncestorLookup&) -> absl::StatusOr<ArticleChange> {
        a.revision += 1;
        a.state = ArticleState::kDraft;
        return ArticleChange{};
      }));
  EXPECT_EQ(search("volunteers", "", {}), (std::vector<std::string>{"b/en"}));
}

TEST_P(ContentStoreTest, SearchRanksTheMostRecentlyIndexedMatchesUpToItsLimit) {
  ASSERT_OK(articles().CreateCategory(MakeCategory("c1"), "", kT0));
  // "old" matches best (the word twice in its title) but is indexed first; three weaker
  // matches (the word once in the body) are indexed after it, w3 in two locales.
  Article old = MakeArticle("old", "old", kT0);
  old.translations["en"].title = "Harbour harbour report";
  old.category_id = "c1";
  Create(old);
  Publish("old", kT0);
  for (const std::string id : {"w1", "w2", "w3"}) {
    Article a = MakeArticle(id, id, kT0);
    a.translations["en"].body = "<p>A visit to the harbour.</p>";
    if (id == "w3") a.translations["zh-CN"].body = "<p>harbour 港口</p>";
    Create(a);
    Publish(id, kT0 + absl::Minutes(1));
  }
  auto search = [&](const std::string& locale, std::vector<std::string> categories, int limit) {
    std::vector<std::string> found;
    for (const SearchHit& h : Value(articles().Search(TextQuery{ParseSearchQuery("harbour"), true},
                                                      locale, categories, limit))) {
      found.push_back(h.article_id + "/" + h.locale);
    }
    return found;
  };
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  EXPECT_EQ(search("", {}, 10),
            (std::vector<std::string>{"old/en", "w3/zh-CN", "w1/en", "w2/en", "w3/en"}));
  // Five translations match; a limit of 2 ranks the two indexed last, not the best two.
  EXPECT_EQ(sorted(search("", {}, 2)), (std::vector<std::string>{"w3/en", "w3/zh-CN"}));
  // The limit counts the matches that pass the locale and category filters.
  EXPECT_EQ(search("en", {}, 2), (std::vector<std::string>{"w2/en", "w3/en"}));
  EXPECT_EQ(search("en", {"c1"}, 2), (std::vector<std::string>{"old/en"}));
  // A change re-indexes an article: "old" is among the newest again, and ranks first.
  ASSERT_OK(articles().UpdateArticle(
      "old", [](Article& a, const AncestorLookup&) -> absl::StatusOr<ArticleChange> {
        a.revision += 1;
        a.translations["en"].summary = "Updated";
        return ArticleChange{};
      }));
  EXPECT_EQ(search("en", {}, 2), (std::vector<std::string>{"old/en", "w3/en"}));
}

TEST_P(ContentStoreTest, RelatedCandidatesSayWhatTheyShare) {
  ASSERT_OK(articles().CreateCategory(MakeCategory("c1"), "", kT0));
  Article self = MakeArticle("self", "self", kT0);
  self.tags = {"un", "volunteers"};
  self.category_id = "c1";
  self.translations["en"].title = "Volunteer service meeting";
  Article tags = MakeArticle("tags", "tags", kT0);
  tags.tags = {"un", "volunteers"};
  Article category = MakeArticle("category", "category", kT0);
  category.category_id = "c1";
  Article text = MakeArticle("text", "text", kT0);
  text.translations["en"].title = "Volunteer awards";
  Article unrelated = MakeArticle("unrelated", "unrelated", kT0);
  for (const Article& a : {self, tags, category, text, unrelated}) {
    Create(a);
    Publish(a.id, kT0 + absl::Minutes(1));
  }
  ASSERT_OK_AND_ASSIGN(
      std::vector<RelatedCandidate> found,
      articles().RelatedCandidates(self, AnyTermOf("Volunteer service meeting", 32), 50));
  std::sort(found.begin(), found.end(), [](const RelatedCandidate& x, const RelatedCandidate& y) {
    return x.article_id < y.article_id;
  });
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].article_id, "category");
  EXPECT_TRUE(found[0].same_category);
  EXPECT_EQ(found[0].text_rank, 0);
  EXPECT_EQ(found[1].article_id, "tags");
  EXPECT_EQ(found[1].shared_tags, 2);
  EXPECT_EQ(found[2].article_id, "text");
  EXPECT_LT(found[2].text_rank, 0);
  EXPECT_EQ(found[2].sort_time, kT0 + absl::Minutes(1));
}

// A tag and a category with many holders (more than the 1,200 that the stores once read
// through their index and sorted): the candidates are the 50 most recently published.
TEST_P(ContentStoreTest, RelatedCandidatesOfACommonTagAndCategoryAreTheNewestHolders) {
  ASSERT_OK(articles().CreateCategory(MakeCategory("c1"), "", kT0));
  constexpr int kHolders = 1230;
  for (int i = 0; i < kHolders; ++i) {
    const std::string id = absl::StrCat("a", 10000 + i);
    Article a = MakeArticle(id, id, kT0);
    a.tags = {"common"};
    a.category_id = "c1";
    Create(a);
    // Published out of creation order: the newest are the multiples of 7 last.
    Publish(id, kT0 + absl::Minutes(i % 7 == 0 ? 100000 + i : i));
  }
  Article self = MakeArticle("a10001", "a10001", kT0);
  self.tags = {"common"};
  self.category_id = "c1";
  ASSERT_OK_AND_ASSIGN(std::vector<RelatedCandidate> found,
                       articles().RelatedCandidates(self, TextQuery{}, 50));
  std::vector<std::pair<absl::Time, std::string>> expected;
  for (int i = 0; i < kHolders; ++i) {
    if (i == 1) continue;  // self
    expected.emplace_back(kT0 + absl::Minutes(i % 7 == 0 ? 100000 + i : i),
                          absl::StrCat("a", 10000 + i));
  }
  std::sort(expected.rbegin(), expected.rend());
  std::set<std::string> newest;
  for (size_t i = 0; i < 50; ++i) newest.insert(expected[i].second);
  std::set<std::string> got;
  for (const RelatedCandidate& c : found) {
    got.insert(c.article_id);
    EXPECT_EQ(c.shared_tags, 1) << c.article_id;
    EXPECT_TRUE(c.same_category) << c.article_id;
  }
  EXPECT_EQ(got, newest);
}

TEST_P(ContentStoreTest, TheOutboxKeepsOrderMarksSentAndForgetsAfterTheRetention) {
  for (int i = 1; i <= 3; ++i) {
    Article a = MakeArticle("a" + std::to_string(i), "s" + std::to_string(i), kT0);
    Create(a);
    ASSERT_OK(
        articles().UpdateArticle(a.id, PublishAt(kT0, MakeEvent("e" + std::to_string(i), a.id))));
  }
  ASSERT_OK_AND_ASSIGN(std::vector<OutboxEvent> pending, outbox().PendingEvents(2));
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].event_id, "e1");
  EXPECT_LT(pending[0].seq, pending[1].seq);
  ASSERT_OK(outbox().MarkEventSent(pending[0].seq, "1-0", kT0 + absl::Minutes(1)));
  ASSERT_OK(outbox().MarkEventSent(pending[1].seq, "2-0", kT0 + absl::Minutes(2)));
  ASSERT_OK_AND_ASSIGN(pending, outbox().PendingEvents(10));
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].event_id, "e3");
  ASSERT_OK_AND_ASSIGN(std::vector<OutboxEvent> sent,
                       outbox().SentEventsSince(kT0 + absl::Minutes(1), 0, 10));
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].stream_id, "1-0");
  EXPECT_EQ(sent[1].sent_time, kT0 + absl::Minutes(2));
  ASSERT_OK_AND_ASSIGN(sent, outbox().SentEventsSince(kT0, sent[0].seq, 10));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].event_id, "e2");
  EXPECT_EQ(Value(outbox().DeleteSentEventsBefore(kT0 + absl::Minutes(2))), 1);
  EXPECT_EQ(Value(outbox().CountOutboxEvents()), 2);
  EXPECT_EQ(Value(outbox().LoadRelayRunId()), std::string());
  ASSERT_OK(outbox().SaveRelayRunId("run-1"));
  EXPECT_EQ(Value(outbox().LoadRelayRunId()), std::string("run-1"));
}

// A mutation that renames the article to `slug` and its translation `locale` to
// `translation_slug` ("" keeps the translation's slug as it is).
ArticleMutation Rename(const std::string& slug, const std::string& locale = "",
                       const std::string& translation_slug = "") {
  return [=](Article& a, const AncestorLookup&) -> absl::StatusOr<ArticleChange> {
    a.revision += 1;
    a.slug = slug;
    if (!locale.empty()) a.translations[locale].slug = translation_slug;
    return ArticleChange{std::nullopt, "editor", {"slug"}};
  };
}

TEST_P(ContentStoreTest, AFormerSlugStillResolvesToItsArticleAndNeverMoves) {
  Article a = MakeArticle("a1", "first-name", kT0);
  a.translations["zh-CN"].title = "标题";
  a.translations["zh-CN"].slug = "biao-ti";
  Create(a);
  ASSERT_OK(articles().UpdateArticle("a1", Rename("second-name")));
  ASSERT_OK(articles().UpdateArticle("a1", Rename("third-name", "zh-CN", "xin-biao-ti")));
  // Every slug it ever had resolves to it, and the answer carries the current slugs.
  for (const std::string slug :
       {"first-name", "second-name", "third-name", "biao-ti", "xin-biao-ti"}) {
    ASSERT_OK_AND_ASSIGN(const Article found, articles().GetArticleBySlug(slug));
    EXPECT_EQ(found.id, "a1") << slug;
    EXPECT_EQ(found.slug, "third-name") << slug;
    EXPECT_EQ(found.translations.at("zh-CN").slug, "xin-biao-ti") << slug;
  }
  // A former slug stays reserved: not for another article, nor for its translation...
  EXPECT_THAT(
      articles().CreateArticle(MakeArticle("a2", "first-name", kT0), {"", "editor", false, kT0}),
      StatusIs(absl::StatusCode::kAlreadyExists, "article.slug"));
  Article clash = MakeArticle("a3", "free-name", kT0);
  clash.translations["en"].slug = "biao-ti";
  EXPECT_THAT(articles().CreateArticle(clash, {"", "editor", false, kT0}),
              StatusIs(absl::StatusCode::kAlreadyExists, "article.translations[en].slug"));
  ASSERT_OK_AND_ASSIGN(const Article derived,
                       articles().CreateArticle(MakeArticle("a4", "second-name", kT0),
                                                {"", "editor", /*derived_slug=*/true, kT0}));
  EXPECT_EQ(derived.slug, "second-name-2");
  EXPECT_THAT(articles().UpdateArticle("a4", Rename("first-name")),
              StatusIs(absl::StatusCode::kAlreadyExists, "article.slug"));
  // ... but the article itself may take it back, and its other former slugs still resolve.
  ASSERT_OK_AND_ASSIGN(const Article back, articles().UpdateArticle("a1", Rename("first-name")));
  EXPECT_EQ(back.slug, "first-name");
  EXPECT_EQ(Value(articles().GetArticleBySlug("third-name")).id, "a1");
  EXPECT_EQ(Value(articles().GetArticleBySlug("second-name-2")).id, "a4");
  // A translation whose slug was cleared keeps its former slug reserved as well.
  ASSERT_OK(articles().UpdateArticle("a1", Rename("first-name", "zh-CN", "")));
  EXPECT_EQ(Value(articles().GetArticleBySlug("xin-biao-ti")).id, "a1");
  // The revisions still show the slug each one had.
  ASSERT_OK_AND_ASSIGN(const std::vector<ArticleRevision> revisions,
                       articles().ListRevisions("a1", 0, 10));
  ASSERT_EQ(revisions.size(), 5u);
  EXPECT_EQ(revisions[4].article.slug, "first-name");
  EXPECT_EQ(revisions[3].article.slug, "second-name");
  EXPECT_EQ(revisions[2].article.slug, "third-name");
}

TEST_P(ContentStoreTest, AnotherHandleResolvesAFormerSlugToo) {
  Create(MakeArticle("a1", "old-name", kT0));
  ASSERT_OK(articles().UpdateArticle("a1", Rename("new-name")));
  ASSERT_OK_AND_ASSIGN(ArticleStore * second, store_->SecondHandle());
  ASSERT_OK_AND_ASSIGN(const Article found, second->GetArticleBySlug("old-name"));
  EXPECT_EQ(found.id, "a1");
  EXPECT_EQ(found.slug, "new-name");
  EXPECT_THAT(second->CreateArticle(MakeArticle("a2", "old-name", kT0), {"", "editor", false, kT0}),
              StatusIs(absl::StatusCode::kAlreadyExists, "article.slug"));
}

}  // namespace
}  // namespace bulletin::content
