// The batched copy of store/migrate (rows go to PostgreSQL in batches of 500, one array
// per column; search documents are built 500 articles at a time): a SQLite database of more
// articles than two batches, with text that array literals must escape (quotes,
// backslashes, braces, commas, the word NULL) and NULL columns, arrives whole: every row
// counted, each article read back equal on PostgreSQL, the last batch searchable, and a
// second run copies nothing. Label postgres.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/testing/postgres_server.h"
#include "common/testing/process.h"
#include "common/testing/status_matchers.h"
#include "services/content/core/search_query.h"
#include "services/content/store/migrate/sqlite_to_postgres.h"
#include "services/content/store/postgres/postgres_article_store.h"
#include "services/content/store/sqlite/sqlite_article_store.h"

namespace bulletin::content {
namespace {

constexpr int kArticles = 1103;  // two full batches and a part

Article MakeArticle(int i, const std::string& category_id, absl::Time now) {
  Article a;
  a.id = absl::StrCat("batch-article-", i);
  a.slug = absl::StrCat("batch-", i);
  a.category_id = i % 3 == 0 ? "" : category_id;  // NULL in the database
  a.tags = {absl::StrCat("tag ", i % 7), "quote \" and \\ backslash"};
  a.state = i % 10 == 0 ? ArticleState::kDraft : ArticleState::kPublished;
  a.default_locale = "en";
  if (a.state == ArticleState::kPublished) a.publish_time = now - absl::Minutes(i);
  a.create_time = a.update_time = now - absl::Minutes(i);
  a.revision = 1;
  a.etag = absl::StrCat("e", i);
  a.featured = i % 11 == 0;
  Translation en;
  en.title = absl::StrCat("Title {", i, "}, \"quoted\" \\ NULL");
  en.summary = i == kArticles - 1 ? "the zanzibarword summary" : "an ordinary summary";
  en.body = absl::StrCat("<p>Body of article ", i, ", with {braces} and NULL.</p>");
  en.update_time = a.update_time;
  a.translations["en"] = en;
  Translation zh;
  zh.title = absl::StrCat("标题 ", i);
  zh.body = "<p>志愿服务</p>";
  zh.slug = absl::StrCat("batch-zh-", i);
  zh.update_time = a.update_time;
  a.translations["zh-CN"] = zh;
  return a;
}

int64_t Copied(const MigrationReport& report, const std::string& table) {
  for (const MigrationTable& t : report.tables) {
    if (t.name == table) return t.copied;
  }
  return -1;
}

TEST(MigrateBatchTest, MoreArticlesThanTwoBatchesArriveWholeAndSearchable) {
  auto server = testing::PostgresServer::Start();
  ASSERT_OK(server);
  ASSERT_OK_AND_ASSIGN(const std::string uri, (*server)->CreateDatabase("batched"));
  testing::TempDir dir;
  const std::string path = dir.path() + "/content.db";
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  std::vector<Article> written;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteArticleStore> sqlite,
                         SqliteArticleStore::Open(path));
    Category c;
    c.id = "batch-category";
    c.slug = "batch-category";
    c.default_locale = "en";
    c.translations["en"].name = "Batch";
    c.create_time = c.update_time = now;
    c.etag = "c";
    ASSERT_OK(sqlite->CreateCategory(c, "", now));
    NewArticleOptions options;
    options.author = "test";
    options.now = now;
    for (int i = 0; i < kArticles; ++i) {
      ASSERT_OK_AND_ASSIGN(Article a, sqlite->CreateArticle(MakeArticle(i, c.id, now), options));
      written.push_back(std::move(a));
    }
  }
  PostgresStoreOptions target;
  target.uri = uri;
  ASSERT_OK_AND_ASSIGN(const MigrationReport report, MigrateSqliteToPostgres(path, target));
  EXPECT_EQ(Copied(report, "articles"), kArticles);
  EXPECT_EQ(Copied(report, "article_translations"), 2 * kArticles);
  EXPECT_EQ(Copied(report, "article_tags"), 2 * kArticles);
  EXPECT_EQ(Copied(report, "slugs"), 2 * kArticles);
  EXPECT_EQ(Copied(report, "article_revisions"), kArticles);
  EXPECT_EQ(report.indexed_articles, kArticles);

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<PostgresArticleStore> pg,
                       PostgresArticleStore::Open(target));
  for (const Article& want : written) {
    ASSERT_OK_AND_ASSIGN(const Article got, pg->GetArticle(want.id));
    EXPECT_EQ(got.slug, want.slug);
    EXPECT_EQ(got.category_id, want.category_id) << want.id;
    EXPECT_EQ(got.tags, want.tags) << want.id;
    EXPECT_EQ(got.state, want.state);
    EXPECT_EQ(got.publish_time, want.publish_time);
    EXPECT_EQ(got.featured, want.featured);
    EXPECT_EQ(got.etag, want.etag);
    ASSERT_EQ(got.translations.size(), 2u);
    EXPECT_EQ(got.translations.at("en").title, want.translations.at("en").title);
    EXPECT_EQ(got.translations.at("en").body, want.translations.at("en").body);
    EXPECT_EQ(got.translations.at("zh-CN").slug, want.translations.at("zh-CN").slug);
  }
  // Search documents for the published articles only, the last batch's included.
  const TextQuery last{ParseSearchQuery("zanzibarword"), true};
  ASSERT_OK_AND_ASSIGN(const std::vector<SearchHit> hits, pg->Search(last, "", {}, 10));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].article_id, written.back().id);
  const TextQuery all{ParseSearchQuery("志愿服务"), true};
  ASSERT_OK_AND_ASSIGN(const std::vector<SearchHit> zh, pg->Search(all, "zh-CN", {}, 2000));
  EXPECT_EQ(zh.size(), static_cast<size_t>(kArticles - (kArticles + 9) / 10));

  ASSERT_OK_AND_ASSIGN(const MigrationReport again, MigrateSqliteToPostgres(path, target));
  EXPECT_EQ(again.copied(), 0);
  EXPECT_EQ(again.indexed_articles, 0);
}

}  // namespace
}  // namespace bulletin::content
