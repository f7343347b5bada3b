// Moving content off SQLite (store/migrate): a SQLite database seeded through ContentCore
// (the demo data, an article renamed twice with a renamed translation slug and several
// revisions, a draft, a scheduled article, a create with a request_id, sent and unsent
// outbox events) is copied by `bulletin-content --migrate-from=sqlite:PATH --db=postgres://`
// and then reads the same on PostgreSQL through the core: ids, slugs (former ones too),
// revisions, categories, search results, request ids and the unsent events. A second run
// copies nothing and says so; a target holding another article under a copied slug is
// refused with nothing written. Also PostgreSQL's schema versions: a newer schema refused,
// the slug history backfilled from the revisions of a version-1 database. Label postgres.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "bulletin/content/v1/content.grpc.pb.h"
#include "common/testing/postgres_server.h"
#include "common/testing/process.h"
#include "common/testing/status_matchers.h"
#include "google/protobuf/util/field_comparator.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "services/content/core/content_core.h"
#include "services/content/core/search_query.h"
#include "services/content/seed_demo.h"
#include "services/content/store/migrate/sqlite_to_postgres.h"
#include "services/content/store/postgres/pg_schema.h"
#include "services/content/store/postgres/postgres_article_store.h"
#include "services/content/store/sqlite/sqlite_article_store.h"

namespace bulletin::content {
namespace {

using ::bulletin::testing::StatusIs;

const Caller kEditor = Principal{Role::kEditor, ""};

// Runs the binary to completion: its exit code and stdout (logs and stderr included).
std::pair<int, std::string> RunContent(const std::string& args) {
  FILE* pipe =
      popen(absl::StrCat(testing::BinDir(), "/bulletin-content ", args, " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, ""};
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// The first column of the first row of `sql` on `uri` ("" on any failure).
std::string QueryOne(const std::string& uri, const std::string& sql) {
  PGconn* conn = PQconnectdb(uri.c_str());
  std::string value;
  if (PQstatus(conn) == CONNECTION_OK) {
    PGresult* r = PQexec(conn, sql.c_str());
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) value = PQgetvalue(r, 0, 0);
    if (PQresultStatus(r) == PGRES_COMMAND_OK) value = PQcmdTuples(r);
    PQclear(r);
  }
  PQfinish(conn);
  return value;
}

ContentOptions CoreOptions() {
  ContentOptions options;
  options.site_base_url = "https://news.example.org";
  options.token_key = "test-key-0123456789abcdef";
  options.cache_entries = 0;
  return options;
}

Translation Text(const std::string& title, const std::string& summary, const std::string& body) {
  Translation t;
  t.title = title;
  t.summary = summary;
  t.body = body;
  return t;
}

void ExpectSameArticle(const Article& a, const Article& b) {
  SCOPED_TRACE(a.id);
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.slug, b.slug);
  EXPECT_EQ(a.category_id, b.category_id);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.default_locale, b.default_locale);
  EXPECT_EQ(a.publish_time, b.publish_time);
  EXPECT_EQ(a.create_time, b.create_time);
  EXPECT_EQ(a.update_time, b.update_time);
  EXPECT_EQ(a.revision, b.revision);
  EXPECT_EQ(a.etag, b.etag);
  EXPECT_EQ(a.featured, b.featured);
  EXPECT_EQ(a.delete_time, b.delete_time);
  EXPECT_EQ(a.tags, b.tags);
  ASSERT_EQ(a.translations.size(), b.translations.size());
  for (const auto& [locale, t] : a.translations) {
    SCOPED_TRACE(locale);
    ASSERT_TRUE(b.translations.count(locale));
    const Translation& u = b.translations.at(locale);
    EXPECT_EQ(t.title, u.title);
    EXPECT_EQ(t.summary, u.summary);
    EXPECT_EQ(t.body, u.body);
    EXPECT_EQ(t.cover_image_url, u.cover_image_url);
    EXPECT_EQ(t.cover_image_caption, u.cover_image_caption);
    EXPECT_EQ(t.cover_image_alt, u.cover_image_alt);
    EXPECT_EQ(t.slug, u.slug);
    EXPECT_EQ(t.outdated, u.outdated);
    EXPECT_EQ(t.update_time, u.update_time);
  }
}

// What the seeded database holds that the checks look for.
struct Seeded {
  std::vector<std::string> article_ids;
  std::string renamed_id;
  std::vector<std::string> former_slugs;  // of renamed_id
  std::string request_id_article;
  std::vector<std::string> unsent_event_ids;
};

// Seeds the SQLite database at `path` through ContentCore.
Seeded Seed(const std::string& path) {
  Seeded s;
  auto opened = SqliteArticleStore::Open(path);
  EXPECT_OK(opened);
  if (!opened.ok()) return s;
  SqliteArticleStore& store = **opened;
  ContentCore core(store, CoreOptions());
  auto demo = SeedDemo(core, store);
  EXPECT_OK(demo);
  if (!demo.ok()) return s;
  s.article_ids.push_back(demo->id);

  Article a;
  a.default_locale = "en";
  a.category_id = demo->category_id;
  a.slug = "volunteers-meet-in-geneva";
  a.tags = {"volunteers", "geneva"};
  a.translations["en"] = Text("Volunteers meet in Geneva", "A meeting of volunteers",
                              "<p>Volunteer programmes from three countries met.</p>");
  a.translations["zh-CN"] = Text("志愿者在日内瓦会面", "志愿者会议", "<p>三国志愿者项目会面。</p>");
  a.translations["zh-CN"].slug = "zhi-yuan-zhe-hui-mian";
  auto created = core.CreateArticle(kEditor, a, "");
  EXPECT_OK(created);
  if (!created.ok()) return s;
  s.renamed_id = created->id;
  s.article_ids.push_back(created->id);
  EXPECT_OK(core.PublishArticle(kEditor, {created->id, "", std::nullopt}));
  for (const auto& [path, slug] : std::vector<std::pair<std::string, std::string>>{
           {"slug", "volunteers-meet-in-geneva-2018"},
           {"translations.zh-CN.slug", "ri-nei-wa-hui-mian"},
           {"slug", "geneva-volunteer-meeting"}}) {
    UpdateCommand cmd;
    cmd.article.id = created->id;
    cmd.article.slug = slug;
    cmd.article.translations["zh-CN"].slug = slug;
    cmd.paths = {path};
    EXPECT_OK(core.UpdateArticle(kEditor, cmd));
  }
  s.former_slugs = {"volunteers-meet-in-geneva", "volunteers-meet-in-geneva-2018",
                    "zhi-yuan-zhe-hui-mian"};

  Article draft;
  draft.default_locale = "en";
  draft.translations["en"] = Text("A draft about volunteers", "", "<p>Not yet.</p>");
  auto d = core.CreateArticle(kEditor, draft, "");
  EXPECT_OK(d);
  if (d.ok()) s.article_ids.push_back(d->id);

  Article scheduled;
  scheduled.default_locale = "en";
  scheduled.translations["en"] = Text("Tomorrow's volunteer report", "", "<p>Soon.</p>");
  auto sc = core.CreateArticle(kEditor, scheduled, "");
  EXPECT_OK(sc);
  if (sc.ok()) {
    s.article_ids.push_back(sc->id);
    auto published = core.PublishArticle(kEditor, {sc->id, "", absl::Now() + absl::Hours(24)});
    EXPECT_OK(published);
    if (published.ok()) {
      EXPECT_EQ(published->state, ArticleState::kScheduled);
    }
  }

  Article once;
  once.default_locale = "en";
  once.translations["en"] = Text("Created once", "", "<p>Retried by the client.</p>");
  auto r = core.CreateArticle(kEditor, once, "req-migrate-1");
  EXPECT_OK(r);
  if (r.ok()) {
    s.request_id_article = r->id;
    s.article_ids.push_back(r->id);
  }

  // The relay sent the first two events; the rest wait in the outbox.
  auto pending = store.PendingEvents(1000);
  EXPECT_OK(pending);
  if (!pending.ok()) return s;
  EXPECT_GE(pending->size(), 4u);
  for (size_t i = 0; i < pending->size(); ++i) {
    if (i < 2) {
      EXPECT_OK(store.MarkEventSent((*pending)[i].seq, absl::StrCat(i + 1, "-0"), absl::Now()));
    } else {
      s.unsent_event_ids.push_back((*pending)[i].event_id);
    }
  }
  return s;
}

std::vector<std::string> SearchIds(ContentCore& core, const std::string& query,
                                   const std::string& locale) {
  SearchQuery q;
  q.query = query;
  q.locale = locale;
  q.page_size = 50;
  auto page = core.SearchArticles(q);
  EXPECT_OK(page);
  std::vector<std::string> ids;
  if (!page.ok()) return ids;
  for (const SearchResult& r : page->results) {
    ids.push_back(absl::StrCat(r.read.article.id, "/", r.read.returned_locale));
  }
  return ids;
}

class MigrateTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = testing::PostgresServer::Start();
    ASSERT_OK(started);
    server_ = started->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  std::string NewDatabase(const std::string& name) {
    auto uri = server_->CreateDatabase(name);
    EXPECT_OK(uri);
    return uri.value_or("");
  }

  static testing::PostgresServer* server_;
  testing::TempDir dir_;
};

testing::PostgresServer* MigrateTest::server_ = nullptr;

TEST_F(MigrateTest, ASeededDatabaseReadsTheSameOnPostgresAndASecondRunCopiesNothing) {
  const std::string path = dir_.path() + "/content.db";
  const Seeded seeded = Seed(path);
  ASSERT_EQ(seeded.article_ids.size(), 5u);
  const std::string uri = NewDatabase("migrated");

  const auto [code, out] = RunContent(absl::StrCat("--migrate-from=sqlite:", path, " --db=", uri));
  ASSERT_EQ(code, 0) << out;
  EXPECT_TRUE(absl::StrContains(out, "rows of the SQLite database are in PostgreSQL")) << out;
  EXPECT_TRUE(absl::StrContains(out, "search documents built for 5 articles")) << out;
  const auto [again_code, again] =
      RunContent(absl::StrCat("--migrate-from=sqlite:", path, " --db=", uri));
  ASSERT_EQ(again_code, 0) << again;
  EXPECT_TRUE(absl::StrContains(again, "nothing new to copy")) << again;
  EXPECT_TRUE(absl::StrContains(again, "search documents built for 0 articles")) << again;

  ASSERT_OK_AND_ASSIGN(auto sqlite, SqliteArticleStore::Open(path));
  PostgresStoreOptions options;
  options.uri = uri;
  options.pool_size = 2;
  ASSERT_OK_AND_ASSIGN(auto postgres, PostgresArticleStore::Open(options));
  ContentCore from(*sqlite, CoreOptions());
  ContentCore to(*postgres, CoreOptions());

  // Every article, field for field, with every revision.
  for (const std::string& id : seeded.article_ids) {
    ASSERT_OK_AND_ASSIGN(const Article a, sqlite->GetArticle(id));
    ASSERT_OK_AND_ASSIGN(const Article b, postgres->GetArticle(id));
    ExpectSameArticle(a, b);
    ASSERT_OK_AND_ASSIGN(const auto ra, sqlite->ListRevisions(id, 0, 100));
    ASSERT_OK_AND_ASSIGN(const auto rb, postgres->ListRevisions(id, 0, 100));
    ASSERT_EQ(ra.size(), rb.size());
    for (size_t i = 0; i < ra.size(); ++i) {
      EXPECT_EQ(ra[i].revision, rb[i].revision);
      EXPECT_EQ(ra[i].author, rb[i].author);
      EXPECT_EQ(ra[i].changed_fields, rb[i].changed_fields);
      EXPECT_EQ(ra[i].create_time, rb[i].create_time);
      ExpectSameArticle(ra[i].article, rb[i].article);
    }
  }
  ASSERT_OK_AND_ASSIGN(const auto revisions, postgres->ListRevisions(seeded.renamed_id, 0, 100));
  EXPECT_EQ(revisions.size(), 5u);

  // Slugs: the current ones and every former one resolve through the core.
  for (const std::string& slug : seeded.former_slugs) {
    ArticleQuery q;
    q.slug = slug;
    ASSERT_OK_AND_ASSIGN(const ArticleRead read, to.GetArticle(kEditor, q));
    EXPECT_EQ(read.article.id, seeded.renamed_id) << slug;
    EXPECT_EQ(read.article.slug, "geneva-volunteer-meeting") << slug;
  }
  ArticleQuery demo;
  demo.slug = kDemoArticleSlug;
  demo.locale = "zh-CN";
  ASSERT_OK_AND_ASSIGN(const ArticleRead demo_read, to.GetArticle(kEditor, demo));
  EXPECT_EQ(demo_read.article.id, seeded.article_ids[0]);
  EXPECT_EQ(demo_read.returned_locale, "zh-CN");

  // Categories, lists, search.
  ASSERT_OK_AND_ASSIGN(auto ca, sqlite->ListCategories());
  ASSERT_OK_AND_ASSIGN(auto cb, postgres->ListCategories());
  ASSERT_EQ(ca.size(), cb.size());
  EXPECT_GE(ca.size(), 2u);
  for (const ArticleState state :
       {ArticleState::kPublished, ArticleState::kDraft, ArticleState::kScheduled}) {
    ArticleFilter filter;
    filter.state = state;
    EXPECT_EQ(sqlite->CountArticles(filter).value_or(-1),
              postgres->CountArticles(filter).value_or(-2));
  }
  for (const auto& [query, locale] :
       std::vector<std::pair<std::string, std::string>>{{"volunteer", ""},
                                                        {"volunteers geneva", "en"},
                                                        {"志愿者", "zh-CN"},
                                                        {"meeting", ""},
                                                        {"联合国", ""}}) {
    SCOPED_TRACE(query);
    const std::vector<std::string> expected = SearchIds(from, query, locale);
    EXPECT_EQ(SearchIds(to, query, locale), expected);
  }
  EXPECT_FALSE(SearchIds(to, "volunteer", "").empty());

  // Scheduling, request ids and the events still to send.
  ASSERT_OK_AND_ASSIGN(const auto next_a, sqlite->NextScheduledTime());
  ASSERT_OK_AND_ASSIGN(const auto next_b, postgres->NextScheduledTime());
  EXPECT_TRUE(next_b.has_value());
  EXPECT_EQ(next_a, next_b);
  Article retried;
  retried.default_locale = "en";
  retried.translations["en"] = Text("Created once", "", "<p>Retried by the client.</p>");
  ASSERT_OK_AND_ASSIGN(const Article again_created,
                       to.CreateArticle(kEditor, retried, "req-migrate-1"));
  EXPECT_EQ(again_created.id, seeded.request_id_article);
  ASSERT_OK_AND_ASSIGN(const auto pending, postgres->PendingEvents(1000));
  std::vector<std::string> pending_ids;
  for (const OutboxEvent& e : pending) pending_ids.push_back(e.event_id);
  EXPECT_EQ(pending_ids, seeded.unsent_event_ids);
  ASSERT_OK_AND_ASSIGN(const auto source_pending, sqlite->PendingEvents(1000));
  ASSERT_EQ(source_pending.size(), pending.size());
  for (size_t i = 0; i < pending.size(); ++i) {
    EXPECT_EQ(pending[i].payload, source_pending[i].payload);
    EXPECT_EQ(pending[i].article_id, source_pending[i].article_id);
    EXPECT_EQ(pending[i].create_time, source_pending[i].create_time);
  }
  EXPECT_EQ(postgres->CountOutboxEvents().value_or(-1),
            static_cast<int64_t>(seeded.unsent_event_ids.size()));
}

TEST_F(MigrateTest, ATargetHoldingAnotherArticleUnderACopiedSlugIsRefusedWithNothingWritten) {
  const std::string path = dir_.path() + "/content.db";
  const Seeded seeded = Seed(path);
  ASSERT_FALSE(seeded.former_slugs.empty());
  const std::string uri = NewDatabase("clash");
  PostgresStoreOptions options;
  options.uri = uri;
  {
    ASSERT_OK_AND_ASSIGN(auto postgres, PostgresArticleStore::Open(options));
    Article other;
    other.id = "00000000-0000-4000-8000-000000000001";
    other.slug = seeded.former_slugs[0];
    other.default_locale = "en";
    other.translations["en"] = Text("Someone else", "", "<p>x</p>");
    other.revision = 1;
    other.etag = "e";
    ASSERT_OK(postgres->CreateArticle(other, {"", "editor", false, absl::Now()}));
  }
  EXPECT_THAT(MigrateSqliteToPostgres(path, options),
              StatusIs(absl::StatusCode::kFailedPrecondition, "table slugs"));
  EXPECT_EQ(QueryOne(uri, "SELECT count(*) FROM articles"), "1");
  EXPECT_EQ(QueryOne(uri, "SELECT count(*) FROM categories"), "0");
  EXPECT_EQ(QueryOne(uri, "SELECT count(*) FROM search_docs"), "0");
  // The binary says so and exits 1.
  const auto [code, out] = RunContent(absl::StrCat("--migrate-from=sqlite:", path, " --db=", uri));
  EXPECT_EQ(code, 1) << out;
  EXPECT_TRUE(absl::StrContains(out, "nothing was written")) << out;
}

TEST_F(MigrateTest, PostgresRefusesANewerSchemaAndBackfillsSlugHistory) {
  const std::string uri = NewDatabase("schema");
  PostgresStoreOptions options;
  options.uri = uri;
  const int known = static_cast<int>(PgSchemaMigrations().size());
  {
    ASSERT_OK_AND_ASSIGN(auto postgres, PostgresArticleStore::Open(options));
    Article a;
    a.id = "00000000-0000-4000-8000-000000000002";
    a.slug = "first";
    a.default_locale = "en";
    a.translations["en"] = Text("T", "", "<p>x</p>");
    a.translations["en"].slug = "first-en";
    a.revision = 1;
    a.etag = "e";
    ASSERT_OK(postgres->CreateArticle(a, {"", "editor", false, absl::Now()}));
    ASSERT_OK(postgres->UpdateArticle(
        a.id, [](Article& x, const AncestorLookup&) -> absl::StatusOr<ArticleChange> {
          x.revision += 1;
          x.slug = "second";
          x.translations["en"].slug = "second-en";
          return ArticleChange{std::nullopt, "editor", {"slug"}};
        }));
  }
  // As schema version 1 left it: only the current slugs.
  EXPECT_EQ(QueryOne(uri, "DELETE FROM slugs WHERE slug IN ('first', 'first-en')"), "2");
  EXPECT_EQ(QueryOne(uri, "UPDATE schema_version SET version = 1"), "1");
  {
    ASSERT_OK_AND_ASSIGN(auto postgres, PostgresArticleStore::Open(options));
    for (const std::string slug : {"first", "first-en", "second", "second-en"}) {
      ASSERT_OK_AND_ASSIGN(const Article found, postgres->GetArticleBySlug(slug));
      EXPECT_EQ(found.slug, "second") << slug;
    }
  }
  EXPECT_EQ(QueryOne(uri, "SELECT version FROM schema_version"), std::to_string(known));
  EXPECT_EQ(QueryOne(uri, "UPDATE schema_version SET version = 99"), "1");
  EXPECT_THAT(PostgresArticleStore::Open(options),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       absl::StrCat("schema version 99, newer than version ", known)));
  EXPECT_EQ(QueryOne(uri, "SELECT version FROM schema_version"), "99");
}

// A search index built by an older release (version 1: no pairs) is rebuilt whole on the
// next start: every document again with its pairs, the GIN indexes and the word counts
// (search_terms) built after, the counts' triggers enabled again, and phrases found.
TEST_F(MigrateTest, AnOlderSearchIndexIsRebuiltWithPairsIndexesAndWordCounts) {
  const std::string uri = NewDatabase("reindex");
  PostgresStoreOptions options;
  options.uri = uri;
  const char* titles[] = {"alpha beta gamma", "beta alpha delta", "gamma alpha beta"};
  {
    ASSERT_OK_AND_ASSIGN(auto postgres, PostgresArticleStore::Open(options));
    for (int i = 0; i < 3; ++i) {
      Article a;
      a.id = absl::StrCat("00000000-0000-4000-8000-00000000001", i);
      a.slug = absl::StrCat("s", i);
      a.default_locale = "en";
      a.translations["en"] = Text(titles[i], "", "<p>body words</p>");
      a.translations["zh-CN"] = Text("志愿服务", "", "<p>服务志愿</p>");
      a.state = ArticleState::kPublished;
      a.publish_time = absl::FromUnixSeconds(1700000000 + i);
      a.revision = 1;
      a.etag = "e";
      ASSERT_OK(postgres->CreateArticle(a, {"", "editor", false, absl::Now()}));
    }
  }
  EXPECT_EQ(QueryOne(uri, "UPDATE search_docs SET pairs = ''"), "6");
  EXPECT_EQ(QueryOne(uri, "DELETE FROM search_terms WHERE term = 'alpha'"), "1");
  EXPECT_EQ(QueryOne(uri, "UPDATE relay_state SET value = '1' WHERE key = 'search_index'"), "1");
  ASSERT_OK_AND_ASSIGN(auto postgres, PostgresArticleStore::Open(options));
  EXPECT_EQ(QueryOne(uri, "SELECT count(*) FROM search_docs WHERE pairs = ''"), "0");
  EXPECT_EQ(QueryOne(uri, "SELECT count(*) FROM search_docs"), "6");
  EXPECT_EQ(QueryOne(uri,
                     "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM "
                     "pg_indexes WHERE tablename = 'search_docs'"),
            "search_docs_match,search_docs_newest,search_docs_pkey");
  EXPECT_EQ(QueryOne(uri,
                     "SELECT count(*) FROM pg_trigger WHERE tgrelid = "
                     "'search_docs'::regclass AND tgenabled = 'D'"),
            "0");
  EXPECT_EQ(QueryOne(uri, "SELECT docs FROM search_terms WHERE term = 'alpha'"), "3");
  EXPECT_EQ(QueryOne(uri,
                     "SELECT count(*) FROM (SELECT word, ndoc FROM ts_stat('SELECT "
                     "terms FROM search_docs') EXCEPT SELECT term, docs FROM search_terms) x"),
            "0");
  ASSERT_OK_AND_ASSIGN(std::vector<SearchHit> hits,
                       postgres->Search({ParseSearchQuery("志愿服务"), true}, "", {}, 10));
  EXPECT_EQ(hits.size(), 3u);
  // "alpha beta" as one phrase (a hyphen joins): the first and the third article.
  ASSERT_OK_AND_ASSIGN(hits, postgres->Search({ParseSearchQuery("alpha-beta"), true}, "", {}, 10));
  EXPECT_EQ(hits.size(), 2u);
  // The triggers count again: a new document's words.
  Article a;
  a.id = "00000000-0000-4000-8000-000000000019";
  a.slug = "s9";
  a.default_locale = "en";
  a.translations["en"] = Text("alpha", "", "<p>x</p>");
  a.state = ArticleState::kPublished;
  a.publish_time = absl::FromUnixSeconds(1700000009);
  a.revision = 1;
  a.etag = "e";
  ASSERT_OK(postgres->CreateArticle(a, {"", "editor", false, absl::Now()}));
  EXPECT_EQ(QueryOne(uri, "SELECT docs FROM search_terms WHERE term = 'alpha'"), "4");
}

// From 10,000 documents on, search estimates its statistics: N from the planner's row
// count, the mean length from a 1 % page sample (or every page when the sample has none), a
// phrase's documents from the pairs ANALYZE keeps for `pairs` when it keeps all of them,
// else counted through the index. Here a small index claims to be large: the matches and
// their order stay those of the exact statistics; the ranks change by the idfs.
TEST_F(MigrateTest, ALargeIndexEstimatesPhraseCountsFromTheKeptPairs) {
  const std::string uri = NewDatabase("estimates");
  PostgresStoreOptions options;
  options.uri = uri;
  ASSERT_OK_AND_ASSIGN(auto postgres, PostgresArticleStore::Open(options));
  for (int i = 0; i < 40; ++i) {
    Article a;
    a.id = absl::StrCat("00000000-0000-4000-8000-0000000001", 10 + i);
    a.slug = absl::StrCat("e", i);
    a.default_locale = "en";
    // "alpha beta" in every fourth document (10), "gamma delta" in every tenth (4); ANALYZE
    // keeps 10 pairs below (statistics target 1): the 8 of the words in every document and
    // the 2 of every fourth.
    std::string body = i % 4 == 0 ? "<p>alpha beta " : "<p>";
    absl::StrAppend(&body, "one two three four five six seven eight nine");
    if (i % 10 == 1) absl::StrAppend(&body, " gamma delta", i % 20 == 1 ? " gamma delta" : "");
    a.translations["en"] = Text(absl::StrCat("news ", i), "", body + "</p>");
    a.state = ArticleState::kPublished;
    a.publish_time = absl::FromUnixSeconds(1700000000 + i);
    a.revision = 1;
    a.etag = "e";
    ASSERT_OK(postgres->CreateArticle(a, {"", "editor", false, absl::Now()}));
  }
  auto search = [&](const char* text) {
    absl::StatusOr<std::vector<SearchHit>> hits =
        postgres->Search({ParseSearchQuery(text), true}, "", {}, 50);
    EXPECT_OK(hits);
    return hits.value_or(std::vector<SearchHit>());
  };
  const std::vector<SearchHit> exact_common = search("alpha-beta");
  const std::vector<SearchHit> exact_rare = search("gamma-delta");
  ASSERT_EQ(exact_common.size(), 10u);
  ASSERT_EQ(exact_rare.size(), 4u);
  QueryOne(uri, "ALTER TABLE search_docs ALTER COLUMN pairs SET STATISTICS 1");
  QueryOne(uri, "ANALYZE search_docs");
  EXPECT_EQ(QueryOne(uri,
                     "SELECT count(*) FROM pg_stats WHERE tablename = 'search_docs' AND attname "
                     "= 'pairs' AND 'alpha beta' = ANY(most_common_elems::text::text[]) AND "
                     "NOT 'gamma delta' = ANY(most_common_elems::text::text[])"),
            "1");
  EXPECT_EQ(
      QueryOne(uri, "UPDATE pg_class SET reltuples = 20000 WHERE oid = 'search_docs'::regclass"),
      "1");
  const std::vector<SearchHit> common = search("alpha-beta");
  const std::vector<SearchHit> rare = search("gamma-delta");
  ASSERT_EQ(common.size(), exact_common.size());
  ASSERT_EQ(rare.size(), exact_rare.size());
  for (size_t i = 0; i < common.size(); ++i) {
    EXPECT_EQ(common[i].article_id, exact_common[i].article_id);
  }
  for (size_t i = 0; i < rare.size(); ++i) EXPECT_EQ(rare[i].article_id, exact_rare[i].article_id);
  // The same frequencies and mean length: the ranks' ratio is the idfs'. Kept: a share of
  // 10/40 of 20,000; counted: 4 of 20,000.
  auto idf = [](double docs, double hits) { return std::log((docs - hits + 0.5) / (hits + 0.5)); };
  EXPECT_NEAR(common[0].rank / exact_common[0].rank, idf(20000, 5000) / idf(40, 10), 1e-9);
  EXPECT_NEAR(rare[0].rank / exact_rare[0].rank, idf(20000, 4) / idf(40, 4), 1e-9);
}

// A bulletin-content process on `db` (no Redis: it serves without), stopped when destroyed.
class ContentProcess {
 public:
  ContentProcess(const std::string& db, const std::string& dir, const std::string& name) {
    std::ofstream(dir + "/tokens") << "editor " << kEditorToken << "\n";
    address_ = absl::StrCat("127.0.0.1:", testing::FreePort());
    const std::string log = dir + "/" + name + ".log";
    started_ = process_.Start(
        testing::BinDir() + "/bulletin-content",
        {"--listen=" + address_, "--db=" + db,
         absl::StrCat("--redis=redis://127.0.0.1:", testing::FreePort()),
         "--auth-tokens-file=" + dir + "/tokens", "--site-base-url=https://news.example.org",
         "--token-key=migrate-test-key-0123456789"},
        {}, log);
    channel_ = grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
    stub_ = v1::ContentService::NewStub(channel_);
    if (started_.ok() &&
        !testing::WaitUntil(
            [this] {
              auto health = grpc::health::v1::Health::NewStub(channel_);
              grpc::ClientContext ctx;
              ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
              grpc::health::v1::HealthCheckResponse resp;
              return health->Check(&ctx, {}, &resp).ok() &&
                     resp.status() == grpc::health::v1::HealthCheckResponse::SERVING;
            },
            absl::Seconds(20))) {
      started_ = absl::DeadlineExceededError("not SERVING within 20 s; see " + log);
    }
  }
  ~ContentProcess() {
    stub_.reset();
    channel_.reset();
    process_.Stop(SIGTERM, absl::Seconds(15));
  }
  const absl::Status& started() const { return started_; }
  v1::ContentService::Stub& stub() { return *stub_; }

  static constexpr char kEditorToken[] = "editor-token-0123456789";

 private:
  testing::ChildProcess process_;
  std::string address_;
  absl::Status started_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ContentService::Stub> stub_;
};

std::unique_ptr<grpc::ClientContext> Ctx(bool editor) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (editor) {
    ctx->AddMetadata("authorization", absl::StrCat("Bearer ", ContentProcess::kEditorToken));
  }
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return ctx;
}

// Calls `method` with `request` on both services and expects the same answer (scores
// within 1e-9; page tokens, signed per process, left out).
template <typename Request, typename Response>
void ExpectSameAnswer(ContentProcess& sqlite, ContentProcess& postgres, const Request& request,
                      grpc::Status (v1::ContentService::Stub::*method)(grpc::ClientContext*,
                                                                       const Request&, Response*),
                      bool editor = true) {
  Response a, b;
  const grpc::Status sa = (sqlite.stub().*method)(Ctx(editor).get(), request, &a);
  const grpc::Status sb = (postgres.stub().*method)(Ctx(editor).get(), request, &b);
  SCOPED_TRACE(request.ShortDebugString());
  ASSERT_TRUE(sa.ok()) << sa.error_message();
  ASSERT_TRUE(sb.ok()) << sb.error_message();
  google::protobuf::util::DefaultFieldComparator comparator;
  comparator.set_float_comparison(google::protobuf::util::DefaultFieldComparator::APPROXIMATE);
  comparator.SetDefaultFractionAndMargin(1e-9, 1e-9);
  google::protobuf::util::MessageDifferencer differencer;
  differencer.set_field_comparator(&comparator);
  std::string diff;
  differencer.ReportDifferencesToString(&diff);
  const google::protobuf::FieldDescriptor* token =
      Response::descriptor()->FindFieldByName("next_page_token");
  if (token != nullptr) differencer.IgnoreField(token);
  EXPECT_TRUE(differencer.Compare(a, b)) << diff;
}

TEST_F(MigrateTest, TheMigratedDatabaseAnswersTheSameThroughTheApi) {
  const std::string path = dir_.path() + "/content.db";
  const Seeded seeded = Seed(path);
  ASSERT_EQ(seeded.article_ids.size(), 5u);
  const std::string uri = NewDatabase("api");
  const auto [code, out] = RunContent(absl::StrCat("--migrate-from=sqlite:", path, " --db=", uri));
  ASSERT_EQ(code, 0) << out;
  ContentProcess from("sqlite:" + path, dir_.path(), "sqlite");
  ASSERT_OK(from.started());
  ContentProcess to(uri, dir_.path(), "postgres");
  ASSERT_OK(to.started());
  using Stub = v1::ContentService::Stub;

  for (const std::string& id : seeded.article_ids) {
    v1::GetArticleRequest get;
    get.set_id(id);
    ExpectSameAnswer(from, to, get, &Stub::GetArticle);
    v1::ListArticleRevisionsRequest revisions;
    revisions.set_article_id(id);
    revisions.set_page_size(100);
    revisions.set_view(v1::ARTICLE_VIEW_FULL);
    ExpectSameAnswer(from, to, revisions, &Stub::ListArticleRevisions);
  }
  std::vector<std::string> slugs = seeded.former_slugs;
  slugs.push_back(kDemoArticleSlug);
  slugs.push_back("geneva-volunteer-meeting");
  for (const std::string& slug : slugs) {
    for (const std::string locale : {"", "en", "zh-CN"}) {
      v1::GetArticleRequest get;
      get.set_slug(slug);
      get.set_locale(locale);
      ExpectSameAnswer(from, to, get, &Stub::GetArticle, /*editor=*/false);
    }
  }
  for (const v1::ArticleState state :
       {v1::ARTICLE_STATE_PUBLISHED, v1::ARTICLE_STATE_DRAFT, v1::ARTICLE_STATE_SCHEDULED}) {
    v1::ListArticlesRequest list;
    list.set_state(state);
    list.set_page_size(100);
    ExpectSameAnswer(from, to, list, &Stub::ListArticles);
  }
  for (const std::string query : {"volunteer", "volunteers geneva", "志愿者", "meeting"}) {
    for (const std::string locale : {"", "zh-CN"}) {
      v1::SearchArticlesRequest search;
      search.set_query(query);
      search.set_locale(locale);
      ExpectSameAnswer(from, to, search, &Stub::SearchArticles, /*editor=*/false);
    }
  }
  v1::ListRelatedArticlesRequest related;
  related.set_article_id(seeded.renamed_id);
  ExpectSameAnswer(from, to, related, &Stub::ListRelatedArticles, /*editor=*/false);
  v1::ListCategoriesRequest categories;
  ExpectSameAnswer(from, to, categories, &Stub::ListCategories, /*editor=*/false);
}

}  // namespace
}  // namespace bulletin::content
