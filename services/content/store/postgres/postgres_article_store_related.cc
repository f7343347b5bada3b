// PostgresArticleStore::RelatedCandidates: the candidates of an article's related
// articles (holders of its tags, members of its category, documents matching the rarest
// words of its title) with what the core scores them by, as on SQLite. Each part is
// bounded whatever the size of the archive (see the constants below). One pooled read
// connection per call; the search index (search_docs) is kept by
// postgres_article_store_search.cc.
#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "services/content/store/postgres/pg_internal.h"
#include "services/content/store/postgres/pg_search.h"
#include "services/content/store/postgres/postgres_article_store.h"

namespace bulletin::content {
namespace {

// Related articles (as on SQLite): the text query keeps at most kRareTerms words, each in
// fewer than kCommonDocs search documents, so ranking is bounded whatever the archive's
// size.
constexpr int64_t kCommonDocs = 500;
constexpr size_t kRareTerms = 4;

struct Ranked {
  std::string article_id;
  double rank = 0;
};

// The `limit` best documents matching any of `phrases` (tsquery literals, each in `docs`
// documents, counted exactly), ranked by FTS5's bm25() as Search ranks them (idf from the
// document counts, k1 = 1.2, b = 0.75, weighted frequency from ts_rank_cd), over every
// locale; lower is better. ts_rank_cd reads each document's whole tsvector (~35 us a
// document at 100k articles), so only `limit` documents are ranked: those matching the
// phrases of the highest idf sum, the most recently indexed first among equals (read
// from the GIN index and the rows, without the tsvectors).
absl::StatusOr<std::vector<Ranked>> RankText(PgConnection& db,
                                             const std::vector<std::string>& phrases,
                                             const std::vector<std::string>& docs, int limit) {
  std::vector<Ranked> out;
  if (phrases.empty()) return out;
  ASSIGN_OR_RETURN(
      PgResult r,
      db.Exec(absl::StrCat(
                  "WITH phrase AS (SELECT t.q::tsquery AS q, t.hits FROM unnest($1::text[], "
                  "$2::float8[]) AS t(q, hits)), "
                  "stats AS (SELECT CASE WHEN e.n >= 10000 THEN e.n ELSE (SELECT COUNT(*)::float8 "
                  "FROM search_docs) END AS n, CASE WHEN e.n >= 10000 THEN e.n * (SELECT "
                  "COALESCE(AVG(token_count), 0)::float8 FROM search_docs TABLESAMPLE SYSTEM (1) "
                  "REPEATABLE (0)) ELSE (SELECT COALESCE(SUM(token_count), 0)::float8 FROM "
                  "search_docs) END AS total FROM (SELECT GREATEST(reltuples, 0)::float8 AS n FROM "
                  "pg_class WHERE oid = 'search_docs'::regclass) e), "
                  // idf floored at 1e-6, as in Search.
                  "idf AS MATERIALIZED (SELECT p.q, GREATEST(LN((s.n - p.hits + 0.5) / (p.hits + "
                  "0.5)), 1e-6) AS w FROM phrase p CROSS JOIN stats s), "
                  "matched AS (SELECT d.docid FROM idf i JOIN search_docs d ON d.terms @@ i.q "
                  "GROUP BY d.docid ORDER BY SUM(i.w) DESC, d.docid DESC LIMIT $3), "
                  "found AS MATERIALIZED (SELECT d.article_id, d.terms, d.token_count FROM "
                  "matched m JOIN search_docs d ON d.docid = m.docid) "
                  "SELECT f.article_id, -(SELECT SUM(i.w * x.f * 2.2 / (x.f + 1.2 * (0.25 + 0.75 "
                  "* f.token_count / (s.total / s.n)))) FROM idf i CROSS JOIN LATERAL (SELECT "
                  "ROUND(",
                  kPgRankScale, " * ts_rank_cd(", kPgRankWeights,
                  ", f.terms, i.q, 0))::float8 AS f) x) AS rank "
                  "FROM found f CROSS JOIN stats s ORDER BY rank, f.article_id LIMIT $3"),
              PgParams().TextArray(phrases).TextArray(docs).Int(limit)));
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.Text(i, 0), r.Double(i, 1)});
  return out;
}

}  // namespace

absl::StatusOr<std::vector<RelatedCandidate>> PostgresArticleStore::RelatedCandidates(
    const Article& article, const TextQuery& text, int limit) {
  std::map<std::string, RelatedCandidate> found;
  std::map<std::string, int64_t> timed;  // sort time of the candidates found by tag or category
  auto entry = [&](const std::string& id) -> RelatedCandidate& {
    RelatedCandidate& c = found[id];
    c.article_id = id;
    return c;
  };
  std::vector<RelatedCandidate> out;
  RETURN_IF_ERROR(pool_->Read([&](PgConnection& db) -> absl::Status {
    found.clear();
    timed.clear();
    out.clear();
    // The `limit` newest published, not deleted holders of each tag and members of the
    // category, in one query of index range reads (schema migration 5).
    ASSIGN_OR_RETURN(
        PgResult r,
        db.Exec(absl::StrCat(
                    "SELECT h.article_id, h.listed_time, true FROM unnest($1::text[]) AS t(tag) "
                    "CROSS JOIN LATERAL (SELECT g.article_id, g.listed_time FROM listed_tags g "
                    "WHERE g.tag = t.tag ORDER BY g.listed_time DESC, g.article_id DESC "
                    "LIMIT $3) h UNION ALL (SELECT a.id, "
                    "COALESCE(a.publish_time, a.create_time), false FROM articles a WHERE "
                    "a.category_id = $2 AND a.state = ",
                    pg_internal::Stored(ArticleState::kPublished),
                    " AND a.delete_time IS NULL ORDER BY COALESCE(a.publish_time, "
                    "a.create_time) DESC, a.id DESC LIMIT $3)"),
                PgParams().TextArray(article.tags).Text(article.category_id).Int(limit)));
    for (int i = 0; i < r.rows(); ++i) {
      RelatedCandidate& c = entry(r.Text(i, 0));
      if (r.Bool(i, 2)) {
        ++c.shared_tags;
      } else {
        c.same_category = true;
      }
      timed[c.article_id] = r.Int(i, 1);
    }
    if (!text.phrases.empty()) {
      // Only the rarest words (as on SQLite): at most kRareTerms of those in fewer than
      // kCommonDocs documents, rarest first, by their document counts in search_terms
      // (schema migration 6: one keyed read; counting through the GIN index read a row per
      // document, ~4 us each).
      std::vector<std::string> phrases, words;
      for (const QueryPhrase& p : text.phrases) {
        phrases.push_back(PgPhraseQuery(p));
        words.push_back(p.tokens.size() == 1 ? p.tokens[0] : "");
      }
      ASSIGN_OR_RETURN(PgResult counts,
                       db.Exec("SELECT COALESCE(t.docs, 0) FROM unnest($1::text[]) WITH "
                               "ORDINALITY AS w(term, i) LEFT JOIN search_terms t ON t.term = "
                               "w.term ORDER BY w.i",
                               PgParams().TextArray(words)));
      std::vector<std::pair<int64_t, size_t>> rare;  // (documents, phrase index)
      for (int i = 0; i < counts.rows() && static_cast<size_t>(i) < text.phrases.size(); ++i) {
        const int64_t docs = counts.Int(i, 0);
        if (docs > 1 && docs < kCommonDocs && !phrases[static_cast<size_t>(i)].empty()) {
          rare.emplace_back(docs, static_cast<size_t>(i));
        }
      }
      std::sort(rare.begin(), rare.end());
      std::vector<std::string> rare_phrases, rare_docs;
      for (size_t k = 0; k < rare.size() && k < kRareTerms; ++k) {
        rare_phrases.push_back(phrases[rare[k].second]);
        rare_docs.push_back(absl::StrCat(rare[k].first));
      }
      if (!rare_phrases.empty()) {
        ASSIGN_OR_RETURN(std::vector<Ranked> ranked, RankText(db, rare_phrases, rare_docs, limit));
        for (const Ranked& r : ranked) {
          RelatedCandidate& c = entry(r.article_id);
          if (c.text_rank == 0) c.text_rank = r.rank;  // best first: keep the best translation
        }
      }
    }
    found.erase(article.id);
    // Publish times of the candidates found by text only, in one query (and whether they
    // are still live); those of tag and category holders came with them.
    std::vector<std::string> ids;
    for (const auto& [id, c] : found) {
      auto t = timed.find(id);
      if (t == timed.end()) {
        ids.push_back(id);
        continue;
      }
      out.push_back(c);
      out.back().sort_time = pg_internal::FromMicros(t->second);
    }
    if (!ids.empty()) {
      ASSIGN_OR_RETURN(PgResult times,
                       db.Exec(absl::StrCat("SELECT a.id, COALESCE(a.publish_time, a.create_time) "
                                            "FROM articles a WHERE a.id = ANY($1::text[]) AND "
                                            "a.state = ",
                                            pg_internal::Stored(ArticleState::kPublished),
                                            " AND a.delete_time IS NULL"),
                               PgParams().TextArray(ids)));
      for (int i = 0; i < times.rows(); ++i) {
        auto it = found.find(times.Text(i, 0));
        if (it == found.end()) continue;
        out.push_back(it->second);
        out.back().sort_time = pg_internal::FromMicros(times.Int(i, 1));
      }
    }
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace bulletin::content
