// PostgresArticleStore: search queries ranked by BM25 as on SQLite (the index's documents:
// postgres_article_store_search_index.cc; related articles' candidates:
// postgres_article_store_related.cc).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/base/status_macros.h"
#include "services/content/store/postgres/pg_internal.h"
#include "services/content/store/postgres/pg_search.h"
#include "services/content/store/postgres/postgres_article_store.h"

namespace bulletin::content {
namespace {

// From this many documents on, the corpus statistics are estimates (StatsSql).
constexpr int kEstimatedFrom = 10000;
// The matches are read from a window of the newest documents expected to hold this many
// times the limit (from the phrases' document counts); a window with fewer candidates is
// widened by kWindowGrowth until it spans the index, one whose candidates held too few
// matches (a phrase's pairs in another order) by the documents its matches say are
// missing, times this slack.
constexpr double kWindowSlack = 2;
constexpr int64_t kWindowGrowth = 8;
// A window's lower docid bound is read from search_docs_match (btree_gin): one key per
// document of the range, ~70 ns each; without it, every match of the whole index is
// fetched from the heap and sorted, ~0.9 us each (100k site, measured with EXPLAIN ANALYZE:
// `bylam` 13 ms bounded against 2 ms unbounded, 180,000 keys against 2,228 matches). A
// window wider than this many times its expected matches is read unbounded.
constexpr double kBoundKeysPerMatch = 12;

// What BM25 needs before reading matches, one row per phrase ($1 tsqueries, $2 the
// lexeme of a one-word phrase or '', $3 a phrase's pairs or ''; $4 the pair lexemes of every
// phrase, $5 each one's phrase, from 1): the number of documents and their total length
// (exact on a small index; from kEstimatedFrom documents on, the planner's row estimate and
// a 1 % page sample's mean length, every page's when the sample has none: a scan of every
// document cost 32 ms a query at 200,000), the newest docid, and the phrase's document count: a
// one-word phrase's from search_terms (migration 6); a phrase of several words, on a large index,
// the documents holding all its pairs: when every pair is among the most common ones ANALYZE keeps
// for `pairs` (pg_stats), the rarest one's share of N (an upper bound: counting them through the
// index cost 10-26 ms at 100k, 98,860 documents hold 伂乾 乾七), else counted through the index
// (then at most as many as the rarest pair's, fewer than the least common of those kept: 3.6 % at
// 100k); otherwise counted through the index (a phrase's positions read only where all its pairs
// are, and apart from the index's condition: as a recheck of it, the pairs were read too, 17 us a
// document).
std::string StatsSql() {
  return absl::StrCat(
      "WITH e AS (SELECT GREATEST(reltuples, 0)::float8 AS n FROM pg_class WHERE oid = "
      "'search_docs'::regclass), s AS (SELECT e.n >= ",
      kEstimatedFrom, " AS large, CASE WHEN e.n >= ", kEstimatedFrom,
      " THEN e.n ELSE (SELECT COUNT(*)::float8 FROM search_docs) END AS n, CASE WHEN e.n >= ",
      kEstimatedFrom,
      " THEN e.n * COALESCE((SELECT AVG(token_count)::float8 FROM search_docs TABLESAMPLE "
      "SYSTEM (1) REPEATABLE (0)), (SELECT AVG(token_count)::float8 FROM search_docs), 0) ELSE "
      "(SELECT COALESCE(SUM(token_count), 0)::float8 FROM "
      "search_docs) END AS total FROM e), "
      // The kept pairs among the query's (most_common_elem_freqs has 3 more entries).
      "m AS (SELECT x.pair, x.freq FROM pg_stats st CROSS JOIN LATERAL "
      "unnest(st.most_common_elems::text::text[], st.most_common_elem_freqs) AS x(pair, freq) "
      "WHERE st.schemaname = (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = "
      "c.relnamespace WHERE c.oid = 'search_docs'::regclass) AND st.tablename = 'search_docs' "
      "AND st.attname = 'pairs' AND x.pair = ANY($4::text[])), "
      "f AS (SELECT w.phrase, bool_and(m.freq IS NOT NULL) AS common, MIN(m.freq)::float8 AS "
      "freq FROM unnest($4::text[], $5::int[]) AS w(pair, phrase) LEFT JOIN m ON m.pair = "
      "w.pair GROUP BY w.phrase) "
      "SELECT s.n, s.total, (SELECT COALESCE(MAX(docid), 0) FROM search_docs), CASE WHEN "
      "p.lexeme <> '' THEN COALESCE((SELECT t.docs::float8 FROM search_terms t WHERE t.term = "
      "p.lexeme), 0) WHEN s.large AND f.common THEN s.n * f.freq WHEN s.large AND p.pairs <> '' "
      "THEN (SELECT COUNT(*)::float8 FROM search_docs d WHERE d.pairs @@ p.pairs::tsquery) WHEN "
      "p.pairs <> '' THEN (SELECT COUNT(*)::float8 FROM (SELECT d.terms FROM search_docs d WHERE "
      "d.pairs @@ p.pairs::tsquery OFFSET 0) x WHERE x.terms @@ p.q::tsquery) ELSE (SELECT "
      "COUNT(*)::float8 FROM "
      "search_docs d WHERE d.terms @@ p.q::tsquery) END FROM s "
      "CROSS JOIN unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS p(q, lexeme, "
      "pairs, i) LEFT JOIN f ON f.phrase = p.i ORDER BY p.i");
}

// The $5 newest matches with a docid above $6 and at most $11, ranked (0: no bound, one the
// planner sees vanish, since btree_gin reads one key per document in the range: 35 ms for
// all 200,000; the upper bound is checked on the heap rows, as an index condition it would
// read every key below it): FTS5's bm25() with each phrase's idf ($7, from StatsSql's counts), k1
// = 1.2, b = 0.75, the mean document length $8 and each phrase's weighted frequency (title 5,
// summary 2, body 1) from ts_rank_cd. Lower is better. $1 phrase tsqueries, $2 the whole query
// (checked on the candidates when a phrase has several words), $3 locale or '', $4 category ids, $9
// and $10 the candidate queries of `terms` and `pairs` (pg_search.h). The candidates come from
// search_docs_match without a heap check, sorted newest first, and only as many are checked as it
// takes. The check comes before ranking: ranking every candidate instead (ts_rank_cd gives 0 when a
// phrase is not there in order) cost 16 us a candidate against ~5 for the check at 100k, 47 ms
// against ~20 for the 2,067 candidates of 亠二丁丂丁七 (596 matches). $1 is a tsquery[] (parsed
// once; as text cast in the ranking it was parsed again for every document).
std::string RankSql(bool by_category, bool pairs, bool positions) {
  return absl::StrCat(
      "WITH cand AS MATERIALIZED (SELECT d.article_id, d.locale, d.terms, d.token_count FROM "
      "search_docs d ",
      // Only published, not deleted articles have search documents (IndexArticle): without
      // a category filter the articles table is not read (its hash join scanned it whole).
      by_category ? absl::StrCat("JOIN articles a ON a.id = d.article_id WHERE a.category_id = "
                                 "ANY($4::text[]) AND a.state = ",
                                 pg_internal::Stored(ArticleState::kPublished),
                                 " AND a.delete_time IS NULL AND ")
                  : std::string("WHERE cardinality($4::text[]) = 0 AND "),
      "(d.docid > $6 OR $6 = 0) AND (d.docid + 0 <= $11 OR $11 = 0) AND ($9 = '' OR d.terms @@ "
      "$9::tsquery) ",
      pairs ? "AND d.pairs @@ $10::tsquery " : "AND $10 = '' ",
      "AND ($3 = '' OR d.locale = $3) ORDER BY d.docid DESC", positions ? "" : " LIMIT $5",
      "), found AS MATERIALIZED (SELECT * FROM cand c ",
      // Every parameter appears in each variant (PostgreSQL infers their types).
      positions ? "WHERE c.terms @@ $2::tsquery " : "WHERE $2 <> '' ",
      "LIMIT $5) SELECT f.article_id, f.locale, -(SELECT SUM(i.idf * x.f * 2.2 / (x.f + 1.2 * "
      "(0.25 + 0.75 * f.token_count / $8::float8))) FROM unnest($1::tsquery[], $7::float8[]) AS "
      "i(q, idf) CROSS JOIN LATERAL (SELECT ROUND(",
      kPgRankScale, " * ts_rank_cd(", kPgRankWeights,
      ", f.terms, i.q, 0))::float8 AS f) x) AS rank FROM found f ORDER BY rank, "
      "f.article_id LIMIT $5");
}

struct Ranked {
  std::string article_id;
  std::string locale;
  double rank = 0;
};

// FTS5's idf: ln((N - n + 0.5) / (n + 0.5)), at least 1e-6 (a phrase in most documents
// still counts a little). An estimated N below n counts as such a phrase.
double Idf(double docs, double hits) {
  const double ratio = (docs - hits + 0.5) / (hits + 0.5);
  const double raw = ratio > 0 ? std::max(std::log(ratio), 0.0) : 0.0;
  return raw <= 0 ? 1e-6 : raw;
}

absl::StatusOr<std::vector<Ranked>> RankDocs(PgConnection& db, const TextQuery& query,
                                             const std::string& locale,
                                             const std::vector<std::string>& category_ids,
                                             int limit) {
  // A pair's phrase as text: the statement reads them as int[].
  std::vector<std::string> phrases, lexemes, pairs, pair_lexemes, pair_phrases;
  for (const QueryPhrase& p : query.phrases) {
    std::string q = PgPhraseQuery(p);
    if (q.empty()) continue;
    phrases.push_back(std::move(q));
    lexemes.push_back(PgPhraseLexeme(p));
    pairs.push_back(PgPhrasePairs(p));
    for (std::string& pair : PgPhrasePairLexemes(p)) {
      pair_lexemes.push_back(std::move(pair));
      pair_phrases.push_back(absl::StrCat(phrases.size()));
    }
  }
  std::vector<Ranked> out;
  if (phrases.empty()) return out;
  // The statistics' plan does not depend on the values: planned once (a custom plan of
  // pg_stats took 1-2 ms each time, and the cached one was never preferred). No sequential
  // scan of search_docs, here and below: the planner costs `@@` as if free, but on a
  // small index it chose to read every document's terms and pairs from TOAST (40 ms for
  // 2,000 documents, against the GIN index's 1 ms). No JIT: the cost a plan has with a
  // sequential scan it could not avoid (a catalog's) passes jit_above_cost, and compiling
  // took 550 ms.
  RETURN_IF_ERROR(db.Script(
      "SET LOCAL plan_cache_mode = force_generic_plan; SET LOCAL enable_seqscan = off; SET "
      "LOCAL jit = off"));
  ASSIGN_OR_RETURN(PgResult stats, db.Exec(StatsSql(), PgParams()
                                                           .TextArray(phrases)
                                                           .TextArray(lexemes)
                                                           .TextArray(pairs)
                                                           .TextArray(pair_lexemes)
                                                           .TextArray(pair_phrases)));
  const double docs = stats.Double(0, 0);
  const double mean_length = docs > 0 ? stats.Double(0, 1) / docs : 0;
  const int64_t newest = stats.Int(0, 2);
  // The share of documents expected to match: the phrases' shares multiplied (all must
  // occur, as if independent) or added (any may).
  double share = query.match_all ? 1 : 0;
  std::vector<std::string> idf;
  for (int i = 0; i < stats.rows(); ++i) {
    const double hits = stats.Double(i, 3);
    idf.push_back(absl::StrFormat("%.17g", Idf(docs, hits)));  // the same double back
    const double s = docs > 0 ? std::min(hits / docs, 1.0) : 1;
    share = query.match_all ? share * s : std::min(share + s, 1.0);
  }
  // A category's articles are a small share: their matches are read whole.
  int64_t window = 0;
  if (category_ids.empty() && share > 0) {
    window = static_cast<int64_t>(std::min(std::ceil(kWindowSlack * limit / share), 1e18));
  }
  // A window holds few documents, so the planner would walk search_docs_newest and check
  // each document's terms (a detoast each: ~8 us, 24 ms for 3,000); search_docs_match
  // (terms, pairs, docid) finds the window's candidates without touching the terms (1 ms).
  // Until the end of this (read-only) transaction.
  // Every statement from here is planned for its parameters: the bounds that vanish when
  // they span the index ($6 = 0) and the window's docid range are only seen by a custom
  // plan. From its sixth run a prepared statement may get a generic plan, which read every
  // match of a common word (65,383 of `try` at 100k: 28 ms against 11 ms) before the bound.
  RETURN_IF_ERROR(
      db.Script("SET LOCAL enable_indexscan = off; SET LOCAL plan_cache_mode = force_custom_plan"));
  const std::string candidate_pairs = PgCandidatePairs(query);
  const std::string sql =
      RankSql(!category_ids.empty(), !candidate_pairs.empty(), PgNeedsPositions(query));
  // The candidates of a window are counted (from the index, no document read) before it
  // is ranked: a window with too few is widened without ranking it.
  const std::string count_sql = absl::StrCat(
      "SELECT COUNT(*) FROM (SELECT 1 FROM search_docs d WHERE (d.docid > $1 OR $1 = 0) AND "
      "(d.docid + 0 <= $6 OR $6 = 0) AND ($2 = '' OR d.terms @@ $2::tsquery) ",
      candidate_pairs.empty() ? "AND $3 = '' " : "AND d.pairs @@ $3::tsquery ",
      "AND ($4 = '' OR d.locale = $4) LIMIT $5) c");
  // Each step reads the documents not read yet, (after, upto]: the matches of a window
  // that held too few stay, ranked (a document's rank does not depend on the others), and
  // the next, wider window adds the newest of the rest.
  int64_t upto = newest;
  const double expected_matches = share * docs;
  for (;;) {
    const bool bounded = window > 0 && window < newest &&
                         static_cast<double>(window) < kBoundKeysPerMatch * expected_matches;
    const int64_t after = bounded ? newest - window : 0;
    const int need = limit - static_cast<int>(out.size());
    if (after > 0) {
      ASSIGN_OR_RETURN(PgResult c, db.Exec(count_sql, PgParams()
                                                          .Int(after)
                                                          .Text(PgCandidateTerms(query))
                                                          .Text(candidate_pairs)
                                                          .Text(locale)
                                                          .Int(need)
                                                          .Int(upto == newest ? 0 : upto)));
      if (c.Int(0, 0) < need) {
        window *= kWindowGrowth;
        continue;
      }
    }
    ASSIGN_OR_RETURN(PgResult r, db.Exec(sql, PgParams()
                                                  .TextArray(phrases)
                                                  .Text(PgTextQuery(query))
                                                  .Text(locale)
                                                  .TextArray(category_ids)
                                                  .Int(need)
                                                  .Int(after)
                                                  .TextArray(idf)
                                                  .Double(mean_length)
                                                  .Text(PgCandidateTerms(query))
                                                  .Text(candidate_pairs)
                                                  .Int(upto == newest ? 0 : upto)));
    for (int i = 0; i < r.rows(); ++i) {
      out.push_back({r.Text(i, 0), r.Text(i, 1), r.Double(i, 2)});
    }
    if (static_cast<int>(out.size()) >= limit || after == 0) break;
    // The window's candidates held fewer matches than counted (a phrase's pairs found
    // apart: 465 of 1,031 for 孖一一塌勂 at 100k): the next window adds as many documents
    // as its match rate says are missing, kWindowSlack times, not kWindowGrowth times the
    // window (8 times 40,000 documents spans most of a 200,000-document index).
    const double read = static_cast<double>(upto - after);
    const double missing = static_cast<double>(limit - static_cast<int>(out.size()));
    upto = after;
    if (r.rows() > 0) {
      const double more = std::ceil(kWindowSlack * read * missing / r.rows());
      window += static_cast<int64_t>(std::min(more, 1e18));
    } else {
      window *= kWindowGrowth;
    }
  }
  // As the statement orders them: rank, then article id (bytes, as COLLATE "C").
  std::stable_sort(out.begin(), out.end(), [](const Ranked& a, const Ranked& b) {
    return a.rank != b.rank ? a.rank < b.rank : a.article_id < b.article_id;
  });
  return out;
}

}  // namespace

absl::StatusOr<std::vector<SearchHit>> PostgresArticleStore::Search(
    const TextQuery& query, const std::string& locale, const std::vector<std::string>& category_ids,
    int limit) {
  std::vector<SearchHit> hits;
  if (query.phrases.empty()) return hits;
  // One snapshot: the counts and the matches agree.
  RETURN_IF_ERROR(pool_->Read([&](PgConnection& db) -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<Ranked> ranked, RankDocs(db, query, locale, category_ids, limit));
    for (Ranked& r : ranked) hits.push_back({std::move(r.article_id), std::move(r.locale), r.rank});
    return absl::OkStatus();
  }));
  return hits;
}

}  // namespace bulletin::content
