// PostgresArticleStore: the search index's documents (pg_search.h), written with each
// article (IndexArticle, IndexArticles) and rebuilt whole when their format changes.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/base/log.h"
#include "common/base/status_macros.h"
#include "services/content/store/postgres/pg_internal.h"
#include "services/content/store/postgres/pg_schema.h"
#include "services/content/store/postgres/pg_search.h"

namespace bulletin::content {
namespace {

// Bump when the tokenizer or what is indexed changes: Open then rebuilds the index.
// 2: the documents' pairs (migration 7).
constexpr char kSearchIndexVersion[] = "2";

// Articles indexed per IndexArticles call in bulk.
constexpr size_t kIndexChunk = 200;

}  // namespace

namespace pg_internal {

absl::Status IndexArticle(PgConnection& db, const Article& a) {
  RETURN_IF_ERROR(
      db.Exec("DELETE FROM search_docs WHERE article_id = $1", PgParams().Text(a.id)).status());
  if (a.state != ArticleState::kPublished || a.delete_time) return absl::OkStatus();
  for (const auto& [locale, tr] : a.translations) {
    const PgSearchDocument doc = MakePgSearchDocument(tr);
    RETURN_IF_ERROR(
        db.Exec("INSERT INTO search_docs (article_id, locale, terms, token_count, pairs) "
                "VALUES ($1, $2, $3::tsvector, $4, $5::tsvector)",
                PgParams()
                    .Text(a.id)
                    .Text(locale)
                    .Text(doc.terms)
                    .Int(doc.token_count)
                    .Text(doc.pairs))
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
  std::vector<std::string> doc_ids, locales, terms, counts, pairs;
  for (const Article& a : articles) {
    if (a.state != ArticleState::kPublished || a.delete_time) continue;
    for (const auto& [locale, tr] : a.translations) {
      PgSearchDocument doc = MakePgSearchDocument(tr);
      doc_ids.push_back(a.id);
      locales.push_back(locale);
      terms.push_back(std::move(doc.terms));
      counts.push_back(absl::StrCat(doc.token_count));
      pairs.push_back(std::move(doc.pairs));
    }
  }
  if (doc_ids.empty()) return absl::OkStatus();
  return db
      .Exec(
          "INSERT INTO search_docs (article_id, locale, terms, token_count, pairs) SELECT t.id, "
          "t.locale, t.terms::tsvector, t.n, t.pairs::tsvector FROM unnest($1::text[], "
          "$2::text[], $3::text[], $4::int[], $5::text[]) AS t(id, locale, terms, n, pairs)",
          PgParams()
              .TextArray(doc_ids)
              .TextArray(locales)
              .TextArray(terms)
              .TextArray(counts)
              .TextArray(pairs))
      .status();
}

absl::Status IndexArticlesInBulk(PgConnection& db, const std::vector<std::string>& ids) {
  // The GIN index is dropped and built once after (200,000 inserts into it took minutes
  // per 10,000 articles), and the word counts of search_terms recomputed once by ts_stat
  // instead of by the triggers per statement (the index's and the counts' definitions as
  // in pg_schema.cc, migrations 6 and 7).
  RETURN_IF_ERROR(
      db.Script("SET LOCAL maintenance_work_mem = '256MB'; DROP INDEX IF EXISTS search_docs_match; "
                "ALTER TABLE search_docs DISABLE TRIGGER USER"));
  for (size_t i = 0; i < ids.size(); i += kIndexChunk) {
    const size_t end = std::min(ids.size(), i + kIndexChunk);
    RETURN_IF_ERROR(
        IndexArticles(db, std::vector<std::string>(ids.begin() + i, ids.begin() + end)));
  }
  return db.Script(
      "CREATE INDEX search_docs_match ON search_docs USING GIN (terms, pairs, docid); "
      "ALTER TABLE search_docs ENABLE TRIGGER USER; DELETE FROM search_terms; "
      "INSERT INTO search_terms (term, docs) "
      "SELECT word, ndoc FROM ts_stat('SELECT terms FROM search_docs')");
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
    // Every document is written again, in publish order, so that "the most recently
    // indexed" matches are the newest articles. Searches on other replicas wait for the
    // commit.
    RETURN_IF_ERROR(db.Script("TRUNCATE search_docs"));
    const absl::Time start = absl::Now();
    ASSIGN_OR_RETURN(PgResult r, db.Exec(absl::StrCat("SELECT id FROM articles WHERE state = ",
                                                      Stored(ArticleState::kPublished),
                                                      " AND delete_time IS NULL ORDER BY "
                                                      "COALESCE(publish_time, create_time), id")));
    std::vector<std::string> ids;
    for (int i = 0; i < r.rows(); ++i) ids.push_back(r.Text(i, 0));
    if (!ids.empty()) {
      Logger()->info(
          "search index: rebuilding the documents of {} articles (version {}); searches wait "
          "for it",
          ids.size(), kSearchIndexVersion);
    }
    RETURN_IF_ERROR(IndexArticlesInBulk(db, ids));
    if (!ids.empty()) {
      Logger()->info("search index: rebuilt in {:.1f} s",
                     absl::ToDoubleSeconds(absl::Now() - start));
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

}  // namespace bulletin::content
