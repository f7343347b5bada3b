// SqliteArticleStore: article lists (keyset pages), revisions, and the scheduler's queries.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"
#include "services/content/store/sqlite/sqlite_article_store.h"
#include "services/content/store/sqlite/sqlite_internal.h"

namespace bulletin::content {
namespace {

// A JSON array of ids for `IN (SELECT value FROM json_each(?))`, so one SQL text serves
// any number of categories. Ids are validated ([A-Za-z0-9_-]) before they get here.
std::string JsonIds(const std::vector<std::string>& ids) {
  return absl::StrCat("[\"", absl::StrJoin(ids, "\",\""), "\"]");
}

constexpr char kSortTime[] = "COALESCE(publish_time, create_time)";

// The WHERE clause of `filter`, binding from parameter 1; returns the next free index.
struct FilterSql {
  std::string where;
  std::vector<std::string> text_binds;  // in order, after the state (?1)
};

FilterSql BuildFilter(const ArticleFilter& f) {
  FilterSql out;
  out.where = "WHERE state = ?1";
  if (!f.show_deleted) absl::StrAppend(&out.where, " AND delete_time IS NULL");
  if (f.featured_only) absl::StrAppend(&out.where, " AND featured = 1");
  int next = 2;
  if (!f.category_ids.empty()) {
    absl::StrAppend(&out.where, " AND category_id IN (SELECT value FROM json_each(?", next++, "))");
    out.text_binds.push_back(JsonIds(f.category_ids));
  }
  if (!f.tag.empty()) {
    absl::StrAppend(&out.where,
                    " AND EXISTS (SELECT 1 FROM article_tags g WHERE g.article_id = articles.id "
                    "AND g.tag = ?",
                    next++, ")");
    out.text_binds.push_back(f.tag);
  }
  if (!f.require_locale.empty()) {
    absl::StrAppend(&out.where,
                    " AND EXISTS (SELECT 1 FROM article_translations t WHERE "
                    "t.article_id = articles.id AND t.locale = ?",
                    next++, ")");
    out.text_binds.push_back(f.require_locale);
  }
  return out;
}

void BindFilter(Statement& q, const ArticleFilter& f, const FilterSql& sql) {
  q.BindInt(1, static_cast<int64_t>(f.state));
  for (size_t i = 0; i < sql.text_binds.size(); ++i) {
    q.BindText(static_cast<int>(i + 2), sql.text_binds[i]);
  }
}

}  // namespace

absl::StatusOr<std::vector<Article>> SqliteArticleStore::ListArticles(
    const ArticleFilter& filter, const std::optional<ArticleCursor>& after, int limit) {
  absl::MutexLock lock(&mu_);
  FilterSql f = BuildFilter(filter);
  const int first = static_cast<int>(f.text_binds.size()) + 2;
  std::string sql = absl::StrCat(kArticleColumns, f.where);
  if (after) {
    absl::StrAppend(&sql, filter.featured_first
                              ? absl::StrCat(" AND (featured, ", kSortTime, ", id) < (?", first,
                                             ", ?", first + 1, ", ?", first + 2, ")")
                              : absl::StrCat(" AND (", kSortTime, ", id) < (?", first + 1, ", ?",
                                             first + 2, ")"));
  }
  absl::StrAppend(&sql, " ORDER BY ", filter.featured_first ? "featured DESC, " : "", kSortTime,
                  " DESC, id DESC LIMIT ?", first + 3);
  std::vector<Article> page;
  {
    ASSIGN_OR_RETURN(Statement q, db_->Prepare(sql));
    BindFilter(q, filter, f);
    if (after) {
      if (filter.featured_first) q.BindInt(first, after->featured ? 1 : 0);
      q.BindInt(first + 1, Micros(after->sort_time)).BindText(first + 2, after->id);
    }
    q.BindInt(first + 3, limit);
    for (;;) {
      ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      ReadArticleRow(q, page.emplace_back());
    }
  }
  for (Article& a : page) RETURN_IF_ERROR(LoadArticleParts(a, 0));
  return page;
}

absl::StatusOr<int64_t> SqliteArticleStore::CountArticles(const ArticleFilter& filter) {
  absl::MutexLock lock(&mu_);
  FilterSql f = BuildFilter(filter);
  ASSIGN_OR_RETURN(Statement q,
                   db_->Prepare(absl::StrCat("SELECT COUNT(*) FROM articles ", f.where)));
  BindFilter(q, filter, f);
  ASSIGN_OR_RETURN(bool row, q.Step());
  return row ? q.Int(0) : 0;
}

absl::StatusOr<std::vector<ArticleRevision>> SqliteArticleStore::ListRevisions(
    const std::string& id, int64_t before_revision, int limit) {
  absl::MutexLock lock(&mu_);
  {
    ASSIGN_OR_RETURN(Statement q, db_->Prepare("SELECT 1 FROM articles WHERE id = ?"));
    ASSIGN_OR_RETURN(bool exists, q.BindText(1, id).Step());
    if (!exists) {
      return absl::NotFoundError(absl::StrCat("article \"", Excerpt(id), "\" not found"));
    }
  }
  std::vector<ArticleRevision> revisions;
  {
    ASSIGN_OR_RETURN(Statement q, db_->Prepare(absl::StrCat(kRevisionColumns,
                                                            "WHERE article_id = ? AND revision < ? "
                                                            "ORDER BY revision DESC LIMIT ?")));
    q.BindText(1, id).BindInt(2, before_revision > 0 ? before_revision : INT64_MAX);
    q.BindInt(3, limit);
    for (;;) {
      ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      ArticleRevision& r = revisions.emplace_back();
      ReadArticleRow(q, r.article);
      r.revision = r.article.revision;
      r.author = q.Text(12);
      const std::string changed = q.Text(13);
      if (!changed.empty()) r.changed_fields = absl::StrSplit(changed, ',');
      r.create_time = FromMicros(q.Int(14));
    }
  }
  for (ArticleRevision& r : revisions) RETURN_IF_ERROR(LoadArticleParts(r.article, r.revision));
  return revisions;
}

absl::StatusOr<std::vector<std::string>> SqliteArticleStore::DueScheduledArticles(absl::Time now,
                                                                                  int limit) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement q,
                   db_->Prepare(absl::StrCat(
                       "SELECT id FROM articles WHERE state = ", Stored(ArticleState::kScheduled),
                       " AND publish_time <= ? AND delete_time IS NULL "
                       "ORDER BY publish_time LIMIT ?")));
  q.BindInt(1, Micros(now)).BindInt(2, limit);
  std::vector<std::string> ids;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    ids.push_back(q.Text(0));
  }
  return ids;
}

absl::StatusOr<std::optional<absl::Time>> SqliteArticleStore::NextScheduledTime() {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement q, db_->Prepare(absl::StrCat(
                                    "SELECT MIN(publish_time) FROM articles WHERE state = ",
                                    Stored(ArticleState::kScheduled), " AND delete_time IS NULL")));
  ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row || q.IsNull(0)) return std::optional<absl::Time>();
  return std::optional<absl::Time>(FromMicros(q.Int(0)));
}

}  // namespace bulletin::content
