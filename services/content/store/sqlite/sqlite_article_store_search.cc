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

// Related articles' text query keeps at most kRareTerms words, each in fewer than
// kCommonDocs search documents (a translation each): ranking is then bounded by
// kRareTerms * kCommonDocs matches whatever the size of the archive.
constexpr int64_t kCommonDocs = 500;
constexpr size_t kRareTerms = 4;
// Tags and categories with fewer holders than this are read through their index and
// sorted; commoner ones by scanning the list order (see RelatedCandidates).
constexpr int64_t kFewHolders = 1200;

// `s` as a JSON string literal.
std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static const char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[(c >> 4) & 0xF];
      out += kHex[c & 0xF];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

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
  // Only published, not deleted articles have search documents (IndexArticle), so without
  // a category filter the articles table is not read: a lookup less for every match.
  ASSIGN_OR_RETURN(
      Statement q,
      db_->Prepare(
          category_ids.empty()
              ? absl::StrCat("SELECT d.article_id, d.locale, ", kRank,
                             " AS rank FROM article_search JOIN search_docs d ON d.docid = "
                             "article_search.rowid WHERE article_search MATCH ?1 AND (?2 = '' OR "
                             "d.locale = ?2) AND ?3 = '[]' ORDER BY rank, d.article_id LIMIT ?4")
              : absl::StrCat(
                    "SELECT d.article_id, d.locale, ", kRank,
                    " AS rank FROM article_search JOIN search_docs d ON d.docid = "
                    "article_search.rowid JOIN articles a ON a.id = d.article_id WHERE "
                    "article_search MATCH ?1 AND (?2 = '' OR d.locale = ?2) AND a.category_id IN "
                    "(SELECT value FROM json_each(?3)) AND a.state = ",
                    Stored(ArticleState::kPublished),
                    " AND a.delete_time IS NULL ORDER BY rank, a.id LIMIT ?4")));
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

absl::StatusOr<std::vector<RelatedCandidate>> SqliteArticleStore::RelatedCandidates(
    const Article& article, const TextQuery& text, int limit) {
  absl::MutexLock lock(&mu_);
  std::map<std::string, RelatedCandidate> found;
  auto entry = [&](const std::string& id) -> RelatedCandidate& {
    RelatedCandidate& c = found[id];
    c.article_id = id;
    return c;
  };
  // The `limit` most recent published articles with a tag (or in a category), by
  // whichever plan reads fewer rows: the few holders through the tag's (category's) index
  // and a sort, or, for a common one, the list order (articles_listed) until `limit`
  // holders are found: about limit * articles / holders rows.
  const std::string published = Stored(ArticleState::kPublished);
  auto& db = *db_;  // read under mu_, which the lambda below runs under too
  auto recent = [&](const std::string& count_sql, const std::string& few_sql,
                    const std::string& many_sql, const std::string& key,
                    const std::function<void(const std::string&)>& add) -> absl::Status {
    ASSIGN_OR_RETURN(Statement count, db.Prepare(count_sql));
    count.BindText(1, key).BindInt(2, kFewHolders);
    ASSIGN_OR_RETURN(bool counted, count.Step());
    const bool few = counted && count.Int(0) < kFewHolders;
    ASSIGN_OR_RETURN(Statement q, db.Prepare(few ? few_sql : many_sql));
    q.BindText(1, key).BindInt(2, limit);
    for (;;) {
      ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      add(q.Text(0));
    }
    return absl::OkStatus();
  };
  const std::string live = absl::StrCat(" AND a.state = ", published, " AND a.delete_time IS NULL");
  const std::string newest =
      " ORDER BY COALESCE(a.publish_time, a.create_time) DESC, a.id DESC LIMIT ?2";
  for (const std::string& tag : article.tags) {
    RETURN_IF_ERROR(recent(
        "SELECT COUNT(*) FROM (SELECT 1 FROM article_tags WHERE tag = ?1 LIMIT ?2)",
        absl::StrCat("SELECT g.article_id FROM article_tags g JOIN articles a ON a.id = "
                     "g.article_id WHERE g.tag = ?1",
                     live, newest),
        // +g.tag: the tag's index would read every holder for each article.
        absl::StrCat("SELECT a.id FROM articles a INDEXED BY articles_listed WHERE EXISTS "
                     "(SELECT 1 FROM article_tags g WHERE g.article_id = a.id AND +g.tag = ?1)",
                     live, newest),
        tag, [&](const std::string& id) { ++entry(id).shared_tags; }));
  }
  if (!article.category_id.empty()) {
    RETURN_IF_ERROR(recent(
        absl::StrCat("SELECT COUNT(*) FROM (SELECT 1 FROM articles a WHERE a.category_id = ?1",
                     live, " LIMIT ?2)"),
        absl::StrCat("SELECT a.id FROM articles a WHERE a.category_id = ?1", live, newest),
        absl::StrCat("SELECT a.id FROM articles a INDEXED BY articles_listed WHERE "
                     "a.category_id = ?1",
                     live, newest),
        article.category_id, [&](const std::string& id) { entry(id).same_category = true; }));
  }
  if (!text.phrases.empty()) {
    // Only the rarest words: a word in most documents would make FTS5 rank nearly the whole
    // index (bm25 of every match). Each word's document count is probed up to kCommonDocs.
    std::vector<std::pair<int64_t, size_t>> rare;  // (documents, phrase index)
    for (size_t i = 0; i < text.phrases.size(); ++i) {
      ASSIGN_OR_RETURN(Statement probe,
                       db_->Prepare("SELECT COUNT(*) FROM (SELECT rowid FROM article_search "
                                    "WHERE article_search MATCH ? LIMIT ?)"));
      TextQuery one;
      one.phrases.push_back(text.phrases[i]);
      probe.BindText(1, FtsExpression(one)).BindInt(2, kCommonDocs);
      ASSIGN_OR_RETURN(bool row, probe.Step());
      const int64_t docs = row ? probe.Int(0) : 0;
      // In one document only (the article's own): nothing to find.
      if (docs > 1 && docs < kCommonDocs) {
        rare.emplace_back(docs, i);
      }
    }
    std::sort(rare.begin(), rare.end());
    TextQuery bounded;
    bounded.match_all = false;
    for (size_t k = 0; k < rare.size() && k < kRareTerms; ++k) {
      bounded.phrases.push_back(text.phrases[rare[k].second]);
    }
    if (!bounded.phrases.empty()) {
      ASSIGN_OR_RETURN(
          Statement q,
          db_->Prepare(absl::StrCat(
              "SELECT d.article_id, ", kRank,
              " AS rank FROM article_search JOIN "
              "search_docs d ON d.docid = article_search.rowid WHERE article_search MATCH ? "
              "ORDER BY rank LIMIT ?")));
      q.BindText(1, FtsExpression(bounded)).BindInt(2, limit);
      for (;;) {
        ASSIGN_OR_RETURN(bool row, q.Step());
        if (!row) break;
        RelatedCandidate& c = entry(q.Text(0));
        if (c.text_rank == 0) c.text_rank = q.Double(1);  // best first: keep the best translation
      }
    }
  }
  found.erase(article.id);
  // Publish times of all candidates in one query (and whether they are still live).
  std::string ids = "[";
  for (const auto& [id, c] : found) {
    if (ids.size() > 1) ids += ",";
    ids += JsonString(id);
  }
  ids += "]";
  ASSIGN_OR_RETURN(Statement q,
                   db_->Prepare(absl::StrCat(
                       "SELECT a.id, COALESCE(a.publish_time, a.create_time) FROM json_each(?) j "
                       // CROSS JOIN: each id by the key, not a scan of the published ones.
                       "CROSS JOIN articles a ON a.id = j.value WHERE a.state = ",
                       Stored(ArticleState::kPublished), " AND a.delete_time IS NULL")));
  q.BindText(1, ids);
  std::vector<RelatedCandidate> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    auto it = found.find(q.Text(0));
    if (it == found.end()) continue;
    it->second.sort_time = FromMicros(q.Int(1));
    out.push_back(std::move(it->second));
  }
  return out;
}

}  // namespace bulletin::content
