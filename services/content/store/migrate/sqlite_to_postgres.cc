// MigrateSqliteToPostgres (sqlite_to_postgres.h): the tables to copy, each with its
// columns as PostgreSQL stores them and the key that identifies a row, read from SQLite in
// foreign-key order and inserted in batches of rows (one statement each, unnesting one array
// per column) with ON CONFLICT DO NOTHING, then counted back by key. Everything runs in one
// PostgreSQL transaction over one SQLite read snapshot.
#include "services/content/store/migrate/sqlite_to_postgres.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/base/status_macros.h"
#include "services/content/store/postgres/pg_internal.h"
#include "services/content/store/postgres/pg_pool.h"
#include "services/content/store/postgres/pg_schema.h"
#include "services/content/store/sqlite/sqlite_article_store.h"
#include "services/content/store/sqlite/sqlite_db.h"

namespace bulletin::content {
namespace {

// How a column is stored on PostgreSQL (SQLite keeps all of them as TEXT, INTEGER or BLOB).
enum class Kind { kText, kInt, kBool, kBytes };

struct Column {
  const char* name;
  Kind kind;
};

// One table to copy: its columns (the same on both backends), the columns that identify a
// row of it in the target (for the check after the copy), and the SQLite query giving the
// rows in an order that satisfies the foreign keys.
struct TableSpec {
  const char* name;
  std::vector<Column> columns;
  std::vector<int> key;
  std::string source_sql;
};

constexpr Kind T = Kind::kText;
constexpr Kind I = Kind::kInt;
constexpr Kind B = Kind::kBool;

std::string Select(const std::vector<Column>& columns, const std::string& rest) {
  std::vector<std::string> names;
  for (const Column& c : columns) names.push_back(absl::StrCat("t.", c.name));
  return absl::StrCat("SELECT ", absl::StrJoin(names, ", "), " ", rest);
}

std::vector<TableSpec> Tables() {
  std::vector<TableSpec> tables;
  auto add = [&tables](const char* name, std::vector<Column> columns, std::vector<int> key,
                       const std::string& rest) {
    std::string sql = Select(columns, rest);
    tables.push_back(TableSpec{name, std::move(columns), std::move(key), std::move(sql)});
  };
  // Parents before children: by depth in the tree.
  add("categories",
      {{"id", T},
       {"slug", T},
       {"parent_id", T},
       {"default_locale", T},
       {"sort_order", I},
       {"create_time", I},
       {"update_time", I},
       {"etag", T}},
      {0},
      "FROM categories t JOIN (WITH RECURSIVE d(id, depth) AS (SELECT id, 0 FROM categories "
      "WHERE parent_id IS NULL UNION ALL SELECT c.id, d.depth + 1 FROM categories c JOIN d "
      "ON c.parent_id = d.id) SELECT id, depth FROM d) d ON d.id = t.id ORDER BY d.depth, t.id");
  add("category_translations", {{"category_id", T}, {"locale", T}, {"name", T}, {"description", T}},
      {0, 1}, "FROM category_translations t ORDER BY 1, 2");
  add("articles",
      {{"id", T},
       {"slug", T},
       {"category_id", T},
       {"state", I},
       {"default_locale", T},
       {"publish_time", I},
       {"create_time", I},
       {"update_time", I},
       {"revision", I},
       {"etag", T},
       {"featured", B},
       {"delete_time", I}},
      {0}, "FROM articles t ORDER BY t.id");
  add("article_translations",
      {{"article_id", T},
       {"locale", T},
       {"title", T},
       {"summary", T},
       {"body", T},
       {"cover_image_url", T},
       {"cover_image_caption", T},
       {"cover_image_alt", T},
       {"slug", T},
       {"outdated", B},
       {"update_time", I}},
      {0, 1}, "FROM article_translations t ORDER BY 1, 2");
  add("article_tags", {{"article_id", T}, {"position", I}, {"tag", T}}, {0, 1},
      "FROM article_tags t ORDER BY 1, 2");
  // Both columns: a slug the target gives to another article is not this row.
  add("slugs", {{"slug", T}, {"article_id", T}}, {0, 1}, "FROM slugs t ORDER BY 1");
  add("request_ids", {{"kind", T}, {"request_id", T}, {"resource_id", T}, {"create_time", I}},
      {0, 1}, "FROM request_ids t ORDER BY 1, 2");
  add("article_revisions",
      {{"article_id", T},
       {"revision", I},
       {"slug", T},
       {"category_id", T},
       {"state", I},
       {"default_locale", T},
       {"publish_time", I},
       {"create_time", I},
       {"update_time", I},
       {"etag", T},
       {"featured", B},
       {"delete_time", I},
       {"author", T},
       {"changed_fields", T},
       {"revision_time", I}},
      {0, 1}, "FROM article_revisions t ORDER BY 1, 2");
  add("article_revision_translations",
      {{"article_id", T},
       {"revision", I},
       {"locale", T},
       {"title", T},
       {"summary", T},
       {"body", T},
       {"cover_image_url", T},
       {"cover_image_caption", T},
       {"cover_image_alt", T},
       {"slug", T},
       {"outdated", B},
       {"update_time", I}},
      {0, 1, 2}, "FROM article_revision_translations t ORDER BY 1, 2, 3");
  add("article_revision_tags", {{"article_id", T}, {"revision", I}, {"position", I}, {"tag", T}},
      {0, 1, 2}, "FROM article_revision_tags t ORDER BY 1, 2, 3");
  // Unsent events only, in their order; PostgreSQL numbers them anew (after its own).
  add("outbox",
      {{"event_id", T},
       {"type", T},
       {"article_id", T},
       {"payload", Kind::kBytes},
       {"create_time", I},
       {"sent_time", I},
       {"stream_id", T}},
      {0}, "FROM outbox t WHERE t.sent_time IS NULL ORDER BY t.seq");
  return tables;
}

// The INSERT of one row of `table`; a row whose key (or another unique key) the target
// already holds is left as it is there.
std::string InsertSql(const TableSpec& table) {
  std::vector<std::string> names, params;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    names.push_back(table.columns[i].name);
    params.push_back(absl::StrCat("$", i + 1));
  }
  return absl::StrCat("INSERT INTO ", table.name, " (", absl::StrJoin(names, ", "), ") VALUES (",
                      absl::StrJoin(params, ", "), ") ON CONFLICT DO NOTHING");
}

// The same for a batch: one array per column, unnested into rows (one round trip for
// kBatchRows rows); returns the first column of the rows inserted.
std::string BatchInsertSql(const TableSpec& table) {
  std::vector<std::string> names, arrays;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    names.push_back(table.columns[i].name);
    const char* type = table.columns[i].kind == Kind::kInt    ? "bigint"
                       : table.columns[i].kind == Kind::kBool ? "boolean"
                                                              : "text";
    arrays.push_back(absl::StrCat("$", i + 1, "::", type, "[]"));
  }
  return absl::StrCat("INSERT INTO ", table.name, " (", absl::StrJoin(names, ", "),
                      ") SELECT * FROM unnest(", absl::StrJoin(arrays, ", "),
                      ") ON CONFLICT DO NOTHING RETURNING ", table.columns[0].name);
}

constexpr int kBatchRows = 500;
// From this many copied articles on, their search documents are written in bulk.
constexpr size_t kBulkIndexFrom = 2000;

// One column of a batch as an array literal: {"a","b",NULL}.
class ArrayLiteral {
 public:
  void Add(absl::string_view value) {
    text_ += text_.empty() ? "{\"" : ",\"";
    for (char c : value) {
      if (c == '"' || c == '\\') text_ += '\\';
      text_ += c;
    }
    text_ += '"';
  }
  void AddNull() { text_ += text_.empty() ? "{NULL" : ",NULL"; }
  std::string Take() {
    std::string out = text_.empty() ? "{}" : text_ + "}";
    text_.clear();
    return out;
  }

 private:
  std::string text_;
};

// How many of the keys (one text[] per key column) the target holds.
std::string CountPresentSql(const TableSpec& table) {
  std::vector<std::string> columns, arrays;
  for (size_t i = 0; i < table.key.size(); ++i) {
    columns.push_back(absl::StrCat(table.columns[table.key[i]].name, "::text"));
    arrays.push_back(absl::StrCat("$", i + 1, "::text[]"));
  }
  return absl::StrCat("SELECT count(*) FROM ", table.name, " WHERE (", absl::StrJoin(columns, ", "),
                      ") IN (SELECT * FROM unnest(", absl::StrJoin(arrays, ", "), "))");
}

// Copies `table` from `source` to `db`; fills `stats` and, for articles, the ids inserted.
// Rows go in batches of kBatchRows (the outbox, with its bytes, row by row).
absl::Status CopyTable(SqliteDb& source, PgConnection& db, const TableSpec& table,
                       MigrationTable& stats, std::vector<std::string>* inserted_ids) {
  stats = MigrationTable{table.name, 0, 0, 0};
  std::vector<std::vector<std::string>> keys(table.key.size());
  bool batched = true;
  for (const Column& c : table.columns) batched = batched && c.kind != Kind::kBytes;
  const std::string insert = batched ? BatchInsertSql(table) : InsertSql(table);
  std::vector<ArrayLiteral> columns(table.columns.size());
  int pending = 0;
  auto flush = [&]() -> absl::Status {
    if (pending == 0) return absl::OkStatus();
    PgParams p;
    for (ArrayLiteral& c : columns) p.Text(c.Take());
    pending = 0;
    ASSIGN_OR_RETURN(PgResult r, db.Exec(insert, p));
    stats.copied += r.rows();
    if (inserted_ids != nullptr) {
      for (int i = 0; i < r.rows(); ++i) inserted_ids->push_back(r.Text(i, 0));
    }
    return absl::OkStatus();
  };
  ASSIGN_OR_RETURN(Statement q, source.Prepare(table.source_sql));
  for (;;) {
    ASSIGN_OR_RETURN(const bool row, q.Step());
    if (!row) break;
    for (size_t k = 0; k < table.key.size(); ++k) keys[k].push_back(q.Text(table.key[k]));
    ++stats.source_rows;
    if (batched) {
      for (size_t i = 0; i < table.columns.size(); ++i) {
        const int c = static_cast<int>(i);
        if (q.IsNull(c)) {
          columns[i].AddNull();
        } else if (table.columns[i].kind == Kind::kBool) {
          columns[i].Add(q.Int(c) != 0 ? "t" : "f");
        } else {
          columns[i].Add(q.Text(c));  // SQLite gives integers as their decimal text
        }
      }
      if (++pending == kBatchRows) RETURN_IF_ERROR(flush());
      continue;
    }
    PgParams p;
    for (size_t i = 0; i < table.columns.size(); ++i) {
      const int c = static_cast<int>(i);
      if (q.IsNull(c)) {
        p.Null();
        continue;
      }
      switch (table.columns[i].kind) {
        case Kind::kText:
          p.Text(q.Text(c));
          break;
        case Kind::kInt:
          p.Int(q.Int(c));
          break;
        case Kind::kBool:
          p.Bool(q.Int(c) != 0);
          break;
        case Kind::kBytes:
          p.Bytes(q.Text(c));
          break;
      }
    }
    ASSIGN_OR_RETURN(PgResult r, db.Exec(insert, p));
    if (r.Affected() > 0) {
      ++stats.copied;
      if (inserted_ids != nullptr) inserted_ids->push_back(q.Text(0));
    }
  }
  RETURN_IF_ERROR(flush());
  if (stats.source_rows == 0) return absl::OkStatus();
  PgParams key_params;
  for (const auto& column : keys) key_params.TextArray(column);
  ASSIGN_OR_RETURN(PgResult present, db.Exec(CountPresentSql(table), key_params));
  stats.present = present.Int(0, 0);
  if (stats.present != stats.source_rows) {
    return absl::FailedPreconditionError(absl::StrCat(
        "table ", table.name, ": ", stats.source_rows - stats.present, " of ", stats.source_rows,
        " rows could not be copied because PostgreSQL holds other rows under their unique keys "
        "(e.g. a slug of another article); nothing was written"));
  }
  return absl::OkStatus();
}

}  // namespace

int64_t MigrationReport::copied() const {
  int64_t n = 0;
  for (const MigrationTable& t : tables) n += t.copied;
  return n;
}

std::string MigrationReport::Summary() const {
  std::string out =
      absl::StrFormat("%-30s %10s %10s %10s\n", "table", "sqlite", "copied", "in postgres");
  int64_t rows = 0;
  for (const MigrationTable& t : tables) {
    absl::StrAppendFormat(&out, "%-30s %10d %10d %10d\n", t.name, t.source_rows, t.copied,
                          t.present);
    rows += t.source_rows;
  }
  absl::StrAppend(&out, "search documents built for ", indexed_articles, " articles\n");
  if (copied() == 0) {
    absl::StrAppend(&out, "nothing new to copy: all ", rows,
                    " rows of the SQLite database were already in PostgreSQL\n");
  } else {
    absl::StrAppend(&out, "copied ", copied(), " rows; all ", rows,
                    " rows of the SQLite database are in PostgreSQL\n");
  }
  return out;
}

absl::StatusOr<MigrationReport> MigrateSqliteToPostgres(const std::string& sqlite_path,
                                                        const PostgresStoreOptions& target) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(sqlite_path, ec)) {
    return absl::NotFoundError(absl::StrCat("--migrate-from: no SQLite database at ", sqlite_path));
  }
  // Both schemas at this release's version (and neither newer): the same tables.
  {
    ASSIGN_OR_RETURN(std::unique_ptr<SqliteArticleStore> store,
                     SqliteArticleStore::Open(sqlite_path));
  }
  {
    ASSIGN_OR_RETURN(std::unique_ptr<PostgresArticleStore> store,
                     PostgresArticleStore::Open(target));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> source, SqliteDb::Open(sqlite_path));
  PgPoolOptions pool_options;
  pool_options.uri = target.uri;
  pool_options.size = 1;
  ASSIGN_OR_RETURN(std::unique_ptr<PgPool> pool, PgPool::Open(pool_options));

  const std::vector<TableSpec> tables = Tables();
  MigrationReport report;
  RETURN_IF_ERROR(pool->Transaction([&](PgConnection& db) -> absl::Status {
    report = MigrationReport();
    // Replicas starting meanwhile wait (they take the same lock to migrate the schema).
    RETURN_IF_ERROR(db.Script(absl::StrCat("SELECT pg_advisory_xact_lock(", kPgStartLock, ")")));
    RETURN_IF_ERROR(db.Script("SET LOCAL work_mem = '64MB'"));
    // One snapshot of the source for the whole copy, even while a service writes to it.
    RETURN_IF_ERROR(source->Exec("BEGIN"));
    std::vector<std::string> new_articles;
    absl::Status copied = [&]() -> absl::Status {
      for (const TableSpec& table : tables) {
        report.tables.emplace_back();
        const bool articles = std::string(table.name) == "articles";
        RETURN_IF_ERROR(CopyTable(*source, db, table, report.tables.back(),
                                  articles ? &new_articles : nullptr));
      }
      return absl::OkStatus();
    }();
    source->Exec("COMMIT").IgnoreError();
    RETURN_IF_ERROR(copied);
    // Many articles: the search index is built once after them (IndexArticlesInBulk);
    // a few: into the index as it is (a bulk build rereads every document).
    if (new_articles.size() >= kBulkIndexFrom) {
      RETURN_IF_ERROR(pg_internal::IndexArticlesInBulk(db, new_articles));
    } else {
      for (size_t i = 0; i < new_articles.size(); i += kBatchRows) {
        const size_t end = std::min(new_articles.size(), i + kBatchRows);
        RETURN_IF_ERROR(pg_internal::IndexArticles(
            db, std::vector<std::string>(new_articles.begin() + i, new_articles.begin() + end)));
      }
    }
    report.indexed_articles = static_cast<int64_t>(new_articles.size());
    return absl::OkStatus();
  }));
  return report;
}

}  // namespace bulletin::content
