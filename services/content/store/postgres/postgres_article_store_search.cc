// PostgresArticleStore: the search index (pg_search.h) and search queries ranked by BM25
// as on SQLite (related articles' candidates: postgres_article_store_related.cc).
#include <algorithm>
#include <functional>
#include <map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "services/content/store/postgres/pg_internal.h"
#include "services/content/store/postgres/pg_schema.h"
#include "services/content/store/postgres/pg_search.h"
#include "services/content/store/postgres/postgres_article_store.h"

namespace bulletin::content {
namespace {

// Bump when the tokenizer or what is indexed changes: Open then rebuilds the index.
constexpr char kSearchIndexVersion[] = "1";

// FTS5's bm25() over the matching documents: idf from the number of documents holding
// each phrase (floored at 1e-6), k1 = 1.2, b = 0.75, the document length in tokens, and
// each phrase's weighted frequency (title 5, summary 2, body 1) from ts_rank_cd, for
// the $5 most recently indexed matches. Lower is better. $1 phrase tsqueries, $2 the
// whole query, $3 locale or '', $4 category ids (empty: any), $5 limit, $6 each phrase's
// lexeme when it is one word (PgPhraseLexeme), else ''.
std::string RankSql(bool by_category) {
  return absl::StrCat(
      "WITH phrase AS (SELECT q::tsquery AS q, lexeme FROM unnest($1::text[], $6::text[]) AS "
      "t(q, lexeme)), "
      // The document count and total length: exact on a small index; from 10,000
      // documents on, the planner's row estimate and a 1 % page sample's mean length (a
      // scan of every document cost 32 ms a query at 200,000). Only the branch taken runs.
      "stats AS (SELECT CASE WHEN e.n >= 10000 THEN e.n ELSE (SELECT COUNT(*)::float8 FROM "
      "search_docs) END AS n, CASE WHEN e.n >= 10000 THEN e.n * (SELECT "
      "COALESCE(AVG(token_count), 0)::float8 FROM search_docs TABLESAMPLE SYSTEM (1) "
      "REPEATABLE (0)) ELSE (SELECT COALESCE(SUM(token_count), 0)::float8 FROM search_docs) "
      "END AS total FROM (SELECT GREATEST(reltuples, 0)::float8 AS n FROM pg_class WHERE oid = "
      "'search_docs'::regclass) e), "
      "idf AS MATERIALIZED (SELECT p.q, GREATEST(LN((s.n - h.hits + 0.5) / (h.hits + 0.5)), 0) AS "
      "raw "
      // A one-word phrase's count is kept in search_terms (migration 6); a phrase of
      // several words (and a prefix) is counted through the index.
      "FROM phrase p CROSS JOIN stats s CROSS JOIN LATERAL (SELECT CASE WHEN p.lexeme <> '' "
      "THEN COALESCE((SELECT t.docs::float8 FROM search_terms t WHERE t.term = p.lexeme), 0) "
      "ELSE (SELECT COUNT(*)::float8 FROM search_docs d WHERE d.terms @@ p.q) END AS hits) h), "
      "found AS (SELECT d.article_id, d.locale, d.terms, d.token_count FROM search_docs d ",
      // Only published, not deleted articles have search documents (IndexArticle): without
      // a category filter the articles table is not read (its hash join scanned it whole).
      by_category ? absl::StrCat("JOIN articles a ON a.id = d.article_id WHERE a.category_id = "
                                 "ANY($4::text[]) AND a.state = ",
                                 pg_internal::Stored(ArticleState::kPublished),
                                 " AND a.delete_time IS NULL AND ")
                  : std::string("WHERE cardinality($4::text[]) = 0 AND "),
      // The $5 newest matches are ranked (ArticleStore::Search). `docid + 0`: the
      // matches come from the GIN index and are sorted; walking search_docs_newest
      // instead would check (and detoast) every document until $5 match, which is
      // slower than the index for a rare phrase the planner misjudges as common.
      "d.terms @@ $2::tsquery AND ($3 = '' OR d.locale = $3) ORDER BY d.docid + 0 DESC LIMIT $5) "
      "SELECT f.article_id, f.locale, -(SELECT SUM(CASE WHEN i.raw <= 0 THEN 1e-6 ELSE i.raw END "
      "* x.f * 2.2 / (x.f + 1.2 * (0.25 + 0.75 * f.token_count / (s.total / s.n)))) "
      "FROM idf i CROSS JOIN LATERAL (SELECT ROUND(",
      kPgRankScale, " * ts_rank_cd(", kPgRankWeights,
      ", f.terms, i.q, 0))::float8 AS f) x) AS rank "
      "FROM found f CROSS JOIN stats s ORDER BY rank, f.article_id LIMIT $5");
}

struct Ranked {
  std::string article_id;
  std::string locale;
  double rank = 0;
};

absl::StatusOr<std::vector<Ranked>> RankDocs(PgConnection& db, const TextQuery& query,
                                             const std::string& locale,
                                             const std::vector<std::string>& category_ids,
                                             int limit) {
  std::vector<std::string> phrases, lexemes;
  for (const QueryPhrase& p : query.phrases) {
    std::string q = PgPhraseQuery(p);
    if (q.empty()) continue;
    phrases.push_back(std::move(q));
    lexemes.push_back(PgPhraseLexeme(p));
  }
  std::vector<Ranked> out;
  if (phrases.empty()) return out;
  ASSIGN_OR_RETURN(PgResult r, db.Exec(RankSql(!category_ids.empty()), PgParams()
                                                                           .TextArray(phrases)
                                                                           .Text(PgTextQuery(query))
                                                                           .Text(locale)
                                                                           .TextArray(category_ids)
                                                                           .Int(limit)
                                                                           .TextArray(lexemes)));
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.Text(i, 0), r.Text(i, 1), r.Double(i, 2)});
  return out;
}

// Articles indexed per IndexArticles call when rebuilding.
constexpr size_t kIndexChunk = 200;

}  // namespace

namespace pg_internal {

absl::Status IndexArticle(PgConnection& db, const Article& a) {
  RETURN_IF_ERROR(
      db.Exec("DELETE FROM search_docs WHERE article_id = $1", PgParams().Text(a.id)).status());
  if (a.state != ArticleState::kPublished || a.delete_time) return absl::OkStatus();
  for (const auto& [locale, tr] : a.translations) {
    const PgSearchDocument doc = MakePgSearchDocument(tr);
    RETURN_IF_ERROR(db.Exec("INSERT INTO search_docs (article_id, locale, terms, token_count) "
                            "VALUES ($1, $2, $3::tsvector, $4)",
                            PgParams().Text(a.id).Text(locale).Text(doc.terms).Int(doc.token_count))
                        .status());
  }
  return absl::OkStatus();
}

absl::Status IndexArticles(PgConnection& db, const std::vector<std::string>& ids) {
  if (ids.empty()) return absl::OkStatus();
  std::vector<Article> articles;
  {
    ASSIGN_OR_RETURN(PgResult r,
                     db.Exec(absl::StrCat(kArticleColumns, "WHERE id = ANY($1::text[])"),
                             PgParams().TextArray(ids)));
    articles.resize(static_cast<size_t>(r.rows()));
    std::vector<Article*> parts;
    for (int i = 0; i < r.rows(); ++i) {
      ReadArticleRow(r, i, articles[i]);
      parts.push_back(&articles[i]);
    }
    RETURN_IF_ERROR(LoadArticleParts(db, parts));
  }
  RETURN_IF_ERROR(db.Exec("DELETE FROM search_docs WHERE article_id = ANY($1::text[])",
                          PgParams().TextArray(ids))
                      .status());
  std::vector<std::string> doc_ids, locales, terms, counts;
  for (const Article& a : articles) {
    if (a.state != ArticleState::kPublished || a.delete_time) continue;
    for (const auto& [locale, tr] : a.translations) {
      PgSearchDocument doc = MakePgSearchDocument(tr);
      doc_ids.push_back(a.id);
      locales.push_back(locale);
      terms.push_back(std::move(doc.terms));
      counts.push_back(absl::StrCat(doc.token_count));
    }
  }
  if (doc_ids.empty()) return absl::OkStatus();
  return db
      .Exec(
          "INSERT INTO search_docs (article_id, locale, terms, token_count) SELECT t.id, t.locale, "
          "t.terms::tsvector, t.n FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) "
          "AS t(id, locale, terms, n)",
          PgParams().TextArray(doc_ids).TextArray(locales).TextArray(terms).TextArray(counts))
      .status();
}

absl::Status RebuildSearchIndexIfStale(PgConnection& db) {
  RETURN_IF_ERROR(db.Script("BEGIN"));
  absl::Status s = [&]() -> absl::Status {
    // One replica rebuilds; the others wait here and then find the index current.
    RETURN_IF_ERROR(db.Script(absl::StrCat("SELECT pg_advisory_xact_lock(", kPgStartLock, ")")));
    {
      ASSIGN_OR_RETURN(PgResult r,
                       db.Exec("SELECT value FROM relay_state WHERE key = 'search_index'"));
      if (r.rows() > 0 && r.Text(0, 0) == kSearchIndexVersion) return absl::OkStatus();
    }
    RETURN_IF_ERROR(db.Script("DELETE FROM search_docs"));
    ASSIGN_OR_RETURN(PgResult ids, db.Exec(absl::StrCat("SELECT id FROM articles WHERE state = ",
                                                        Stored(ArticleState::kPublished),
                                                        " AND delete_time IS NULL")));
    std::vector<std::string> chunk;
    for (int i = 0; i < ids.rows(); ++i) {
      chunk.push_back(ids.Text(i, 0));
      if (chunk.size() == kIndexChunk || i + 1 == ids.rows()) {
        RETURN_IF_ERROR(IndexArticles(db, chunk));
        chunk.clear();
      }
    }
    return db
        .Exec(
            "INSERT INTO relay_state (key, value) VALUES ('search_index', $1) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            PgParams().Text(kSearchIndexVersion))
        .status();
  }();
  if (s.ok()) s = db.Script("COMMIT");
  if (!s.ok() && db.ok()) db.Script("ROLLBACK").IgnoreError();
  return s;
}

}  // namespace pg_internal

absl::StatusOr<std::vector<SearchHit>> PostgresArticleStore::Search(
    const TextQuery& query, const std::string& locale, const std::vector<std::string>& category_ids,
    int limit) {
  std::vector<SearchHit> hits;
  if (query.phrases.empty()) return hits;
  RETURN_IF_ERROR(pool_->Run([&](PgConnection& db) -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<Ranked> ranked, RankDocs(db, query, locale, category_ids, limit));
    for (Ranked& r : ranked) hits.push_back({std::move(r.article_id), std::move(r.locale), r.rank});
    return absl::OkStatus();
  }));
  return hits;
}

}  // namespace bulletin::content
