// PostgresArticleStore: article lists (keyset pages), revisions, and the scheduler's
// queries. A list's SQL text depends only on which filters are set (one prepared
// statement per shape), the values are bound.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"
#include "services/content/store/postgres/pg_internal.h"
#include "services/content/store/postgres/postgres_article_store.h"

namespace bulletin::content {
namespace {

using pg_internal::FromMicros;
using pg_internal::Micros;
using pg_internal::Stored;

constexpr char kSortTime[] = "COALESCE(publish_time, create_time)";

// The WHERE clause of `filter` and its parameters, from $1.
struct FilterSql {
  std::string where;
  PgParams params;
  int next = 1;  // the next parameter number
};

FilterSql BuildFilter(const ArticleFilter& f) {
  FilterSql out;
  out.where = absl::StrCat("WHERE state = $", out.next++);
  out.params.Int(static_cast<int64_t>(f.state));
  if (!f.show_deleted) absl::StrAppend(&out.where, " AND delete_time IS NULL");
  if (f.featured_only) absl::StrAppend(&out.where, " AND featured");
  if (!f.category_ids.empty()) {
    absl::StrAppend(&out.where, " AND category_id = ANY($", out.next++, "::text[])");
    out.params.TextArray(f.category_ids);
  }
  if (!f.tag.empty()) {
    absl::StrAppend(&out.where,
                    " AND EXISTS (SELECT 1 FROM article_tags g WHERE g.article_id = articles.id "
                    "AND g.tag = $",
                    out.next++, ")");
    out.params.Text(f.tag);
  }
  if (!f.require_locale.empty()) {
    absl::StrAppend(&out.where,
                    " AND EXISTS (SELECT 1 FROM article_translations t WHERE "
                    "t.article_id = articles.id AND t.locale = $",
                    out.next++, ")");
    out.params.Text(f.require_locale);
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<Article>> PostgresArticleStore::ListArticles(
    const ArticleFilter& filter, const std::optional<ArticleCursor>& after, int limit) {
  FilterSql f = BuildFilter(filter);
  std::string sql = absl::StrCat(pg_internal::kArticleColumns, f.where);
  if (after) {
    if (filter.featured_first) {
      absl::StrAppend(&sql, " AND (featured, ", kSortTime, ", id) < ($", f.next, ", $", f.next + 1,
                      ", $", f.next + 2, ")");
      f.params.Bool(after->featured);
      f.next += 3;
    } else {
      absl::StrAppend(&sql, " AND (", kSortTime, ", id) < ($", f.next, ", $", f.next + 1, ")");
      f.next += 2;
    }
    f.params.Int(Micros(after->sort_time)).Text(after->id);
  }
  absl::StrAppend(&sql, " ORDER BY ", filter.featured_first ? "featured DESC, " : "", kSortTime,
                  " DESC, id DESC LIMIT $", f.next);
  f.params.Int(limit);
  std::vector<Article> page;
  RETURN_IF_ERROR(pool_->Read([&](PgConnection& db) -> absl::Status {
    page.clear();
    ASSIGN_OR_RETURN(PgResult r, db.Exec(sql, f.params));
    page.resize(static_cast<size_t>(r.rows()));
    std::vector<Article*> parts;
    for (int i = 0; i < r.rows(); ++i) {
      pg_internal::ReadArticleRow(r, i, page[i]);
      parts.push_back(&page[i]);
    }
    return pg_internal::LoadArticleParts(db, parts);
  }));
  return page;
}

absl::StatusOr<int64_t> PostgresArticleStore::CountArticles(const ArticleFilter& filter) {
  FilterSql f = BuildFilter(filter);
  int64_t count = 0;
  RETURN_IF_ERROR(pool_->Run([&](PgConnection& db) -> absl::Status {
    ASSIGN_OR_RETURN(PgResult r,
                     db.Exec(absl::StrCat("SELECT COUNT(*) FROM articles ", f.where), f.params));
    count = r.Int(0, 0);
    return absl::OkStatus();
  }));
  return count;
}

absl::StatusOr<std::vector<ArticleRevision>> PostgresArticleStore::ListRevisions(
    const std::string& id, int64_t before_revision, int limit) {
  std::vector<ArticleRevision> revisions;
  RETURN_IF_ERROR(pool_->Read([&](PgConnection& db) -> absl::Status {
    revisions.clear();
    {
      ASSIGN_OR_RETURN(PgResult r,
                       db.Exec("SELECT 1 FROM articles WHERE id = $1", PgParams().Text(id)));
      if (r.rows() == 0) {
        return absl::NotFoundError(absl::StrCat("article \"", Excerpt(id), "\" not found"));
      }
    }
    ASSIGN_OR_RETURN(
        PgResult r,
        db.Exec(
            absl::StrCat(pg_internal::kRevisionColumns,
                         "WHERE article_id = $1 AND revision < $2 "
                         "ORDER BY revision DESC LIMIT $3"),
            PgParams().Text(id).Int(before_revision > 0 ? before_revision : INT64_MAX).Int(limit)));
    revisions.resize(static_cast<size_t>(r.rows()));
    std::vector<ArticleRevision*> parts;
    for (int i = 0; i < r.rows(); ++i) {
      ArticleRevision& rev = revisions[i];
      pg_internal::ReadArticleRow(r, i, rev.article);
      rev.revision = rev.article.revision;
      rev.author = r.Text(i, 12);
      const std::string changed = r.Text(i, 13);
      if (!changed.empty()) rev.changed_fields = absl::StrSplit(changed, ',');
      rev.create_time = FromMicros(r.Int(i, 14));
      parts.push_back(&rev);
    }
    return pg_internal::LoadRevisionParts(db, id, parts);
  }));
  return revisions;
}

absl::StatusOr<std::vector<std::string>> PostgresArticleStore::DueScheduledArticles(absl::Time now,
                                                                                    int limit) {
  std::vector<std::string> ids;
  RETURN_IF_ERROR(pool_->Run([&](PgConnection& db) -> absl::Status {
    ASSIGN_OR_RETURN(PgResult r,
                     db.Exec(absl::StrCat("SELECT id FROM articles WHERE state = ",
                                          Stored(ArticleState::kScheduled),
                                          " AND publish_time <= $1 AND delete_time IS NULL "
                                          "ORDER BY publish_time, id LIMIT $2"),
                             PgParams().Int(Micros(now)).Int(limit)));
    for (int i = 0; i < r.rows(); ++i) ids.push_back(r.Text(i, 0));
    return absl::OkStatus();
  }));
  return ids;
}

absl::StatusOr<std::optional<absl::Time>> PostgresArticleStore::NextScheduledTime() {
  std::optional<absl::Time> next;
  RETURN_IF_ERROR(pool_->Run([&](PgConnection& db) -> absl::Status {
    ASSIGN_OR_RETURN(
        PgResult r,
        db.Exec(absl::StrCat("SELECT MIN(publish_time) FROM articles WHERE state = ",
                             Stored(ArticleState::kScheduled), " AND delete_time IS NULL")));
    if (r.rows() > 0 && !r.IsNull(0, 0)) next = FromMicros(r.Int(0, 0));
    return absl::OkStatus();
  }));
  return next;
}

}  // namespace bulletin::content
