#include "services/content/store/sqlite/sqlite_article_store.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"
#include "services/content/store/sqlite/sqlite_fts.h"
#include "services/content/store/sqlite/sqlite_internal.h"
#include "services/content/store/sqlite/sqlite_schema.h"

namespace bulletin::content {

absl::StatusOr<std::unique_ptr<SqliteArticleStore>> SqliteArticleStore::Open(
    const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, SqliteDb::Open(path));
  RETURN_IF_ERROR(RegisterSearchTokenizer(db->handle()));
  RETURN_IF_ERROR(db->Migrate(SchemaMigrations()));
  std::unique_ptr<SqliteArticleStore> store(new SqliteArticleStore(std::move(db)));
  {
    absl::MutexLock lock(&store->mu_);
    RETURN_IF_ERROR(store->RebuildSearchIndexIfStale());
  }
  return store;
}

// ---- request ids ------------------------------------------------------------------------

absl::StatusOr<std::string> SqliteArticleStore::FindRequest(const std::string& kind,
                                                            const std::string& request_id,
                                                            absl::Time now) {
  ASSIGN_OR_RETURN(Statement q,
                   db_->Prepare("SELECT resource_id FROM request_ids "
                                "WHERE kind = ? AND request_id = ? AND create_time >= ?"));
  q.BindText(1, kind).BindText(2, request_id).BindInt(3, Micros(now - kRequestIdWindow));
  ASSIGN_OR_RETURN(bool row, q.Step());
  return row ? q.Text(0) : std::string();
}

absl::Status SqliteArticleStore::SaveRequest(const std::string& kind, const std::string& request_id,
                                             const std::string& resource_id, absl::Time now) {
  // REPLACE: an expired entry for the same request_id gives way to the new one.
  ASSIGN_OR_RETURN(Statement q, db_->Prepare("INSERT OR REPLACE INTO request_ids "
                                             "(kind, request_id, resource_id, create_time) "
                                             "VALUES (?, ?, ?, ?)"));
  q.BindText(1, kind).BindText(2, request_id).BindText(3, resource_id).BindInt(4, Micros(now));
  return q.Run();
}

// ---- articles ---------------------------------------------------------------------------

void ReadArticleRow(const Statement& q, Article& a) {
  a.id = q.Text(0);
  a.slug = q.Text(1);
  a.category_id = q.Text(2);
  a.state = static_cast<ArticleState>(q.Int(3));
  a.default_locale = q.Text(4);
  if (!q.IsNull(5)) a.publish_time = FromMicros(q.Int(5));
  a.create_time = FromMicros(q.Int(6));
  a.update_time = FromMicros(q.Int(7));
  a.revision = q.Int(8);
  a.etag = q.Text(9);
  a.featured = q.Int(10) != 0;
  if (!q.IsNull(11)) a.delete_time = FromMicros(q.Int(11));
}

absl::StatusOr<Article> SqliteArticleStore::LoadArticle(const std::string& id) {
  Article a;
  {
    ASSIGN_OR_RETURN(Statement q, db_->Prepare(absl::StrCat(kArticleColumns, "WHERE id = ?")));
    q.BindText(1, id);
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return absl::NotFoundError(absl::StrCat("article \"", Excerpt(id), "\" not found"));
    ReadArticleRow(q, a);
  }
  RETURN_IF_ERROR(LoadArticleParts(a, 0));
  return a;
}

absl::Status SqliteArticleStore::LoadArticleParts(Article& a, int64_t revision) {
  const bool live = revision == 0;
  {
    ASSIGN_OR_RETURN(
        Statement t,
        db_->Prepare(absl::StrCat(
            "SELECT locale, title, summary, body, cover_image_url, cover_image_caption, "
            "cover_image_alt, slug, outdated, update_time FROM ",
            live ? "article_translations WHERE article_id = ?1"
                 : "article_revision_translations WHERE article_id = ?1 AND revision = ?2")));
    t.BindText(1, a.id);
    if (!live) t.BindInt(2, revision);
    for (;;) {
      ASSIGN_OR_RETURN(bool row, t.Step());
      if (!row) break;
      Translation& tr = a.translations[t.Text(0)];
      tr.title = t.Text(1);
      tr.summary = t.Text(2);
      tr.body = t.Text(3);
      tr.cover_image_url = t.Text(4);
      tr.cover_image_caption = t.Text(5);
      tr.cover_image_alt = t.Text(6);
      tr.slug = t.Text(7);
      tr.outdated = t.Int(8) != 0;
      tr.update_time = FromMicros(t.Int(9));
    }
  }
  ASSIGN_OR_RETURN(Statement g,
                   db_->Prepare(absl::StrCat(
                       "SELECT tag FROM ",
                       live ? "article_tags WHERE article_id = ?1"
                            : "article_revision_tags WHERE article_id = ?1 AND revision = ?2",
                       " ORDER BY position")));
  g.BindText(1, a.id);
  if (!live) g.BindInt(2, revision);
  for (;;) {
    ASSIGN_OR_RETURN(bool row, g.Step());
    if (!row) break;
    a.tags.push_back(g.Text(0));
  }
  return absl::OkStatus();
}

absl::Status SqliteArticleStore::WriteRevision(const std::string& id, const std::string& author,
                                               const std::vector<std::string>& changed_fields,
                                               absl::Time now) {
  {
    ASSIGN_OR_RETURN(
        Statement q,
        db_->Prepare("INSERT INTO article_revisions SELECT id, revision, slug, category_id, "
                     "state, default_locale, publish_time, create_time, update_time, etag, "
                     "featured, delete_time, ?2, ?3, ?4 FROM articles WHERE id = ?1"));
    q.BindText(1, id).BindText(2, author).BindText(3, absl::StrJoin(changed_fields, ","));
    RETURN_IF_ERROR(q.BindInt(4, Micros(now)).Run());
  }
  {
    ASSIGN_OR_RETURN(
        Statement q,
        db_->Prepare("INSERT INTO article_revision_translations SELECT t.article_id, "
                     "a.revision, t.locale, t.title, t.summary, t.body, t.cover_image_url, "
                     "t.cover_image_caption, t.cover_image_alt, t.slug, t.outdated, "
                     "t.update_time FROM article_translations t JOIN articles a "
                     "ON a.id = t.article_id WHERE t.article_id = ?1"));
    RETURN_IF_ERROR(q.BindText(1, id).Run());
  }
  ASSIGN_OR_RETURN(
      Statement q,
      db_->Prepare("INSERT INTO article_revision_tags SELECT g.article_id, a.revision, "
                   "g.position, g.tag FROM article_tags g JOIN articles a "
                   "ON a.id = g.article_id WHERE g.article_id = ?1"));
  return q.BindText(1, id).Run();
}

absl::StatusOr<std::string> SqliteArticleStore::SlugOwner(const std::string& slug) {
  ASSIGN_OR_RETURN(Statement q, db_->Prepare("SELECT article_id FROM slugs WHERE slug = ?"));
  ASSIGN_OR_RETURN(bool row, q.BindText(1, slug).Step());
  return row ? q.Text(0) : std::string();
}

absl::Status SqliteArticleStore::WriteArticle(const Article& a, bool insert) {
  // Every slug of the article (its own and its translations'), with the field naming it.
  std::vector<std::pair<std::string, std::string>> slugs = {{a.slug, "article.slug"}};
  for (const auto& [locale, tr] : a.translations) {
    if (!tr.slug.empty()) {
      slugs.emplace_back(tr.slug, absl::StrCat("article.translations[", locale, "].slug"));
    }
  }
  for (const auto& [slug, field] : slugs) {
    ASSIGN_OR_RETURN(std::string owner, SlugOwner(slug));
    if (!owner.empty() && owner != a.id) {
      return absl::AlreadyExistsError(
          absl::StrCat(field, ": \"", Excerpt(slug), "\" is already used by another article"));
    }
  }
  {
    ASSIGN_OR_RETURN(
        Statement q,
        db_->Prepare(
            insert
                ? "INSERT INTO articles (slug, category_id, state, default_locale, publish_time, "
                  "create_time, update_time, revision, etag, featured, delete_time, id) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                : "UPDATE articles SET slug = ?, category_id = ?, state = ?, default_locale = ?, "
                  "publish_time = ?, create_time = ?, update_time = ?, revision = ?, etag = ?, "
                  "featured = ?, delete_time = ? WHERE id = ?"));
    q.BindText(1, a.slug);
    a.category_id.empty() ? q.BindNull(2) : q.BindText(2, a.category_id);
    q.BindInt(3, static_cast<int64_t>(a.state)).BindText(4, a.default_locale);
    a.publish_time ? q.BindInt(5, Micros(*a.publish_time)) : q.BindNull(5);
    q.BindInt(6, Micros(a.create_time)).BindInt(7, Micros(a.update_time));
    q.BindInt(8, a.revision).BindText(9, a.etag).BindInt(10, a.featured ? 1 : 0);
    a.delete_time ? q.BindInt(11, Micros(*a.delete_time)) : q.BindNull(11);
    absl::Status s = q.BindText(12, a.id).Run();
    if (absl::IsFailedPrecondition(s)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "article.category_id: no category with id \"", Excerpt(a.category_id), "\""));
    }
    RETURN_IF_ERROR(s);
  }
  // Slugs are never deleted: a former slug stays the article's (slug history).
  for (const char* sql : {"DELETE FROM article_translations WHERE article_id = ?",
                          "DELETE FROM article_tags WHERE article_id = ?"}) {
    ASSIGN_OR_RETURN(Statement d, db_->Prepare(sql));
    RETURN_IF_ERROR(d.BindText(1, a.id).Run());
  }
  for (const auto& [locale, tr] : a.translations) {
    ASSIGN_OR_RETURN(
        Statement t,
        db_->Prepare(
            "INSERT INTO article_translations (article_id, locale, title, summary, body, "
            "cover_image_url, cover_image_caption, cover_image_alt, slug, outdated, update_time) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    t.BindText(1, a.id).BindText(2, locale).BindText(3, tr.title).BindText(4, tr.summary);
    t.BindText(5, tr.body).BindText(6, tr.cover_image_url).BindText(7, tr.cover_image_caption);
    t.BindText(8, tr.cover_image_alt).BindText(9, tr.slug).BindInt(10, tr.outdated ? 1 : 0);
    RETURN_IF_ERROR(t.BindInt(11, Micros(tr.update_time)).Run());
  }
  for (size_t i = 0; i < a.tags.size(); ++i) {
    ASSIGN_OR_RETURN(
        Statement t,
        db_->Prepare("INSERT INTO article_tags (article_id, position, tag) VALUES (?, ?, ?)"));
    RETURN_IF_ERROR(
        t.BindText(1, a.id).BindInt(2, static_cast<int64_t>(i)).BindText(3, a.tags[i]).Run());
  }
  std::set<std::string> distinct;
  for (const auto& entry : slugs) distinct.insert(entry.first);
  for (const std::string& slug : distinct) {
    // Checked above: each slug is free or already this article's (kept from before).
    ASSIGN_OR_RETURN(Statement t, db_->Prepare("INSERT INTO slugs (slug, article_id) SELECT ?1, ?2 "
                                               "WHERE NOT EXISTS (SELECT 1 FROM slugs "
                                               "WHERE slug = ?1)"));
    RETURN_IF_ERROR(t.BindText(1, slug).BindText(2, a.id).Run());
  }
  return IndexArticle(a);
}

absl::StatusOr<Article> SqliteArticleStore::CreateArticle(const Article& article,
                                                          const NewArticleOptions& options) {
  absl::MutexLock lock(&mu_);
  std::string id = article.id;
  absl::Status s = db_->Transaction([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> absl::Status {
    if (!options.request_id.empty()) {
      ASSIGN_OR_RETURN(std::string found, FindRequest("article", options.request_id, options.now));
      if (!found.empty()) {
        id = found;
        return absl::OkStatus();
      }
    }
    Article a = article;
    if (options.derived_slug) {
      for (int n = 1;; ++n) {
        if (n > 1000) return absl::InternalError("no free slug after 1000 suffixes");
        std::string candidate = n == 1 ? article.slug : SuffixedSlug(article.slug, n);
        ASSIGN_OR_RETURN(std::string owner, SlugOwner(candidate));
        if (owner.empty()) {
          a.slug = candidate;
          break;
        }
      }
    }
    RETURN_IF_ERROR(WriteArticle(a, /*insert=*/true));
    RETURN_IF_ERROR(WriteRevision(a.id, options.author, {}, options.now));
    if (!options.request_id.empty()) {
      RETURN_IF_ERROR(SaveRequest("article", options.request_id, a.id, options.now));
    }
    return absl::OkStatus();
  });
  RETURN_IF_ERROR(s);
  return LoadArticle(id);
}

absl::StatusOr<Article> SqliteArticleStore::GetArticle(const std::string& id) {
  absl::MutexLock lock(&mu_);
  return LoadArticle(id);
}

absl::StatusOr<Article> SqliteArticleStore::GetArticleBySlug(const std::string& slug) {
  absl::MutexLock lock(&mu_);
  std::string id;
  {
    ASSIGN_OR_RETURN(std::string owner, SlugOwner(slug));
    id = owner;
  }
  if (id.empty()) {
    return absl::NotFoundError(absl::StrCat("article \"", Excerpt(slug), "\" not found"));
  }
  return LoadArticle(id);
}

absl::StatusOr<Article> SqliteArticleStore::UpdateArticle(const std::string& id,
                                                          const ArticleMutation& mutate) {
  absl::MutexLock lock(&mu_);
  Article result;
  absl::Status s = db_->Transaction([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> absl::Status {
    ASSIGN_OR_RETURN(Article a, LoadArticle(id));
    const int64_t revision = a.revision;
    AncestorLookup ancestors_of =
        [this](const std::string& category_id)
            ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> absl::StatusOr<std::vector<std::string>> {
      ASSIGN_OR_RETURN(std::vector<Category> path, LoadAncestors(category_id));
      std::vector<std::string> ids;
      for (const Category& c : path) ids.push_back(c.id);
      return ids;
    };
    ASSIGN_OR_RETURN(ArticleChange change, mutate(a, ancestors_of));
    if (a.revision == revision) return absl::InternalError("a mutation must bump the revision");
    RETURN_IF_ERROR(WriteArticle(a, /*insert=*/false));
    RETURN_IF_ERROR(WriteRevision(a.id, change.author, change.changed_fields, a.update_time));
    if (change.event.has_value()) RETURN_IF_ERROR(InsertOutbox(*change.event));
    result = a;
    return absl::OkStatus();
  });
  RETURN_IF_ERROR(s);
  return result;
}

}  // namespace bulletin::content
