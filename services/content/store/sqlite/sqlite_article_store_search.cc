// SqliteArticleStore: the search index (FTS5, tokenizer "bulletin") and search queries
// (related articles' candidates: sqlite_article_store_related.cc).
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

// BM25's inputs (sqlite_fts.h) with the column weights: a match in the title counts
// most, then the summary, then the body.
constexpr char kMatch[] = "bulletin_match(article_search, 5.0, 2.0, 1.0)";

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
  std::vector<SearchHit> hits;
  if (query.phrases.empty() || limit <= 0) return hits;
  // The matches newest first (FTS5 reads its index in rowid order), each with what BM25
  // needs, until `limit` pass the filters: bm25() itself would first count every
  // phrase's documents, a pass over the whole index before the first row. The count is
  // known when this scan read every match of a one-phrase query; else each phrase's is
  // counted below. Only published, not deleted articles have search documents
  // (IndexArticle), so without a category filter the articles table is not read.
  ASSIGN_OR_RETURN(
      Statement q,
      db_->Prepare(absl::StrCat(
          "SELECT d.article_id, d.locale, ", kMatch, ", ",
          category_ids.empty()
              ? std::string("1 FROM article_search JOIN search_docs d ON d.docid = "
                            "article_search.rowid ")
              : absl::StrCat("a.category_id IN (SELECT value FROM json_each(?2)) AND a.state = ",
                             Stored(ArticleState::kPublished),
                             " AND a.delete_time IS NULL FROM article_search JOIN search_docs d "
                             "ON d.docid = article_search.rowid JOIN articles a ON a.id = "
                             "d.article_id "),
          "WHERE article_search MATCH ?1 ORDER BY article_search.rowid DESC")));
  q.BindText(1, FtsExpression(query));
  if (!category_ids.empty()) {
    q.BindText(2, absl::StrCat("[\"", absl::StrJoin(category_ids, "\",\""), "\"]"));
  }
  struct Kept {
    SearchHit hit;
    FtsMatch match;
  };
  std::vector<Kept> kept;
  int64_t matches = 0;
  bool read_all = true;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    if (kept.size() == static_cast<size_t>(limit)) {
      read_all = false;
      break;
    }
    ++matches;
    if ((!locale.empty() && q.Text(1) != locale) || q.Int(3) == 0) continue;
    Kept k;
    const std::string blob = q.Text(2);
    if (!DecodeFtsMatch(blob.data(), static_cast<int>(blob.size()), &k.match)) {
      return absl::InternalError("the search index returned a malformed match");
    }
    k.hit.article_id = q.Text(0);
    k.hit.locale = q.Text(1);
    kept.push_back(std::move(k));
  }
  if (kept.empty()) return hits;
  std::vector<int64_t> documents;  // holding each phrase
  if (read_all && query.phrases.size() == 1) {
    documents.push_back(matches);
  } else {
    for (const QueryPhrase& phrase : query.phrases) {
      ASSIGN_OR_RETURN(Statement count,
                       db_->Prepare("SELECT COUNT(*) FROM article_search WHERE article_search "
                                    "MATCH ?"));
      count.BindText(1, FtsExpression(TextQuery{{phrase}, true}));
      ASSIGN_OR_RETURN(bool row, count.Step());
      documents.push_back(row ? count.Int(0) : 0);
    }
  }
  hits.reserve(kept.size());
  for (Kept& k : kept) {
    k.hit.rank = Bm25Rank(k.match, documents);
    hits.push_back(std::move(k.hit));
  }
  std::stable_sort(hits.begin(), hits.end(), [](const SearchHit& x, const SearchHit& y) {
    if (x.rank != y.rank) return x.rank < y.rank;
    return x.article_id < y.article_id;
  });
  return hits;
}

}  // namespace bulletin::content
