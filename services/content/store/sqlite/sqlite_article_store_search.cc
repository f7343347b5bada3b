// SqliteArticleStore: the search index (FTS5, tokenizer "bulletin"), search queries and
// the candidates of related articles.
#include <algorithm>
#include <functional>
#include <map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/status_macros.h"
#include "services/content/core/html_sanitizer.h"
#include "services/content/store/sqlite/sqlite_article_store.h"
#include "services/content/store/sqlite/sqlite_fts.h"
#include "services/content/store/sqlite/sqlite_internal.h"

namespace bulletin::content {
namespace {

// Bump when the tokenizer or what is indexed changes: Open then rebuilds the index.
// 2: tokens from the core's own tokenizer instead of SQLite's porter (same rules).
constexpr char kSearchIndexVersion[] = "2";

// bm25 column weights: a match in the title counts most, then the summary, then the body.
constexpr char kRank[] = "bm25(article_search, 5.0, 2.0, 1.0)";

}  // namespace

absl::Status SqliteArticleStore::IndexArticle(const Article& a) {
  std::vector<int64_t> docids;
  {
    ASSIGN_OR_RETURN(Statement q,
                     db_->Prepare("SELECT docid FROM search_docs WHERE article_id = ?"));
    q.BindText(1, a.id);
    for (;;) {
      ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      docids.push_back(q.Int(0));
    }
  }
  for (int64_t docid : docids) {
    ASSIGN_OR_RETURN(Statement q, db_->Prepare("DELETE FROM article_search WHERE rowid = ?"));
    RETURN_IF_ERROR(q.BindInt(1, docid).Run());
  }
  {
    ASSIGN_OR_RETURN(Statement q, db_->Prepare("DELETE FROM search_docs WHERE article_id = ?"));
    RETURN_IF_ERROR(q.BindText(1, a.id).Run());
  }
  if (a.state != ArticleState::kPublished || a.delete_time) return absl::OkStatus();
  for (const auto& [locale, tr] : a.translations) {
    {
      ASSIGN_OR_RETURN(Statement q,
                       db_->Prepare("INSERT INTO search_docs (article_id, locale) VALUES (?, ?)"));
      RETURN_IF_ERROR(q.BindText(1, a.id).BindText(2, locale).Run());
    }
    const int64_t docid = sqlite3_last_insert_rowid(db_->handle());
    ASSIGN_OR_RETURN(Statement q,
                     db_->Prepare("INSERT INTO article_search (rowid, title, summary, body) "
                                  "VALUES (?, ?, ?, ?)"));
    q.BindInt(1, docid).BindText(2, tr.title).BindText(3, tr.summary);
    RETURN_IF_ERROR(q.BindText(4, HtmlToText(tr.body)).Run());
  }
  return absl::OkStatus();
}

absl::Status SqliteArticleStore::RebuildSearchIndexIfStale() {
  return db_->Transaction([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> absl::Status {
    {
      ASSIGN_OR_RETURN(Statement q,
                       db_->Prepare("SELECT value FROM relay_state WHERE key = 'search_index'"));
      ASSIGN_OR_RETURN(bool row, q.Step());
      if (row && q.Text(0) == kSearchIndexVersion) return absl::OkStatus();
    }
    RETURN_IF_ERROR(db_->Exec("DELETE FROM article_search; DELETE FROM search_docs;"));
    std::vector<std::string> ids;
    {
      ASSIGN_OR_RETURN(
          Statement q,
          db_->Prepare(absl::StrCat("SELECT id FROM articles WHERE state = ",
                                    Stored(ArticleState::kPublished), " AND delete_time IS NULL")));
      for (;;) {
        ASSIGN_OR_RETURN(bool row, q.Step());
        if (!row) break;
        ids.push_back(q.Text(0));
      }
    }
    for (const std::string& id : ids) {
      ASSIGN_OR_RETURN(Article a, LoadArticle(id));
      RETURN_IF_ERROR(IndexArticle(a));
    }
    ASSIGN_OR_RETURN(Statement q, db_->Prepare("INSERT OR REPLACE INTO relay_state (key, value) "
                                               "VALUES ('search_index', ?)"));
    return q.BindText(1, kSearchIndexVersion).Run();
  });
}

absl::StatusOr<std::vector<SearchHit>> SqliteArticleStore::Search(
    const TextQuery& query, const std::string& locale, const std::vector<std::string>& category_ids,
    int limit) {
  absl::MutexLock lock(&mu_);
  if (query.phrases.empty()) return std::vector<SearchHit>();
  // The `limit` newest matches (FTS5 reads its index in rowid order, newest first, and
  // stops there), then ranked: bm25() runs for those only, not for every match. Only
  // published, not deleted articles have search documents (IndexArticle), so without a
  // category filter the articles table is not read.
  ASSIGN_OR_RETURN(
      Statement q,
      db_->Prepare(absl::StrCat(
          "SELECT article_id, locale, rank FROM (SELECT d.article_id, d.locale, ", kRank,
          " AS rank FROM article_search JOIN search_docs d ON d.docid = article_search.rowid ",
          category_ids.empty()
              ? std::string("WHERE article_search MATCH ?1 AND ?3 = '[]' ")
              : absl::StrCat("JOIN articles a ON a.id = d.article_id WHERE article_search "
                             "MATCH ?1 AND a.category_id IN (SELECT value FROM json_each(?3)) "
                             "AND a.state = ",
                             Stored(ArticleState::kPublished), " AND a.delete_time IS NULL "),
          "AND (?2 = '' OR d.locale = ?2) ORDER BY article_search.rowid DESC LIMIT ?4) "
          "ORDER BY rank, article_id")));
  q.BindText(1, FtsExpression(query)).BindText(2, locale);
  q.BindText(
      3, absl::StrCat("[", category_ids.empty() ? "" : "\"", absl::StrJoin(category_ids, "\",\""),
                      category_ids.empty() ? "" : "\"", "]"));
  q.BindInt(4, limit);
  std::vector<SearchHit> hits;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    hits.push_back({q.Text(0), q.Text(1), q.Double(2)});
  }
  return hits;
}

}  // namespace bulletin::content
