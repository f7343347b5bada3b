// What only PostgreSQL has to prove (label postgres, in content_core_postgres_test): two
// stores on one database, as two replicas, racing on a request_id, a slug, a derived slug
// and the category tree answer as one SQLite file does; and search parity: the same
// corpus and queries rank the same hits with the same BM25 scores on the memory fake,
// SQLite (FTS5) and PostgreSQL (tsvector).
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/testing/process.h"
#include "common/testing/status_matchers.h"
#include "services/content/core/search_query.h"
#include "services/content/store/memory/memory_article_store.h"
#include "services/content/store/postgres/pg_search.h"
#include "services/content/store/sqlite/sqlite_article_store.h"
#include "services/content/tests/store_backend.h"

namespace bulletin::content {
namespace {

using ::bulletin::testing::StatusIs;

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

Article MakeArticle(const std::string& id, const std::string& slug) {
  Article a;
  a.id = id;
  a.slug = slug;
  a.default_locale = "en";
  a.translations["en"].title = "Title of " + id;
  a.translations["en"].body = "<p>Body</p>";
  a.create_time = a.update_time = kT0;
  a.revision = 1;
  a.etag = "etag-" + id;
  return a;
}

Category MakeCategory(const std::string& id) {
  Category c;
  c.id = id;
  c.slug = "slug-" + id;
  c.default_locale = "en";
  c.translations["en"].name = id;
  c.create_time = c.update_time = kT0;
  c.etag = "etag-" + id;
  return c;
}

// Runs a(), b() on two threads released together; returns when both are done.
void Race(const std::function<void()>& a, const std::function<void()>& b) {
  std::atomic<int> ready{0};
  auto run = [&](const std::function<void()>& f) {
    ++ready;
    while (ready.load() < 2) {
    }
    f();
  };
  std::thread first(run, a), second(run, b);
  first.join();
  second.join();
}

class PostgresReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(store_, StoreBackends()[0].open());
    ASSERT_OK_AND_ASSIGN(other_, store_->SecondHandle());
  }
  ArticleStore& one() { return store_->articles(); }
  ArticleStore& two() { return *other_; }

  std::unique_ptr<StoreUnderTest> store_;
  ArticleStore* other_ = nullptr;
};

TEST_F(PostgresReplicasTest, ARequestIdRetriedThroughTwoReplicasCreatesOneArticle) {
  for (int round = 0; round < 10; ++round) {
    const std::string request = absl::StrCat("req-", round);
    absl::StatusOr<Article> a, b;
    Race(
        [&] {
          a = one().CreateArticle(MakeArticle(absl::StrCat("a", round), absl::StrCat("s", round)),
                                  {request, "editor", false, kT0});
        },
        [&] {
          b = two().CreateArticle(MakeArticle(absl::StrCat("b", round), absl::StrCat("s", round)),
                                  {request, "editor", false, kT0});
        });
    ASSERT_OK(a);
    ASSERT_OK(b);
    EXPECT_EQ(a->id, b->id) << "round " << round;
  }
  ArticleFilter drafts;
  drafts.state = ArticleState::kDraft;
  EXPECT_EQ(*one().CountArticles(drafts), 10);
}

TEST_F(PostgresReplicasTest, ASlugTakenByTwoReplicasAtOnceGoesToOneOfThem) {
  for (int round = 0; round < 10; ++round) {
    const std::string slug = absl::StrCat("story-", round);
    absl::StatusOr<Article> a, b, derived_a, derived_b;
    Race(
        [&] {
          a = one().CreateArticle(MakeArticle(absl::StrCat("a", round), slug),
                                  {"", "e", false, kT0});
        },
        [&] {
          b = two().CreateArticle(MakeArticle(absl::StrCat("b", round), slug),
                                  {"", "e", false, kT0});
        });
    EXPECT_EQ(a.ok() + b.ok(), 1) << a.status() << " / " << b.status();
    const absl::Status& lost = a.ok() ? b.status() : a.status();
    EXPECT_THAT(lost, StatusIs(absl::StatusCode::kAlreadyExists, "article.slug: \"" + slug + "\""));
    // Derived slugs take the next free suffix instead, one each.
    Race(
        [&] {
          derived_a = one().CreateArticle(MakeArticle(absl::StrCat("da", round), slug),
                                          {"", "e", /*derived_slug=*/true, kT0});
        },
        [&] {
          derived_b = two().CreateArticle(MakeArticle(absl::StrCat("db", round), slug),
                                          {"", "e", /*derived_slug=*/true, kT0});
        });
    ASSERT_OK(derived_a);
    ASSERT_OK(derived_b);
    EXPECT_EQ((std::set<std::string>{derived_a->slug, derived_b->slug}),
              (std::set<std::string>{slug + "-2", slug + "-3"}));
  }
}

TEST_F(PostgresReplicasTest, TwoReplicasMovingCategoriesUnderEachOtherMakeNoCycle) {
  for (int round = 0; round < 10; ++round) {
    const std::string x = absl::StrCat("x", round), y = absl::StrCat("y", round);
    ASSERT_OK(one().CreateCategory(MakeCategory(x), "", kT0));
    ASSERT_OK(one().CreateCategory(MakeCategory(y), "", kT0));
    auto under = [](const std::string& parent) -> CategoryMutation {
      return [parent](Category& c) {
        c.parent_id = parent;
        return absl::OkStatus();
      };
    };
    absl::StatusOr<Category> a, b;
    Race([&] { a = one().UpdateCategory(x, under(y), nullptr); },
         [&] { b = two().UpdateCategory(y, under(x), nullptr); });
    EXPECT_EQ(a.ok() + b.ok(), 1) << a.status() << " / " << b.status();
    EXPECT_THAT(a.ok() ? b.status() : a.status(),
                StatusIs(absl::StatusCode::kInvalidArgument, "below itself"));
    EXPECT_OK(one().GetCategoryAncestors(x));
    EXPECT_OK(one().GetCategoryAncestors(y));
  }
}

// ---- search parity ------------------------------------------------------------------------

struct Doc {
  const char* id;
  const char* title;
  const char* summary;
  const char* body;
  const char* zh_title;
  const char* zh_body;
};

// Short and long, title and body hits, repeated words, CJK runs, accents.
const Doc kCorpus[] = {
    {"p01", "Volunteers Meet on the Volunteer Service Cooperation Project",
     "Volunteer service partners met in Beijing.",
     "<p>The volunteers discussed the volunteer service programme and its next steps.</p>",
     "志愿服务合作项目三方会议召开", "<p>会议总结了志愿服务项目的进展，推动志愿服务走向世界。</p>"},
    {"p02", "Beijing Marathon Ends", "Runners finished the race.",
     "<p>A volunteer handed out water to the runners along the route.</p>",
     "北京马拉松比赛圆满结束", "<p>比赛在天安门广场开始。选手们实现了自己的愿望。</p>"},
    {"p03", "Youth Programme Opens", "",
     "<p>Young people may apply to volunteer training and other activities. Training "
     "starts in March; volunteers receive a certificate.</p>",
     "青年活动报名启动", "<p>欢迎报名参加志愿者培训和其他活动。</p>"},
    {"p04", "Annual Report", "The service published its annual report.",
     "<p>The report covers the service, the service centres and service quality over the "
     "year, with figures on volunteers, donors, partners and the café network.</p>",
     "年度报告发布", "<p>报告介绍了服务中心和服务质量。</p>"},
    {"p05", "Café opens for volunteers", "A café for the volunteer community.",
     "<p>Coffee, tea and a place to meet.</p>", "志愿者咖啡馆开业", "<p>咖啡和茶。</p>"},
    {"p06", "Weather", "Rain in Beijing.", "<p>Rain, rain and more rain this week.</p>", "天气预报",
     "<p>本周北京有雨。</p>"},
    {"p07", "Volunteer volunteer volunteer", "Service service.",
     "<p>Volunteer service volunteer service volunteer service.</p>", "服务服务服务",
     "<p>志愿志愿志愿服务服务。</p>"},
    {"p08", "Training for service volunteers",
     "A long programme of training sessions for service volunteers across the region.",
     "<p>Sessions cover first aid, communication, event safety, crowd management, language "
     "support, and the history of the volunteer service. Each session lasts two hours and "
     "ends with a short test. Volunteers who finish all sessions join the service pool.</p>",
     "服务志愿者培训", "<p>培训内容包括急救、沟通和活动安全。完成培训的志愿者加入服务队伍。</p>"},
};

const char* kQueries[] = {"volunteer",
                          "volunteers service",
                          "service",
                          "beijing rain",
                          "cafe",
                          "Café",
                          "training volunteers",
                          "志愿",
                          "志愿服务",
                          "服务",
                          "赛",
                          "北京",
                          "报告 服务",
                          "programme",
                          "volunteer-service"};

// Fills `store` with the corpus, every article published.
void Load(ArticleStore& store) {
  for (const Doc& d : kCorpus) {
    Article a = MakeArticle(d.id, d.id);
    a.translations["en"].title = d.title;
    a.translations["en"].summary = d.summary;
    a.translations["en"].body = d.body;
    a.translations["zh-CN"].title = d.zh_title;
    a.translations["zh-CN"].body = d.zh_body;
    ASSERT_OK(store.CreateArticle(a, {"", "editor", false, kT0}));
    ASSERT_OK(store.UpdateArticle(
        d.id, [](Article& a, const AncestorLookup&) -> absl::StatusOr<ArticleChange> {
          a.revision += 1;
          a.state = ArticleState::kPublished;
          a.publish_time = kT0;
          return ArticleChange{};
        }));
  }
}

// The hits of `query` as "id/locale rank" lines.
std::vector<SearchHit> Hits(ArticleStore& store, const TextQuery& query) {
  absl::StatusOr<std::vector<SearchHit>> hits = store.Search(query, "", {}, 50);
  EXPECT_OK(hits);
  return hits.value_or(std::vector<SearchHit>());
}

void ExpectSameHits(const std::vector<SearchHit>& want, const std::vector<SearchHit>& got,
                    const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].article_id + "/" + got[i].locale, want[i].article_id + "/" + want[i].locale)
        << what << " #" << i;
    EXPECT_NEAR(got[i].rank, want[i].rank, 1e-9 * std::max(1.0, std::fabs(want[i].rank)))
        << what << " #" << i;
  }
}

TEST(SearchParityTest, PostgresRanksLikeSqliteAndTheMemoryFake) {
  MemoryArticleStore memory;
  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteArticleStore> sqlite,
                       SqliteArticleStore::Open(dir.path() + "/content.db"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<StoreUnderTest> postgres, StoreBackends()[0].open());
  Load(memory);
  Load(*sqlite);
  Load(postgres->articles());
  int nonempty = 0;
  for (const char* text : kQueries) {
    for (bool all : {true, false}) {
      const TextQuery query{ParseSearchQuery(text), all};
      const std::vector<SearchHit> want = Hits(memory, query);
      nonempty += want.empty() ? 0 : 1;
      const std::string what = absl::StrCat("\"", text, all ? "\" (all)" : "\" (any)");
      ExpectSameHits(want, Hits(*sqlite, query), "sqlite " + what);
      ExpectSameHits(want, Hits(postgres->articles(), query), "postgres " + what);
    }
  }
  EXPECT_GE(nonempty, 25) << "the corpus should answer most queries";
  // The text part of related articles: an OR of many terms.
  const TextQuery related = AnyTermOf("Volunteer service meeting in Beijing 志愿服务", 32);
  ExpectSameHits(Hits(memory, related), Hits(postgres->articles(), related), "related terms");
}

// PostgreSQL reads a query's matches from a window of the newest documents sized by the
// phrases' document counts, widened when it holds fewer than the limit, and finds a
// phrase of several tokens by its adjacent pairs. Here the recent half of the documents
// holds one of the two words, both bigrams of one phrase apart, and every pair of another
// apart (the window holds enough candidates, no match): the answer must still be the
// newest matches, ranked as on the memory fake.
TEST(PostgresSearchTest, MatchesOlderThanTheFirstWindowAndPhrasesApartAreTold) {
  MemoryArticleStore memory;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<StoreUnderTest> postgres, StoreBackends()[0].open());
  for (ArticleStore* store : {static_cast<ArticleStore*>(&memory), &postgres->articles()}) {
    for (int i = 0; i < 40; ++i) {
      const bool old = i < 20;
      Article a = MakeArticle(absl::StrCat("w", i), absl::StrCat("w", i));
      a.translations["en"].title = old ? "alpha beta" : "alpha gamma";
      a.translations["en"].body = old ? "<p>alpha beta</p>" : "<p>alpha delta</p>";
      a.translations["zh-CN"].title = old ? "甲乙丙" : "甲乙丁乙丙";
      // Every pair of 戊己庚辛 in the recent half too, apart (candidates, not matches),
      // but for the newest: the first window holds one match of three.
      a.translations["zh-CN"].summary = old || i == 39 ? "戊己庚辛" : "戊己庚x己庚辛";
      a.translations["zh-CN"].body = absl::StrCat("<p>", std::string(i % 3 + 1, 'x'), "</p>");
      a.state = ArticleState::kPublished;
      a.publish_time = kT0;
      ASSERT_OK(store->CreateArticle(a, {"", "editor", false, kT0}));
    }
  }
  for (const char* text : {"alpha beta", "甲乙丙", "戊己庚辛"}) {
    const TextQuery query{ParseSearchQuery(text), true};
    ASSERT_OK_AND_ASSIGN(std::vector<SearchHit> want, memory.Search(query, "", {}, 3));
    ASSERT_OK_AND_ASSIGN(std::vector<SearchHit> got, postgres->articles().Search(query, "", {}, 3));
    std::set<std::string> ids;
    for (const SearchHit& hit : want) ids.insert(hit.article_id);
    const std::set<std::string> newest = std::string(text) == "戊己庚辛"
                                             ? std::set<std::string>{"w18", "w19", "w39"}
                                             : std::set<std::string>{"w17", "w18", "w19"};
    EXPECT_EQ(ids, newest) << text;
    ExpectSameHits(want, got, text);
  }
}

// A phrase's candidates are the documents holding its pairs. Here a document's pairs pass
// PostgreSQL's 1 MiB of lexeme text (600 distinct tokens of 900 digits: 1.1 MB of pairs):
// it is a candidate of every phrase, so a phrase past the cut is still found, and tokens
// apart still are not a phrase.
TEST(PostgresSearchTest, APhrasePastThePairsThatFitIsFound) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<StoreUnderTest> postgres, StoreBackends()[0].open());
  auto token = [](int i) { return absl::StrCat(1000 + i, std::string(896, '7')); };
  std::string body = "<p>";
  for (int i = 0; i < 600; ++i) absl::StrAppend(&body, token(i), " ");
  Article a = MakeArticle("long", "long");
  a.translations["en"].title = "numbers";
  a.translations["en"].body = body + "</p>";
  a.state = ArticleState::kPublished;
  a.publish_time = kT0;
  ASSERT_OK(postgres->articles().CreateArticle(a, {"", "editor", false, kT0}));
  Article b = MakeArticle("short", "short");
  b.translations["en"].title = "numbers";
  b.translations["en"].body = absl::StrCat("<p>", token(598), " ", token(1), "</p>");
  b.state = ArticleState::kPublished;
  b.publish_time = kT0;
  ASSERT_OK(postgres->articles().CreateArticle(b, {"", "editor", false, kT0}));
  auto found = [&](const std::string& text) {
    absl::StatusOr<std::vector<SearchHit>> hits =
        postgres->articles().Search({ParseSearchQuery(text), true}, "", {}, 10);
    EXPECT_OK(hits);
    std::set<std::string> ids;
    for (const SearchHit& h : hits.value_or(std::vector<SearchHit>())) ids.insert(h.article_id);
    return ids;
  };
  EXPECT_EQ(found(absl::StrCat(token(0), "-", token(1), "-", token(2))),
            std::set<std::string>{"long"});
  EXPECT_EQ(found(absl::StrCat(token(597), "-", token(598), "-", token(599))),
            std::set<std::string>{"long"});
  EXPECT_EQ(found(absl::StrCat(token(598), "-", token(599))), std::set<std::string>{"long"});
  EXPECT_EQ(found(absl::StrCat(token(598), "-", token(1))), std::set<std::string>{"short"});
  EXPECT_EQ(found(absl::StrCat(token(599), "-", token(598))), std::set<std::string>{});
}

// The pairs of a document: every two adjacent tokens of a field, none across fields; a
// phrase asks for all of its own, or the cut.
TEST(PgSearchTest, PairsOfAFieldAndOfAPhrase) {
  Translation t;
  t.title = "alpha beta gamma";
  t.body = "<p>delta</p>";
  const PgSearchDocument doc = MakePgSearchDocument(t);
  EXPECT_EQ(doc.pairs, "'alpha beta' 'beta gamma'");
  EXPECT_EQ(doc.token_count, 4);
  const std::vector<QueryPhrase> phrases = ParseSearchQuery("alpha-beta-gamma 甲乙丙");
  ASSERT_EQ(phrases.size(), 2u);
  EXPECT_EQ(PgPhrasePairs(phrases[0]), "('alpha beta' & 'beta gamma') | 'cut'");
  EXPECT_EQ(PgPhrasePairLexemes(phrases[0]),
            (std::vector<std::string>{"alpha beta", "beta gamma"}));
  EXPECT_EQ(PgPhrasePairs(phrases[1]), "('甲乙 乙丙') | 'cut'");
  // A prefix phrase's last pair is a prefix; the lexemes it is estimated from (kept by
  // ANALYZE) are its whole ones.
  const QueryPhrase prefix{"", {"a", "b", "c"}, true};
  EXPECT_EQ(PgPhrasePairs(prefix), "('a b' & 'b c':*) | 'cut'");
  EXPECT_EQ(PgPhrasePairLexemes(prefix), std::vector<std::string>{"a b"});
}

}  // namespace
}  // namespace bulletin::content
