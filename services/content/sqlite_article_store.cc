#include "services/content/sqlite_article_store.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "services/content/sqlite_internal.h"
#include "services/content/sqlite_schema.h"
#include "services/content/text_rules.h"

namespace bulletin::content {

namespace {

std::string Suffixed(const std::string& base, int n) {
  std::string suffix = absl::StrCat("-", n);
  std::string head = base.substr(0, kMaxSlugLength - suffix.size());
  while (!head.empty() && head.back() == '-') head.pop_back();
  return head + suffix;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteArticleStore>> SqliteArticleStore::Open(
    const std::string& path) {
  ASSIGN_OR_RETURN(db, SqliteDb::Open(path));
  RETURN_IF_ERROR(db->Migrate(SchemaMigrations()));
  return std::unique_ptr<SqliteArticleStore>(new SqliteArticleStore(std::move(db)));
}

// ---- request ids ------------------------------------------------------------------------

absl::StatusOr<std::string> SqliteArticleStore::FindRequest(const std::string& kind,
                                                            const std::string& request_id,
                                                            absl::Time now) {
  ASSIGN_OR_RETURN(q, db_->Prepare("SELECT resource_id FROM request_ids "
                                   "WHERE kind = ? AND request_id = ? AND create_time >= ?"));
  q.BindText(1, kind).BindText(2, request_id).BindInt(3, Micros(now - kRequestIdWindow));
  ASSIGN_OR_RETURN(row, q.Step());
  return row ? q.Text(0) : std::string();
}

absl::Status SqliteArticleStore::SaveRequest(const std::string& kind, const std::string& request_id,
                                             const std::string& resource_id, absl::Time now) {
  // REPLACE: an expired entry for the same request_id gives way to the new one.
  ASSIGN_OR_RETURN(q, db_->Prepare("INSERT OR REPLACE INTO request_ids "
                                   "(kind, request_id, resource_id, create_time) "
                                   "VALUES (?, ?, ?, ?)"));
  q.BindText(1, kind).BindText(2, request_id).BindText(3, resource_id).BindInt(4, Micros(now));
  return q.Run();
}

// ---- articles ---------------------------------------------------------------------------

absl::StatusOr<Article> SqliteArticleStore::LoadArticle(const std::string& sql,
                                                        const std::string& key) {
  Article a;
  {
    ASSIGN_OR_RETURN(q, db_->Prepare(sql));
    q.BindText(1, key);
    ASSIGN_OR_RETURN(row, q.Step());
    if (!row) return absl::NotFoundError(absl::StrCat("article \"", key, "\" not found"));
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
  {
    ASSIGN_OR_RETURN(
        t,
        db_->Prepare("SELECT locale, title, summary, body, cover_image_url, cover_image_caption, "
                     "cover_image_alt, slug, outdated, update_time FROM article_translations "
                     "WHERE article_id = ?"));
    t.BindText(1, a.id);
    for (;;) {
      ASSIGN_OR_RETURN(row, t.Step());
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
  ASSIGN_OR_RETURN(
      g, db_->Prepare("SELECT tag FROM article_tags WHERE article_id = ? ORDER BY position"));
  g.BindText(1, a.id);
  for (;;) {
    ASSIGN_OR_RETURN(row, g.Step());
    if (!row) break;
    a.tags.push_back(g.Text(0));
  }
  return a;
}

absl::StatusOr<std::string> SqliteArticleStore::SlugOwner(const std::string& slug) {
  ASSIGN_OR_RETURN(q, db_->Prepare("SELECT article_id FROM slugs WHERE slug = ?"));
  ASSIGN_OR_RETURN(row, q.BindText(1, slug).Step());
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
    ASSIGN_OR_RETURN(owner, SlugOwner(slug));
    if (!owner.empty() && owner != a.id) {
      return absl::AlreadyExistsError(
          absl::StrCat(field, ": \"", slug, "\" is already used by another article"));
    }
  }
  {
    ASSIGN_OR_RETURN(
        q,
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
      return absl::FailedPreconditionError(
          absl::StrCat("article.category_id: no category with id \"", a.category_id, "\""));
    }
    RETURN_IF_ERROR(s);
  }
  for (const char* sql : {"DELETE FROM article_translations WHERE article_id = ?",
                          "DELETE FROM article_tags WHERE article_id = ?",
                          "DELETE FROM slugs WHERE article_id = ?"}) {
    ASSIGN_OR_RETURN(d, db_->Prepare(sql));
    RETURN_IF_ERROR(d.BindText(1, a.id).Run());
  }
  for (const auto& [locale, tr] : a.translations) {
    ASSIGN_OR_RETURN(
        t,
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
        t, db_->Prepare("INSERT INTO article_tags (article_id, position, tag) VALUES (?, ?, ?)"));
    RETURN_IF_ERROR(
        t.BindText(1, a.id).BindInt(2, static_cast<int64_t>(i)).BindText(3, a.tags[i]).Run());
  }
  std::set<std::string> distinct;
  for (const auto& entry : slugs) distinct.insert(entry.first);
  for (const std::string& slug : distinct) {
    ASSIGN_OR_RETURN(t, db_->Prepare("INSERT INTO slugs (slug, article_id) VALUES (?, ?)"));
    RETURN_IF_ERROR(t.BindText(1, slug).BindText(2, a.id).Run());
  }
  return absl::OkStatus();
}

absl::StatusOr<Article> SqliteArticleStore::CreateArticle(const Article& article,
                                                          const NewArticleOptions& options) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string id = article.id;
  absl::Status s = db_->Transaction([&]() -> absl::Status {
    if (!options.request_id.empty()) {
      ASSIGN_OR_RETURN(found, FindRequest("article", options.request_id, options.now));
      if (!found.empty()) {
        id = found;
        return absl::OkStatus();
      }
    }
    Article a = article;
    if (options.derived_slug) {
      for (int n = 1;; ++n) {
        if (n > 1000) return absl::InternalError("no free slug after 1000 suffixes");
        std::string candidate = n == 1 ? article.slug : Suffixed(article.slug, n);
        ASSIGN_OR_RETURN(owner, SlugOwner(candidate));
        if (owner.empty()) {
          a.slug = candidate;
          break;
        }
      }
    }
    RETURN_IF_ERROR(WriteArticle(a, /*insert=*/true));
    if (!options.request_id.empty()) {
      RETURN_IF_ERROR(SaveRequest("article", options.request_id, a.id, options.now));
    }
    return absl::OkStatus();
  });
  RETURN_IF_ERROR(s);
  return LoadArticle(absl::StrCat(kArticleColumns, "WHERE id = ?"), id);
}

absl::StatusOr<Article> SqliteArticleStore::GetArticle(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  return LoadArticle(absl::StrCat(kArticleColumns, "WHERE id = ?"), id);
}

absl::StatusOr<Article> SqliteArticleStore::GetArticleBySlug(const std::string& slug) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string id;
  {
    ASSIGN_OR_RETURN(owner, SlugOwner(slug));
    id = owner;
  }
  if (id.empty()) return absl::NotFoundError(absl::StrCat("article \"", slug, "\" not found"));
  return LoadArticle(absl::StrCat(kArticleColumns, "WHERE id = ?"), id);
}

absl::StatusOr<Article> SqliteArticleStore::UpdateArticle(const std::string& id,
                                                          const ArticleMutation& mutate) {
  std::lock_guard<std::mutex> lock(mu_);
  Article result;
  absl::Status s = db_->Transaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(a, LoadArticle(absl::StrCat(kArticleColumns, "WHERE id = ?"), id));
    std::vector<std::string> ancestor_ids;
    if (!a.category_id.empty()) {
      ASSIGN_OR_RETURN(path, LoadAncestors(a.category_id));
      for (const Category& c : path) ancestor_ids.push_back(c.id);
    }
    ASSIGN_OR_RETURN(event, mutate(a, ancestor_ids));
    RETURN_IF_ERROR(WriteArticle(a, /*insert=*/false));
    if (event.has_value()) RETURN_IF_ERROR(InsertOutbox(*event));
    result = a;
    return absl::OkStatus();
  });
  RETURN_IF_ERROR(s);
  return result;
}

}  // namespace bulletin::content
