// Moving a content database off SQLite: copies every row of a SQLite content database
// (categories, articles, translations, tags, every slug an article has had, revisions,
// request ids, and the outbox events not sent yet) into a PostgreSQL content database,
// builds their search documents, and checks that every source row is in the target. Both
// schemas are first brought to this release's version (the same tables, row for row). The
// copy is one PostgreSQL transaction under the start lock: it lands whole or not at all,
// and a row already in the target is kept as it is, so running it again copies nothing
// new. Called once from main (--migrate-from); not for concurrent use.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/content/store/postgres/postgres_article_store.h"

namespace bulletin::content {

struct MigrationTable {
  std::string name;
  int64_t source_rows = 0;  // rows to copy on SQLite (outbox: unsent events only)
  int64_t copied = 0;       // inserted into PostgreSQL by this run
  int64_t present = 0;      // of source_rows, found in PostgreSQL after the copy
};

struct MigrationReport {
  std::vector<MigrationTable> tables;
  int64_t indexed_articles = 0;  // search documents built for newly copied articles

  int64_t copied() const;
  // One line per table and a last line saying what happened, for the operator.
  std::string Summary() const;
};

// Copies the SQLite database at `sqlite_path` into the PostgreSQL database of `target`.
// NOT_FOUND when there is no file at `sqlite_path`; FAILED_PRECONDITION when a schema is
// newer than this binary's, or when a source row could not be copied because the target
// holds a different row under one of its unique keys (e.g. the slug of another article):
// then nothing is written; UNAVAILABLE when a database cannot be reached.
absl::StatusOr<MigrationReport> MigrateSqliteToPostgres(const std::string& sqlite_path,
                                                        const PostgresStoreOptions& target);

}  // namespace bulletin::content
