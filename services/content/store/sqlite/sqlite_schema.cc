// The content database schema, one migration per entry (schema_version = number applied).
// Migrations only append: an applied entry is never edited.
#include "services/content/store/sqlite/sqlite_schema.h"

namespace bulletin::content {

const std::vector<std::string>& SchemaMigrations() {
  static const std::vector<std::string>* migrations = new std::vector<std::string>{
      R"sql(
CREATE TABLE categories (
  id TEXT PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  parent_id TEXT REFERENCES categories(id),
  default_locale TEXT NOT NULL,
  sort_order INTEGER NOT NULL DEFAULT 0,
  create_time INTEGER NOT NULL,
  update_time INTEGER NOT NULL,
  etag TEXT NOT NULL
);
CREATE INDEX categories_by_parent ON categories(parent_id);
CREATE TABLE category_translations (
  category_id TEXT NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
  locale TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  PRIMARY KEY (category_id, locale)
);
CREATE TABLE articles (
  id TEXT PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  category_id TEXT REFERENCES categories(id),
  state INTEGER NOT NULL,
  default_locale TEXT NOT NULL,
  publish_time INTEGER,
  create_time INTEGER NOT NULL,
  update_time INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  etag TEXT NOT NULL,
  featured INTEGER NOT NULL DEFAULT 0,
  delete_time INTEGER
);
CREATE INDEX articles_by_category ON articles(category_id);
CREATE TABLE article_translations (
  article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  locale TEXT NOT NULL,
  title TEXT NOT NULL,
  summary TEXT NOT NULL,
  body TEXT NOT NULL,
  cover_image_url TEXT NOT NULL,
  cover_image_caption TEXT NOT NULL,
  cover_image_alt TEXT NOT NULL,
  slug TEXT NOT NULL,
  outdated INTEGER NOT NULL DEFAULT 0,
  update_time INTEGER NOT NULL,
  PRIMARY KEY (article_id, locale)
);
CREATE TABLE article_tags (
  article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  tag TEXT NOT NULL,
  PRIMARY KEY (article_id, position)
);
CREATE INDEX article_tags_by_tag ON article_tags(tag);
-- Article and translation slugs share one namespace: a slug names at most one article.
CREATE TABLE slugs (
  slug TEXT PRIMARY KEY,
  article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE
);
CREATE INDEX slugs_by_article ON slugs(article_id);
CREATE TABLE request_ids (
  kind TEXT NOT NULL,
  request_id TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  PRIMARY KEY (kind, request_id)
);
-- The transactional outbox: written with the change, relayed to Redis in seq order, kept
-- for the retention after sending so that a Redis that lost its last second gets them again.
CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  article_id TEXT NOT NULL,
  payload BLOB NOT NULL,
  create_time INTEGER NOT NULL,
  sent_time INTEGER,
  stream_id TEXT
);
CREATE INDEX outbox_unsent ON outbox(seq) WHERE sent_time IS NULL;
CREATE INDEX outbox_by_sent_time ON outbox(sent_time) WHERE sent_time IS NOT NULL;
CREATE TABLE relay_state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql",
      // 2: revisions, the search index (tokenizer "bulletin", search_tokenizer.h; filled
      // from C++ by SqliteArticleStore::Open), and the indexes of lists and the scheduler.
      R"sql(
CREATE TABLE article_revisions (
  article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  revision INTEGER NOT NULL,
  slug TEXT NOT NULL,
  category_id TEXT,
  state INTEGER NOT NULL,
  default_locale TEXT NOT NULL,
  publish_time INTEGER,
  create_time INTEGER NOT NULL,
  update_time INTEGER NOT NULL,
  etag TEXT NOT NULL,
  featured INTEGER NOT NULL,
  delete_time INTEGER,
  author TEXT NOT NULL,
  changed_fields TEXT NOT NULL,
  revision_time INTEGER NOT NULL,
  PRIMARY KEY (article_id, revision)
);
CREATE TABLE article_revision_translations (
  article_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  locale TEXT NOT NULL,
  title TEXT NOT NULL,
  summary TEXT NOT NULL,
  body TEXT NOT NULL,
  cover_image_url TEXT NOT NULL,
  cover_image_caption TEXT NOT NULL,
  cover_image_alt TEXT NOT NULL,
  slug TEXT NOT NULL,
  outdated INTEGER NOT NULL,
  update_time INTEGER NOT NULL,
  PRIMARY KEY (article_id, revision, locale),
  FOREIGN KEY (article_id, revision) REFERENCES article_revisions ON DELETE CASCADE
);
CREATE TABLE article_revision_tags (
  article_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  position INTEGER NOT NULL,
  tag TEXT NOT NULL,
  PRIMARY KEY (article_id, revision, position),
  FOREIGN KEY (article_id, revision) REFERENCES article_revisions ON DELETE CASCADE
);
-- One search document per translation of a published, not deleted article; its rowid is
-- the FTS row's.
CREATE TABLE search_docs (
  docid INTEGER PRIMARY KEY,
  article_id TEXT NOT NULL,
  locale TEXT NOT NULL
);
CREATE INDEX search_docs_by_article ON search_docs(article_id);
CREATE VIRTUAL TABLE article_search USING fts5(title, summary, body, tokenize = 'bulletin');
CREATE INDEX articles_by_list_order
  ON articles(state, featured, COALESCE(publish_time, create_time), id);
CREATE INDEX articles_scheduled ON articles(publish_time) WHERE state = 2;
)sql",
      // 3: slug history. From now on `slugs` keeps every slug an article (or one of its
      // translations) has had: a former slug stays reserved for its article and resolves
      // to it. Backfilled from the revision snapshots, newest first, so a slug that passed
      // from one article to another before this migration stays with its latest holder.
      R"sql(
INSERT OR IGNORE INTO slugs (slug, article_id)
  SELECT h.slug, h.article_id FROM (
    SELECT r.slug AS slug, r.article_id AS article_id, r.revision_time AS t
      FROM article_revisions r
    UNION ALL
    SELECT rt.slug, rt.article_id, r.revision_time
      FROM article_revision_translations rt JOIN article_revisions r
        ON r.article_id = rt.article_id AND r.revision = rt.revision
      WHERE rt.slug <> ''
  ) h JOIN articles a ON a.id = h.article_id
  ORDER BY h.t DESC, h.article_id;
)sql",
      // 4: list pages and their counts at archive scale (docs/performance.md, "Scale with
      // the archive"). articles_by_list_order leads with featured, so a list in plain
      // newest-first order sorted every live article for each page; these two give the
      // order itself and an index-only count of the live articles, per category too.
      R"sql(
CREATE INDEX IF NOT EXISTS articles_listed
  ON articles(state, COALESCE(publish_time, create_time), id) WHERE delete_time IS NULL;
CREATE INDEX IF NOT EXISTS articles_counted ON articles(state, category_id) WHERE delete_time IS NULL;
)sql",
      // 5: related articles at archive scale (docs/performance.md, "Related articles at
      // archive scale"): "the newest live holders of a tag" and "the newest live articles
      // of a category" as index range reads. listed_tags holds (tag, sort time, article)
      // for every tag of every published, not deleted article, the sort time being
      // COALESCE(publish_time, create_time); the triggers keep it so on every write of
      // articles and article_tags. Rebuilt whole when this migration runs again.
      R"sql(
CREATE TABLE IF NOT EXISTS listed_tags (
  tag TEXT NOT NULL,
  listed_time INTEGER NOT NULL,
  article_id TEXT NOT NULL,
  PRIMARY KEY (tag, listed_time, article_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS listed_tags_by_article ON listed_tags(article_id);
DELETE FROM listed_tags;
INSERT OR IGNORE INTO listed_tags (tag, listed_time, article_id)
  SELECT g.tag, COALESCE(a.publish_time, a.create_time), a.id
  FROM article_tags g JOIN articles a ON a.id = g.article_id
  WHERE a.state = 3 AND a.delete_time IS NULL;
CREATE TRIGGER IF NOT EXISTS listed_tags_on_tag_insert AFTER INSERT ON article_tags BEGIN
  INSERT OR IGNORE INTO listed_tags (tag, listed_time, article_id)
    SELECT NEW.tag, COALESCE(a.publish_time, a.create_time), a.id FROM articles a
    WHERE a.id = NEW.article_id AND a.state = 3 AND a.delete_time IS NULL;
END;
CREATE TRIGGER IF NOT EXISTS listed_tags_on_tag_delete AFTER DELETE ON article_tags BEGIN
  DELETE FROM listed_tags WHERE article_id = OLD.article_id AND tag = OLD.tag
    AND NOT EXISTS (SELECT 1 FROM article_tags g
                    WHERE g.article_id = OLD.article_id AND g.tag = OLD.tag);
END;
CREATE TRIGGER IF NOT EXISTS listed_tags_on_article_update
  AFTER UPDATE OF state, publish_time, create_time, delete_time ON articles BEGIN
  DELETE FROM listed_tags WHERE article_id = NEW.id;
  INSERT OR IGNORE INTO listed_tags (tag, listed_time, article_id)
    SELECT g.tag, COALESCE(NEW.publish_time, NEW.create_time), NEW.id FROM article_tags g
    WHERE g.article_id = NEW.id AND NEW.state = 3 AND NEW.delete_time IS NULL;
END;
CREATE TRIGGER IF NOT EXISTS listed_tags_on_article_delete AFTER DELETE ON articles BEGIN
  DELETE FROM listed_tags WHERE article_id = OLD.id;
END;
CREATE INDEX IF NOT EXISTS articles_in_category_listed
  ON articles(category_id, state, COALESCE(publish_time, create_time), id)
  WHERE delete_time IS NULL;
)sql",
  };
  return *migrations;
}

}  // namespace bulletin::content
