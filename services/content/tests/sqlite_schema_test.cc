// The SQLite store's schema versions (store/sqlite/sqlite_schema.h): a database migrated by
// a newer release is refused with FAILED_PRECONDITION naming both versions and left as it
// is, and a database from before slug history (schema version 2, where a rename dropped the
// former slug) gets its former slugs back from the revision snapshots when it is opened.
// Label sqlite: each test works on a file in its own temporary directory.
#include "services/content/store/sqlite/sqlite_schema.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/testing/process.h"
#include "common/testing/status_matchers.h"
#include "services/content/store/sqlite/sqlite_article_store.h"
#include "services/content/store/sqlite/sqlite_db.h"

namespace bulletin::content {
namespace {

using ::bulletin::testing::StatusIs;

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

int64_t SchemaVersion(const std::string& path) {
  auto db = SqliteDb::Open(path);
  EXPECT_OK(db);
  if (!db.ok()) return -1;
  auto q = (*db)->Prepare("SELECT MAX(version) FROM schema_version");
  EXPECT_OK(q);
  if (!q.ok()) return -1;
  EXPECT_OK(q->Step());
  return q->Int(0);
}

Article MakeArticle(const std::string& id, const std::string& slug) {
  Article a;
  a.id = id;
  a.slug = slug;
  a.default_locale = "en";
  a.translations["en"].title = "Title of " + id;
  a.translations["en"].body = "<p>Body</p>";
  a.translations["en"].slug = slug + "-en";
  a.create_time = a.update_time = kT0;
  a.revision = 1;
  a.etag = "etag-" + id;
  return a;
}

ArticleMutation Rename(const std::string& slug) {
  return [slug](Article& a, const AncestorLookup&) -> absl::StatusOr<ArticleChange> {
    a.revision += 1;
    a.slug = slug;
    a.translations["en"].slug = slug + "-en";
    return ArticleChange{std::nullopt, "editor", {"slug"}};
  };
}

TEST(SqliteSchemaTest, ANewerSchemaIsRefusedNamingBothVersions) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/content.db";
  { ASSERT_OK_AND_ASSIGN(auto store, SqliteArticleStore::Open(path)); }
  const int64_t known = static_cast<int64_t>(SchemaMigrations().size());
  EXPECT_EQ(SchemaVersion(path), known);
  {
    ASSERT_OK_AND_ASSIGN(auto db, SqliteDb::Open(path));
    ASSERT_OK(db->Exec("UPDATE schema_version SET version = 99"));
  }
  EXPECT_THAT(SqliteArticleStore::Open(path),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "schema version 99, newer than version " + std::to_string(known)));
  EXPECT_EQ(SchemaVersion(path), 99);
}

TEST(SqliteSchemaTest, ADatabaseFromBeforeSlugHistoryGetsItsFormerSlugsBack) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/content.db";
  {
    ASSERT_OK_AND_ASSIGN(auto store, SqliteArticleStore::Open(path));
    ASSERT_OK(store->CreateArticle(MakeArticle("a1", "first"), {"", "editor", false, kT0}));
    ASSERT_OK(store->UpdateArticle("a1", Rename("second")));
    ASSERT_OK(store->UpdateArticle("a1", Rename("third")));
    ASSERT_OK(store->CreateArticle(MakeArticle("b1", "other"), {"", "editor", false, kT0}));
  }
  {
    // As version 2 left it: only the current slugs, and "first" was free for b1 to take.
    ASSERT_OK_AND_ASSIGN(auto db, SqliteDb::Open(path));
    ASSERT_OK(
        db->Exec("DELETE FROM slugs WHERE slug NOT IN ('third', 'third-en', 'other', 'other-en');"
                 "UPDATE schema_version SET version = 2;"));
  }
  {
    ASSERT_OK_AND_ASSIGN(auto store, SqliteArticleStore::Open(path));
    for (const std::string slug : {"first", "first-en", "second", "second-en", "third"}) {
      ASSERT_OK_AND_ASSIGN(const Article found, store->GetArticleBySlug(slug));
      EXPECT_EQ(found.id, "a1") << slug;
      EXPECT_EQ(found.slug, "third") << slug;
    }
    EXPECT_EQ(store->GetArticleBySlug("other")->id, "b1");
    EXPECT_THAT(store->UpdateArticle("b1", Rename("second")),
                StatusIs(absl::StatusCode::kAlreadyExists, "article.slug"));
  }
  EXPECT_EQ(SchemaVersion(path), static_cast<int64_t>(SchemaMigrations().size()));
}

TEST(SqliteSchemaTest, BackfilledSlugsStayWithTheirLatestHolder) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/content.db";
  {
    ASSERT_OK_AND_ASSIGN(auto store, SqliteArticleStore::Open(path));
    ASSERT_OK(store->CreateArticle(MakeArticle("a1", "shared"), {"", "editor", false, kT0}));
    // Version 2 freed "shared" at this rename, so b1 could take it afterwards.
    ASSERT_OK(store->UpdateArticle("a1", Rename("renamed")));
    ASSERT_OK_AND_ASSIGN(auto db, SqliteDb::Open(path));
    ASSERT_OK(db->Exec("DELETE FROM slugs WHERE slug IN ('shared', 'shared-en')"));
    Article b = MakeArticle("b1", "shared");
    b.create_time = b.update_time = kT0 + absl::Hours(1);
    ASSERT_OK(store->CreateArticle(b, {"", "editor", false, kT0 + absl::Hours(1)}));
    ASSERT_OK(db->Exec("UPDATE schema_version SET version = 2"));
  }
  ASSERT_OK_AND_ASSIGN(auto store, SqliteArticleStore::Open(path));
  EXPECT_EQ(store->GetArticleBySlug("shared")->id, "b1");
  EXPECT_EQ(store->GetArticleBySlug("renamed")->id, "a1");
}

}  // namespace
}  // namespace bulletin::content
