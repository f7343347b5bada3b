// The PostgreSQL store's row-level steps for articles: reading an article with its parts,
// writing it with its slugs, translations, tags and search documents, revision snapshots,
// and request ids. Each runs on the connection of the caller's transaction.
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"
#include "services/content/store/postgres/pg_internal.h"

namespace bulletin::content::pg_internal {
namespace {

constexpr char kTranslationColumns[] =
    "locale, title, summary, body, cover_image_url, cover_image_caption, cover_image_alt, slug, "
    "outdated, update_time";

// Reads kTranslationColumns starting at column `first` of `row`.
void ReadTranslation(const PgResult& r, int row, int first, Article& a) {
  Translation& tr = a.translations[r.Text(row, first)];
  tr.title = r.Text(row, first + 1);
  tr.summary = r.Text(row, first + 2);
  tr.body = r.Text(row, first + 3);
  tr.cover_image_url = r.Text(row, first + 4);
  tr.cover_image_caption = r.Text(row, first + 5);
  tr.cover_image_alt = r.Text(row, first + 6);
  tr.slug = r.Text(row, first + 7);
  tr.outdated = r.Bool(row, first + 8);
  tr.update_time = FromMicros(r.Int(row, first + 9));
}

}  // namespace

void ReadArticleRow(const PgResult& r, int row, Article& a) {
  a.id = r.Text(row, 0);
  a.slug = r.Text(row, 1);
  a.category_id = r.Text(row, 2);
  a.state = static_cast<ArticleState>(r.Int(row, 3));
  a.default_locale = r.Text(row, 4);
  if (!r.IsNull(row, 5)) a.publish_time = FromMicros(r.Int(row, 5));
  a.create_time = FromMicros(r.Int(row, 6));
  a.update_time = FromMicros(r.Int(row, 7));
  a.revision = r.Int(row, 8);
  a.etag = r.Text(row, 9);
  a.featured = r.Bool(row, 10);
  if (!r.IsNull(row, 11)) a.delete_time = FromMicros(r.Int(row, 11));
}

absl::StatusOr<Article> LoadArticle(PgConnection& db, const std::string& id, bool for_update) {
  Article a;
  ASSIGN_OR_RETURN(PgResult r, db.Exec(absl::StrCat(kArticleColumns, "WHERE id = $1",
                                                    for_update ? " FOR UPDATE" : ""),
                                       PgParams().Text(id)));
  if (r.rows() == 0) {
    return absl::NotFoundError(absl::StrCat("article \"", Excerpt(id), "\" not found"));
  }
  ReadArticleRow(r, 0, a);
  RETURN_IF_ERROR(LoadArticleParts(db, {&a}));
  return a;
}

absl::Status LoadArticleParts(PgConnection& db, const std::vector<Article*>& articles) {
  if (articles.empty()) return absl::OkStatus();
  std::vector<std::string> ids;
  std::map<std::string, Article*> by_id;
  for (Article* a : articles) {
    ids.push_back(a->id);
    by_id[a->id] = a;
  }
  {
    ASSIGN_OR_RETURN(PgResult r, db.Exec(absl::StrCat("SELECT article_id, ", kTranslationColumns,
                                                      " FROM article_translations "
                                                      "WHERE article_id = ANY($1::text[])"),
                                         PgParams().TextArray(ids)));
    for (int i = 0; i < r.rows(); ++i) ReadTranslation(r, i, 1, *by_id.at(r.Text(i, 0)));
  }
  ASSIGN_OR_RETURN(PgResult r, db.Exec("SELECT article_id, tag FROM article_tags WHERE "
                                       "article_id = ANY($1::text[]) ORDER BY article_id, position",
                                       PgParams().TextArray(ids)));
  for (int i = 0; i < r.rows(); ++i) by_id.at(r.Text(i, 0))->tags.push_back(r.Text(i, 1));
  return absl::OkStatus();
}

absl::Status LoadRevisionParts(PgConnection& db, const std::string& id,
                               const std::vector<ArticleRevision*>& revisions) {
  if (revisions.empty()) return absl::OkStatus();
  std::vector<std::string> numbers;
  std::map<int64_t, Article*> by_revision;
  for (ArticleRevision* r : revisions) {
    numbers.push_back(absl::StrCat(r->revision));
    by_revision[r->revision] = &r->article;
  }
  {
    ASSIGN_OR_RETURN(PgResult r,
                     db.Exec(absl::StrCat("SELECT revision, ", kTranslationColumns,
                                          " FROM article_revision_translations WHERE "
                                          "article_id = $1 AND revision = ANY($2::bigint[])"),
                             PgParams().Text(id).TextArray(numbers)));
    for (int i = 0; i < r.rows(); ++i) ReadTranslation(r, i, 1, *by_revision.at(r.Int(i, 0)));
  }
  ASSIGN_OR_RETURN(PgResult r, db.Exec("SELECT revision, tag FROM article_revision_tags WHERE "
                                       "article_id = $1 AND revision = ANY($2::bigint[]) "
                                       "ORDER BY revision, position",
                                       PgParams().Text(id).TextArray(numbers)));
  for (int i = 0; i < r.rows(); ++i) by_revision.at(r.Int(i, 0))->tags.push_back(r.Text(i, 1));
  return absl::OkStatus();
}

absl::StatusOr<std::string> SlugOwner(PgConnection& db, const std::string& slug) {
  ASSIGN_OR_RETURN(PgResult r,
                   db.Exec("SELECT article_id FROM slugs WHERE slug = $1", PgParams().Text(slug)));
  return r.rows() > 0 ? r.Text(0, 0) : std::string();
}

absl::Status WriteArticle(PgConnection& db, const Article& a, bool insert) {
  // Every slug of the article (its own and its translations'), with the field naming it.
  std::vector<std::pair<std::string, std::string>> slugs = {{a.slug, "article.slug"}};
  for (const auto& [locale, tr] : a.translations) {
    if (!tr.slug.empty()) {
      slugs.emplace_back(tr.slug, absl::StrCat("article.translations[", locale, "].slug"));
    }
  }
  for (const auto& [slug, field] : slugs) {
    ASSIGN_OR_RETURN(std::string owner, SlugOwner(db, slug));
    if (!owner.empty() && owner != a.id) {
      return absl::AlreadyExistsError(
          absl::StrCat(field, ": \"", Excerpt(slug), "\" is already used by another article"));
    }
  }
  {
    PgParams p;
    p.Text(a.slug).TextOrNull(a.category_id).Int(static_cast<int64_t>(a.state));
    p.Text(a.default_locale);
    a.publish_time ? p.Int(Micros(*a.publish_time)) : p.Null();
    p.Int(Micros(a.create_time)).Int(Micros(a.update_time)).Int(a.revision).Text(a.etag);
    p.Bool(a.featured);
    a.delete_time ? p.Int(Micros(*a.delete_time)) : p.Null();
    p.Text(a.id);
    absl::Status s =
        db.Exec(insert ? "INSERT INTO articles (slug, category_id, state, default_locale, "
                         "publish_time, create_time, update_time, revision, etag, featured, "
                         "delete_time, id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
                         "$11, $12)"
                       : "UPDATE articles SET slug = $1, category_id = $2, state = $3, "
                         "default_locale = $4, publish_time = $5, create_time = $6, "
                         "update_time = $7, revision = $8, etag = $9, featured = $10, "
                         "delete_time = $11 WHERE id = $12",
                p)
            .status();
    if (absl::IsFailedPrecondition(s)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "article.category_id: no category with id \"", Excerpt(a.category_id), "\""));
    }
    RETURN_IF_ERROR(s);
  }
  // Slugs are never deleted: a former slug stays the article's (slug history).
  for (const char* sql : {"DELETE FROM article_translations WHERE article_id = $1",
                          "DELETE FROM article_tags WHERE article_id = $1"}) {
    RETURN_IF_ERROR(db.Exec(sql, PgParams().Text(a.id)).status());
  }
  for (const auto& [locale, tr] : a.translations) {
    PgParams p;
    p.Text(a.id).Text(locale).Text(tr.title).Text(tr.summary).Text(tr.body);
    p.Text(tr.cover_image_url).Text(tr.cover_image_caption).Text(tr.cover_image_alt);
    p.Text(tr.slug).Bool(tr.outdated).Int(Micros(tr.update_time));
    RETURN_IF_ERROR(
        db.Exec(absl::StrCat("INSERT INTO article_translations (article_id, ", kTranslationColumns,
                             ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
                             "$11)"),
                p)
            .status());
  }
  if (!a.tags.empty()) {
    RETURN_IF_ERROR(db.Exec("INSERT INTO article_tags (article_id, position, tag) "
                            "SELECT $1::text, t.n - 1, t.tag FROM unnest($2::text[]) "
                            "WITH ORDINALITY AS t(tag, n)",
                            PgParams().Text(a.id).TextArray(a.tags))
                        .status());
  }
  std::set<std::string> distinct;
  for (const auto& entry : slugs) distinct.insert(entry.first);
  // The slugs it does not hold yet; one another transaction took meanwhile is a unique
  // violation (ALREADY_EXISTS, run again), as before.
  RETURN_IF_ERROR(db.Exec("INSERT INTO slugs (slug, article_id) SELECT t.s, $2::text FROM "
                          "unnest($1::text[]) AS t(s) WHERE NOT EXISTS (SELECT 1 FROM slugs "
                          "WHERE slug = t.s AND article_id = $2::text)",
                          PgParams()
                              .TextArray(std::vector<std::string>(distinct.begin(), distinct.end()))
                              .Text(a.id))
                      .status());
  return IndexArticle(db, a);
}

absl::Status WriteRevision(PgConnection& db, const std::string& id, const std::string& author,
                           const std::vector<std::string>& changed_fields, absl::Time now) {
  RETURN_IF_ERROR(
      db.Exec("INSERT INTO article_revisions SELECT id, revision, slug, category_id, state, "
              "default_locale, publish_time, create_time, update_time, etag, featured, "
              "delete_time, $2::text, $3::text, $4::bigint FROM articles WHERE id = $1",
              PgParams()
                  .Text(id)
                  .Text(author)
                  .Text(absl::StrJoin(changed_fields, ","))
                  .Int(Micros(now)))
          .status());
  RETURN_IF_ERROR(
      db.Exec("INSERT INTO article_revision_translations SELECT t.article_id, a.revision, "
              "t.locale, t.title, t.summary, t.body, t.cover_image_url, t.cover_image_caption, "
              "t.cover_image_alt, t.slug, t.outdated, t.update_time FROM article_translations t "
              "JOIN articles a ON a.id = t.article_id WHERE t.article_id = $1",
              PgParams().Text(id))
          .status());
  return db
      .Exec(
          "INSERT INTO article_revision_tags SELECT g.article_id, a.revision, g.position, "
          "g.tag FROM article_tags g JOIN articles a ON a.id = g.article_id "
          "WHERE g.article_id = $1",
          PgParams().Text(id))
      .status();
}

absl::StatusOr<std::string> FindRequest(PgConnection& db, const std::string& kind,
                                        const std::string& request_id, absl::Time now) {
  ASSIGN_OR_RETURN(
      PgResult r,
      db.Exec("SELECT resource_id FROM request_ids WHERE kind = $1 "
              "AND request_id = $2 AND create_time >= $3",
              PgParams().Text(kind).Text(request_id).Int(Micros(now - kRequestIdWindow))));
  return r.rows() > 0 ? r.Text(0, 0) : std::string();
}

absl::Status SaveRequest(PgConnection& db, const std::string& kind, const std::string& request_id,
                         const std::string& resource_id, absl::Time now) {
  // An expired entry gives way; a live one (a concurrent request that committed first)
  // does not, and the transaction runs again to return that request's resource.
  ASSIGN_OR_RETURN(PgResult r,
                   db.Exec("INSERT INTO request_ids (kind, request_id, resource_id, create_time) "
                           "VALUES ($1, $2, $3, $4) ON CONFLICT (kind, request_id) DO UPDATE SET "
                           "resource_id = EXCLUDED.resource_id, create_time = EXCLUDED.create_time "
                           "WHERE request_ids.create_time < $5",
                           PgParams()
                               .Text(kind)
                               .Text(request_id)
                               .Text(resource_id)
                               .Int(Micros(now))
                               .Int(Micros(now - kRequestIdWindow))));
  if (r.Affected() == 0) {
    return PgRetryable(absl::AbortedError("request_id: used by a concurrent request"));
  }
  return absl::OkStatus();
}

}  // namespace bulletin::content::pg_internal
