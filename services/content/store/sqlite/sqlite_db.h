// A thin RAII wrapper over one sqlite3 connection: opened in WAL mode with a busy timeout
// and foreign keys on, prepared statements (cached per SQL text) with bound parameters
// only, transactions, and SQLite result codes mapped to absl::Status without SQLite's text
// (SqliteStatus). Not thread-safe: the owner serialises all use of one SqliteDb.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bulletin::content {

// One execution of a cached prepared statement; reset (bindings cleared) when destroyed.
// Parameter and column indexes: parameters from 1, columns from 0, as in sqlite3.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& BindText(int index, absl::string_view value);
  Statement& BindBlob(int index, absl::string_view value);
  Statement& BindInt(int index, int64_t value);
  Statement& BindNull(int index);

  // Steps once: true when a row is available, false when done.
  absl::StatusOr<bool> Step();
  // Steps until done (for statements without rows).
  absl::Status Run();

  std::string Text(int column) const;
  int64_t Int(int column) const;
  double Double(int column) const;
  bool IsNull(int column) const;

 private:
  sqlite3_stmt* stmt_;
};

class SqliteDb {
 public:
  // Opens (creating) the database file. UNAVAILABLE when it cannot be opened.
  static absl::StatusOr<std::unique_ptr<SqliteDb>> Open(const std::string& path);
  ~SqliteDb();

  // Runs SQL text without parameters (schema scripts).
  absl::Status Exec(const std::string& sql);
  // A statement for `sql`, prepared once and reused.
  absl::StatusOr<Statement> Prepare(const std::string& sql);
  // Runs `body` in BEGIN IMMEDIATE ... COMMIT; rolls back when it fails.
  absl::Status Transaction(const std::function<absl::Status()>& body);
  // Applies `migrations[i]` for every i >= the stored schema_version, each in its own
  // transaction, and records the new version. FAILED_PRECONDITION naming both versions
  // when the stored version is newer than `migrations` (a newer release migrated it).
  absl::Status Migrate(const std::vector<std::string>& migrations);
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int64_t Changes() const { return sqlite3_changes64(db_); }
  // The raw connection, for registering extensions (the search tokenizer).
  sqlite3* handle() const { return db_; }

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// Maps an sqlite3 result code to a Status whose message never carries SQLite's own text
// (it may quote SQL or data; it is logged): BUSY, LOCKED, I/O, open, full, read-only,
// out-of-memory and interrupted -> UNAVAILABLE "database unavailable: <code description>";
// a foreign key violation -> FAILED_PRECONDITION, a unique or primary key violation ->
// ALREADY_EXISTS (callers replace both with a message naming the field); anything else ->
// INTERNAL "storage error (...)".
absl::Status SqliteStatus(sqlite3* db, int rc, absl::string_view what);

}  // namespace bulletin::content
