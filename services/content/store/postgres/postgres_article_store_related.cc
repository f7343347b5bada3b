// PostgresArticleStore::RelatedCandidates: the candidates of an article's related
// articles (holders of its tags, members of its category, documents matching the rarest
// words of its title) with what the core scores them by, as on SQLite. Each part is
// bounded whatever the size of the archive (see the constants below). One pooled read
// connection per call; the search index (search_docs) is kept by
// postgres_article_store_search.cc.
#include <algorithm>
#include <functional>
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
// size; tags and categories with fewer holders than kFewHolders are read through their
// index and sorted, commoner ones by scanning the list order.
constexpr int64_t kCommonDocs = 500;
constexpr size_t kRareTerms = 4;
constexpr int64_t kFewHolders = 1200;

struct Ranked {
  std::string article_id;
  double rank = 0;
};

// The `limit` best documents for `query` by FTS5's bm25() as Search ranks them (idf from
// each phrase's document count, k1 = 1.2, b = 0.75, weighted frequency from ts_rank_cd),
// over every locale. Lower is better.
absl::StatusOr<std::vector<Ranked>> RankText(PgConnection& db, const TextQuery& query, int limit) {
  std::vector<std::string> phrases;
  for (const QueryPhrase& p : query.phrases) {
    std::string q = PgPhraseQuery(p);
    if (!q.empty()) phrases.push_back(std::move(q));
  }
  std::vector<Ranked> out;
  if (phrases.empty()) return out;
  ASSIGN_OR_RETURN(
      PgResult r,
      db.Exec(absl::StrCat(
                  "WITH phrase AS (SELECT q::tsquery AS q FROM unnest($1::text[]) AS t(q)), "
                  "stats AS (SELECT CASE WHEN e.n >= 10000 THEN e.n ELSE (SELECT COUNT(*)::float8 "
                  "FROM search_docs) END AS n, CASE WHEN e.n >= 10000 THEN e.n * (SELECT "
                  "COALESCE(AVG(token_count), 0)::float8 FROM search_docs TABLESAMPLE SYSTEM (1) "
                  "REPEATABLE (0)) ELSE (SELECT COALESCE(SUM(token_count), 0)::float8 FROM "
                  "search_docs) END AS total FROM (SELECT GREATEST(reltuples, 0)::float8 AS n FROM "
                  "pg_class WHERE oid = 'search_docs'::regclass) e), "
                  "idf AS MATERIALIZED (SELECT p.q, GREATEST(LN((s.n - h.hits + 0.5) / (h.hits + "
                  "0.5)), 0) AS raw FROM phrase p CROSS JOIN stats s CROSS JOIN LATERAL (SELECT "
                  "COUNT(*)::float8 AS hits FROM search_docs d WHERE d.terms @@ p.q) h), "
                  "found AS (SELECT d.article_id, d.terms, d.token_count FROM search_docs d WHERE "
                  "d.terms @@ $2::tsquery) "
                  "SELECT f.article_id, -(SELECT SUM(CASE WHEN i.raw <= 0 THEN 1e-6 ELSE i.raw END "
                  "* x.f * 2.2 / (x.f + 1.2 * (0.25 + 0.75 * f.token_count / (s.total / s.n)))) "
                  "FROM idf i CROSS JOIN LATERAL (SELECT ROUND(",
                  kPgRankScale, " * ts_rank_cd(", kPgRankWeights,
                  ", f.terms, i.q, 0))::float8 AS f) x) AS rank "
                  "FROM found f CROSS JOIN stats s ORDER BY rank, f.article_id LIMIT $3"),
              PgParams().TextArray(phrases).Text(PgTextQuery(query)).Int(limit)));
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.Text(i, 0), r.Double(i, 1)});
  return out;
}

}  // namespace

absl::StatusOr<std::vector<RelatedCandidate>> PostgresArticleStore::RelatedCandidates(
    const Article& article, const TextQuery& text, int limit) {
  std::map<std::string, RelatedCandidate> found;
  auto entry = [&](const std::string& id) -> RelatedCandidate& {
    RelatedCandidate& c = found[id];
    c.article_id = id;
    return c;
  };
  const std::string published = pg_internal::Stored(ArticleState::kPublished);
  std::vector<RelatedCandidate> out;
  RETURN_IF_ERROR(pool_->Read([&](PgConnection& db) -> absl::Status {
    found.clear();
    out.clear();
    // The `limit` most recent published articles with a tag (or in a category), by the
    // cheaper plan: the few holders through the tag's (category's) index and a sort, or,
    // for a common one, the list order (articles_listed) until `limit` holders are found.
    const std::string live =
        absl::StrCat(" AND a.state = ", published, " AND a.delete_time IS NULL");
    const std::string newest =
        " ORDER BY COALESCE(a.publish_time, a.create_time) DESC, a.id DESC LIMIT $2";
    auto recent = [&](const std::string& count_sql, const std::string& few_sql,
                      const std::string& many_sql, const std::string& key,
                      const std::function<void(const std::string&)>& add) -> absl::Status {
      ASSIGN_OR_RETURN(PgResult n, db.Exec(count_sql, PgParams().Text(key).Int(kFewHolders)));
      const bool few = n.rows() > 0 && n.Int(0, 0) < kFewHolders;
      ASSIGN_OR_RETURN(PgResult r,
                       db.Exec(few ? few_sql : many_sql, PgParams().Text(key).Int(limit)));
      for (int i = 0; i < r.rows(); ++i) add(r.Text(i, 0));
      return absl::OkStatus();
    };
    for (const std::string& tag : article.tags) {
      RETURN_IF_ERROR(recent(
          "SELECT COUNT(*) FROM (SELECT 1 FROM article_tags WHERE tag = $1 LIMIT $2) x",
          absl::StrCat("SELECT g.article_id FROM article_tags g JOIN articles a ON a.id = "
                       "g.article_id WHERE g.tag = $1",
                       live, newest),
          absl::StrCat("SELECT a.id FROM articles a WHERE EXISTS (SELECT 1 FROM article_tags g "
                       "WHERE g.article_id = a.id AND g.tag = $1)",
                       live, newest),
          tag, [&](const std::string& id) { ++entry(id).shared_tags; }));
    }
    if (!article.category_id.empty()) {
      RETURN_IF_ERROR(recent(
          absl::StrCat("SELECT COUNT(*) FROM (SELECT 1 FROM articles a WHERE a.category_id = $1",
                       live, " LIMIT $2) x"),
          absl::StrCat("SELECT a.id FROM articles a WHERE a.category_id = $1", live, newest),
          // || '': not through the category's index (which would read every member).
          absl::StrCat("SELECT a.id FROM articles a WHERE a.category_id || '' = $1", live, newest),
          article.category_id, [&](const std::string& id) { entry(id).same_category = true; }));
    }
    if (!text.phrases.empty()) {
      // Only the rarest words (as on SQLite): each word's documents counted up to
      // kCommonDocs, at most kRareTerms of those under it, rarest first.
      // A word among the planner's most common elements of search_docs.terms (those in
      // more than a few % of the documents, after ANALYZE) is not counted: the index would
      // read all its documents.
      std::vector<std::string> phrases, words;
      for (const QueryPhrase& p : text.phrases) {
        phrases.push_back(PgPhraseQuery(p));
        words.push_back(p.tokens.size() == 1 ? p.tokens[0] : "");
      }
      ASSIGN_OR_RETURN(
          PgResult counts,
          db.Exec("SELECT CASE WHEN p.w = ANY(m.e) THEN $2 ELSE (SELECT COUNT(*) FROM (SELECT 1 "
                  "FROM search_docs WHERE terms @@ p.q::tsquery LIMIT $2) x) END FROM "
                  "unnest($1::text[], $3::text[]) WITH ORDINALITY AS p(q, w, i) LEFT JOIN "
                  "(SELECT most_common_elems::text::text[] AS e FROM pg_stats WHERE schemaname = "
                  "current_schema() AND tablename = 'search_docs' AND attname = 'terms') m ON "
                  "true ORDER BY p.i",
                  PgParams().TextArray(phrases).Int(kCommonDocs).TextArray(words)));
      std::vector<std::pair<int64_t, size_t>> rare;  // (documents, phrase index)
      for (int i = 0; i < counts.rows() && static_cast<size_t>(i) < text.phrases.size(); ++i) {
        const int64_t docs = counts.Int(i, 0);
        if (docs > 1 && docs < kCommonDocs) rare.emplace_back(docs, static_cast<size_t>(i));
      }
      std::sort(rare.begin(), rare.end());
      TextQuery bounded;
      bounded.match_all = false;
      for (size_t k = 0; k < rare.size() && k < kRareTerms; ++k) {
        bounded.phrases.push_back(text.phrases[rare[k].second]);
      }
      if (!bounded.phrases.empty()) {
        ASSIGN_OR_RETURN(std::vector<Ranked> ranked, RankText(db, bounded, limit));
        for (const Ranked& r : ranked) {
          RelatedCandidate& c = entry(r.article_id);
          if (c.text_rank == 0) c.text_rank = r.rank;  // best first: keep the best translation
        }
      }
    }
    found.erase(article.id);
    // Publish times of all candidates in one query (and whether they are still live).
    std::vector<std::string> ids;
    for (const auto& [id, c] : found) ids.push_back(id);
    ASSIGN_OR_RETURN(PgResult r,
                     db.Exec(absl::StrCat("SELECT a.id, COALESCE(a.publish_time, a.create_time) "
                                          "FROM articles a WHERE a.id = ANY($1::text[])",
                                          live),
                             PgParams().TextArray(ids)));
    for (int i = 0; i < r.rows(); ++i) {
      auto it = found.find(r.Text(i, 0));
      if (it == found.end()) continue;
      it->second.sort_time = pg_internal::FromMicros(r.Int(i, 1));
      out.push_back(it->second);
    }
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace bulletin::content
