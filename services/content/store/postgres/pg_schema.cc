// The content database schema on PostgreSQL. It mirrors store/sqlite's tables (times as
// BIGINT microseconds since the epoch, states as their stored numbers), so a database
// moves between the backends row for row; the search index is a weighted tsvector per
// translation with a GIN index instead of FTS5. Identifiers, slugs, locales and tags
// compare byte-wise (COLLATE "C"), whatever the database's locale, as on SQLite.
#include "services/content/store/postgres/pg_schema.h"

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"

namespace bulletin::content {

const std::vector<std::string>& PgSchemaMigrations() {
  static const std::vector<std::string>* migrations = new std::vector<std::string>{
      R"sql(
CREATE TABLE categories (
  id TEXT COLLATE "C" PRIMARY KEY,
  slug TEXT COLLATE "C" NOT NULL UNIQUE,
  parent_id TEXT COLLATE "C" REFERENCES categories(id),
  default_locale TEXT COLLATE "C" NOT NULL,
  sort_order INTEGER NOT NULL DEFAULT 0,
  create_time BIGINT NOT NULL,
  update_time BIGINT NOT NULL,
  etag TEXT NOT NULL
);
CREATE INDEX categories_by_parent ON categories(parent_id);
CREATE TABLE category_translations (
  category_id TEXT COLLATE "C" NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
  locale TEXT COLLATE "C" NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  PRIMARY KEY (category_id, locale)
);
CREATE TABLE articles (
  id TEXT COLLATE "C" PRIMARY KEY,
  slug TEXT COLLATE "C" NOT NULL UNIQUE,
  category_id TEXT COLLATE "C" REFERENCES categories(id),
  state SMALLINT NOT NULL,
  default_locale TEXT COLLATE "C" NOT NULL,
  publish_time BIGINT,
  create_time BIGINT NOT NULL,
  update_time BIGINT NOT NULL,
  revision BIGINT NOT NULL,
  etag TEXT NOT NULL,
  featured BOOLEAN NOT NULL DEFAULT false,
  delete_time BIGINT
);
CREATE INDEX articles_by_category ON articles(category_id);
CREATE INDEX articles_by_list_order
  ON articles(state, featured, (COALESCE(publish_time, create_time)), id);
CREATE INDEX articles_scheduled ON articles(publish_time) WHERE state = 2;
CREATE TABLE article_translations (
  article_id TEXT COLLATE "C" NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  locale TEXT COLLATE "C" NOT NULL,
  title TEXT NOT NULL,
  summary TEXT NOT NULL,
  body TEXT NOT NULL,
  cover_image_url TEXT NOT NULL,
  cover_image_caption TEXT NOT NULL,
  cover_image_alt TEXT NOT NULL,
  slug TEXT COLLATE "C" NOT NULL,
  outdated BOOLEAN NOT NULL DEFAULT false,
  update_time BIGINT NOT NULL,
  PRIMARY KEY (article_id, locale)
);
CREATE TABLE article_tags (
  article_id TEXT COLLATE "C" NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  tag TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (article_id, position)
);
CREATE INDEX article_tags_by_tag ON article_tags(tag);
-- Article and translation slugs share one namespace: a slug names at most one article.
CREATE TABLE slugs (
  slug TEXT COLLATE "C" PRIMARY KEY,
  article_id TEXT COLLATE "C" NOT NULL REFERENCES articles(id) ON DELETE CASCADE
);
CREATE INDEX slugs_by_article ON slugs(article_id);
-- request_id idempotency, shared by every replica on this database.
CREATE TABLE request_ids (
  kind TEXT COLLATE "C" NOT NULL,
  request_id TEXT COLLATE "C" NOT NULL,
  resource_id TEXT COLLATE "C" NOT NULL,
  create_time BIGINT NOT NULL,
  PRIMARY KEY (kind, request_id)
);
-- The transactional outbox: written with the change, relayed to Redis in seq order, kept
-- for the retention after sending so that a Redis that lost its last second gets them again.
CREATE TABLE outbox (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id TEXT COLLATE "C" NOT NULL UNIQUE,
  type TEXT NOT NULL,
  article_id TEXT COLLATE "C" NOT NULL,
  payload BYTEA NOT NULL,
  create_time BIGINT NOT NULL,
  sent_time BIGINT,
  stream_id TEXT
);
CREATE INDEX outbox_unsent ON outbox(seq) WHERE sent_time IS NULL;
CREATE INDEX outbox_by_sent_time ON outbox(sent_time) WHERE sent_time IS NOT NULL;
CREATE TABLE relay_state (
  key TEXT COLLATE "C" PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE article_revisions (
  article_id TEXT COLLATE "C" NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  revision BIGINT NOT NULL,
  slug TEXT COLLATE "C" NOT NULL,
  category_id TEXT COLLATE "C",
  state SMALLINT NOT NULL,
  default_locale TEXT COLLATE "C" NOT NULL,
  publish_time BIGINT,
  create_time BIGINT NOT NULL,
  update_time BIGINT NOT NULL,
  etag TEXT NOT NULL,
  featured BOOLEAN NOT NULL,
  delete_time BIGINT,
  author TEXT NOT NULL,
  changed_fields TEXT NOT NULL,
  revision_time BIGINT NOT NULL,
  PRIMARY KEY (article_id, revision)
);
CREATE TABLE article_revision_translations (
  article_id TEXT COLLATE "C" NOT NULL,
  revision BIGINT NOT NULL,
  locale TEXT COLLATE "C" NOT NULL,
  title TEXT NOT NULL,
  summary TEXT NOT NULL,
  body TEXT NOT NULL,
  cover_image_url TEXT NOT NULL,
  cover_image_caption TEXT NOT NULL,
  cover_image_alt TEXT NOT NULL,
  slug TEXT COLLATE "C" NOT NULL,
  outdated BOOLEAN NOT NULL,
  update_time BIGINT NOT NULL,
  PRIMARY KEY (article_id, revision, locale),
  FOREIGN KEY (article_id, revision) REFERENCES article_revisions ON DELETE CASCADE
);
CREATE TABLE article_revision_tags (
  article_id TEXT COLLATE "C" NOT NULL,
  revision BIGINT NOT NULL,
  position INTEGER NOT NULL,
  tag TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (article_id, revision, position),
  FOREIGN KEY (article_id, revision) REFERENCES article_revisions ON DELETE CASCADE
);
-- One search document per translation of a published, not deleted article: its tokens
-- (core/search_tokenizer.h) as a tsvector weighted A (title), B (summary), C (body), and
-- their number, which BM25 needs (pg_search.h).
CREATE TABLE search_docs (
  article_id TEXT COLLATE "C" NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  locale TEXT COLLATE "C" NOT NULL,
  terms TSVECTOR NOT NULL,
  token_count INTEGER NOT NULL,
  PRIMARY KEY (article_id, locale)
);
CREATE INDEX search_docs_terms ON search_docs USING GIN (terms);
)sql",
      // 2: slug history, as SQLite's migration 3: `slugs` keeps every slug an article (or
      // one of its translations) has had, backfilled from the revision snapshots, newest
      // first, so a slug that passed between articles stays with its latest holder.
      R"sql(
INSERT INTO slugs (slug, article_id)
  SELECT h.slug, h.article_id FROM (
    SELECT r.slug AS slug, r.article_id AS article_id, r.revision_time AS t
      FROM article_revisions r
    UNION ALL
    SELECT rt.slug, rt.article_id, r.revision_time
      FROM article_revision_translations rt JOIN article_revisions r
        ON r.article_id = rt.article_id AND r.revision = rt.revision
      WHERE rt.slug <> ''
  ) h JOIN articles a ON a.id = h.article_id
  ORDER BY h.t DESC, h.article_id
ON CONFLICT (slug) DO NOTHING;
)sql",
      // 3: list pages and their counts at archive scale, as SQLite's migration 4: the
      // newest-first order without featured in front, and the live articles by category.
      R"sql(
CREATE INDEX IF NOT EXISTS articles_listed
  ON articles(state, (COALESCE(publish_time, create_time)), id) WHERE delete_time IS NULL;
CREATE INDEX IF NOT EXISTS articles_counted ON articles(state, category_id) WHERE delete_time IS NULL;
)sql",
      // 4: search documents numbered in the order they are indexed, as SQLite's FTS5
      // rowids: a search ranks the newest matches (ContentCore's kMaxRankedMatches), read
      // newest first through this index.
      R"sql(
ALTER TABLE search_docs ADD COLUMN IF NOT EXISTS docid BIGINT GENERATED ALWAYS AS IDENTITY;
CREATE UNIQUE INDEX IF NOT EXISTS search_docs_newest ON search_docs(docid);
)sql",
      // 5: related articles at archive scale, as SQLite's migration 5: listed_tags holds
      // (tag, sort time, article) for every tag of every published, not deleted article,
      // kept so by the triggers, and an index gives a category's newest live articles.
      // Rebuilt whole when this migration runs again.
      R"sql(
CREATE TABLE IF NOT EXISTS listed_tags (
  tag TEXT COLLATE "C" NOT NULL,
  listed_time BIGINT NOT NULL,
  article_id TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (tag, listed_time, article_id)
);
CREATE INDEX IF NOT EXISTS listed_tags_by_article ON listed_tags(article_id);
DELETE FROM listed_tags;
INSERT INTO listed_tags (tag, listed_time, article_id)
  SELECT g.tag, COALESCE(a.publish_time, a.create_time), a.id
  FROM article_tags g JOIN articles a ON a.id = g.article_id
  WHERE a.state = 3 AND a.delete_time IS NULL
ON CONFLICT DO NOTHING;
CREATE OR REPLACE FUNCTION listed_tags_on_tag() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO listed_tags (tag, listed_time, article_id)
      SELECT NEW.tag, COALESCE(a.publish_time, a.create_time), a.id FROM articles a
      WHERE a.id = NEW.article_id AND a.state = 3 AND a.delete_time IS NULL
    ON CONFLICT DO NOTHING;
  ELSE
    DELETE FROM listed_tags WHERE article_id = OLD.article_id AND tag = OLD.tag
      AND NOT EXISTS (SELECT 1 FROM article_tags g
                      WHERE g.article_id = OLD.article_id AND g.tag = OLD.tag);
  END IF;
  RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER listed_tags_on_tag AFTER INSERT OR DELETE ON article_tags
  FOR EACH ROW EXECUTE FUNCTION listed_tags_on_tag();
CREATE OR REPLACE FUNCTION listed_tags_on_article() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM listed_tags WHERE article_id = OLD.id;
  IF TG_OP = 'UPDATE' AND NEW.state = 3 AND NEW.delete_time IS NULL THEN
    INSERT INTO listed_tags (tag, listed_time, article_id)
      SELECT g.tag, COALESCE(NEW.publish_time, NEW.create_time), NEW.id FROM article_tags g
      WHERE g.article_id = NEW.id
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER listed_tags_on_article
  AFTER UPDATE OF state, publish_time, create_time, delete_time OR DELETE ON articles
  FOR EACH ROW EXECUTE FUNCTION listed_tags_on_article();
CREATE INDEX IF NOT EXISTS articles_in_category_listed
  ON articles(category_id, state, (COALESCE(publish_time, create_time)), id)
  WHERE delete_time IS NULL;
)sql",
      // 6: the document frequency of every lexeme of the search index (search_terms), so
      // that related articles pick the title's rare words by one keyed read instead of
      // counting each word's documents (docs/performance.md, "Related articles at archive
      // scale"). The statement triggers of search_docs keep it, under one transaction-level
      // advisory lock (count updates of concurrent writers never deadlock; they queue).
      // A lexeme whose documents are all gone keeps a row with 0. Rebuilt whole (ts_stat
      // over every document: ~45 s at 200,000 documents) when this migration runs.
      R"sql(
CREATE TABLE IF NOT EXISTS search_terms (
  term TEXT COLLATE "C" PRIMARY KEY,
  docs BIGINT NOT NULL
);
CREATE OR REPLACE FUNCTION search_terms_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(4798472391648772354);
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE search_terms t SET docs = t.docs - o.n
      FROM (SELECT u.term, COUNT(*) AS n FROM old_docs d
            CROSS JOIN LATERAL unnest(tsvector_to_array(d.terms)) AS u(term)
            GROUP BY u.term) o
      WHERE t.term = o.term;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO search_terms (term, docs)
      SELECT u.term, COUNT(*) FROM new_docs d
      CROSS JOIN LATERAL unnest(tsvector_to_array(d.terms)) AS u(term)
      GROUP BY u.term ORDER BY u.term
    ON CONFLICT (term) DO UPDATE SET docs = search_terms.docs + EXCLUDED.docs;
  END IF;
  RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER search_terms_on_insert AFTER INSERT ON search_docs
  REFERENCING NEW TABLE AS new_docs FOR EACH STATEMENT EXECUTE FUNCTION search_terms_count();
CREATE OR REPLACE TRIGGER search_terms_on_delete AFTER DELETE ON search_docs
  REFERENCING OLD TABLE AS old_docs FOR EACH STATEMENT EXECUTE FUNCTION search_terms_count();
CREATE OR REPLACE TRIGGER search_terms_on_update AFTER UPDATE ON search_docs
  REFERENCING OLD TABLE AS old_docs NEW TABLE AS new_docs
  FOR EACH STATEMENT EXECUTE FUNCTION search_terms_count();
DELETE FROM search_terms;
INSERT INTO search_terms (term, docs)
  SELECT word, ndoc FROM ts_stat('SELECT terms FROM search_docs');
)sql",
      // 7: phrases found by their adjacent token pairs (pg_search.h): GIN has no
      // positions, so a Chinese phrase of common bigrams rechecked most documents. And one
      // GIN index over terms, pairs and docid (btree_gin: a trusted extension of
      // PostgreSQL's own contrib, which a database owner may create), so that a search
      // reads the matches among the newest documents without visiting the others. The
      // column starts empty; the search index's version 2
      // (postgres_article_store_search_index.cc) then rebuilds every document with its
      // pairs and this index, once, on the first start.
      R"sql(
CREATE EXTENSION IF NOT EXISTS btree_gin;
ALTER TABLE search_docs ADD COLUMN IF NOT EXISTS pairs TSVECTOR NOT NULL DEFAULT '';
DROP INDEX IF EXISTS search_docs_terms;
CREATE INDEX IF NOT EXISTS search_docs_match ON search_docs USING GIN (terms, pairs, docid);
)sql",
  };
  return *migrations;
}

absl::Status PgMigrate(PgConnection& db, const std::vector<std::string>& migrations) {
  RETURN_IF_ERROR(db.Script("BEGIN"));
  absl::Status s = [&]() -> absl::Status {
    RETURN_IF_ERROR(db.Script(absl::StrCat("SELECT pg_advisory_xact_lock(", kPgStartLock, ")")));
    RETURN_IF_ERROR(
        db.Script("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
    ASSIGN_OR_RETURN(PgResult r, db.Exec("SELECT COALESCE(MAX(version), 0) FROM schema_version"));
    const int64_t version = r.Int(0, 0);
    const int64_t known = static_cast<int64_t>(migrations.size());
    if (version > known) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the content database has schema version ", version, ", newer than version ", known,
          " that this bulletin-content knows: run the release that migrated it (or newer)"));
    }
    if (version == known) return absl::OkStatus();
    for (int64_t v = version; v < known; ++v) {
      RETURN_IF_ERROR(db.Script(migrations[static_cast<size_t>(v)]));
    }
    RETURN_IF_ERROR(db.Script("DELETE FROM schema_version"));
    return db.Exec("INSERT INTO schema_version (version) VALUES ($1)", PgParams().Int(known))
        .status();
  }();
  if (s.ok()) s = db.Script("COMMIT");
  if (!s.ok() && db.ok()) db.Script("ROLLBACK").IgnoreError();
  return s;
}

}  // namespace bulletin::content
