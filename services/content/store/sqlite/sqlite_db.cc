#include "services/content/store/sqlite/sqlite_db.h"

#include "absl/strings/str_cat.h"
#include "common/base/log.h"
#include "common/base/status_macros.h"

namespace bulletin::content {

absl::Status SqliteStatus(sqlite3* db, int rc, absl::string_view what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return absl::OkStatus();
  // SQLite's message may quote SQL, table and column names, or the data: it goes to the
  // log only. The client sees the code and SQLite's fixed description of the code.
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  Logger()->warn("sqlite {}: {} (code {})", std::string(what), detail, rc);
  const std::string kind = sqlite3_errstr(rc & 0xff);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
    case SQLITE_NOMEM:
    case SQLITE_INTERRUPT:
      return absl::UnavailableError(absl::StrCat("database unavailable: ", kind));
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
        return absl::FailedPreconditionError("a referenced record does not exist");
      }
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return absl::AlreadyExistsError("the record already exists");
      }
      return absl::InternalError("storage error (constraint); see the server log");
    default:
      return absl::InternalError(absl::StrCat("storage error (", kind, "); see the server log"));
  }
}

Statement::~Statement() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Statement& Statement::BindText(int index, absl::string_view value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::BindBlob(int index, absl::string_view value) {
  sqlite3_bind_blob(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::BindInt(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

absl::StatusOr<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteStatus(sqlite3_db_handle(stmt_), rc, "step");
}

absl::Status Statement::Run() {
  for (;;) {
    ASSIGN_OR_RETURN(const bool row, Step());
    if (!row) return absl::OkStatus();
  }
}

std::string Statement::Text(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  return data == nullptr ? std::string() : std::string(static_cast<const char*>(data), size);
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

double Statement::Double(int column) const { return sqlite3_column_double(stmt_, column); }

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

absl::StatusOr<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = absl::StrCat("cannot open database ", path, ": ",
                                   raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
    sqlite3_close(raw);
    return absl::UnavailableError(msg);
  }
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw));
  // Extended codes tell a foreign key violation (FAILED_PRECONDITION) from a uniqueness
  // one (ALREADY_EXISTS); without them both are SQLITE_CONSTRAINT.
  sqlite3_extended_result_codes(raw, 1);
  // A writer in another process (the seed command) waits up to 5 s instead of failing.
  sqlite3_busy_timeout(raw, 5000);
  RETURN_IF_ERROR(
      db->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"));
  return db;
}

SqliteDb::~SqliteDb() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

absl::Status SqliteDb::Exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);
  return SqliteStatus(db_, rc, "exec");
}

absl::StatusOr<Statement> SqliteDb::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return Statement(it->second);
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteStatus(db_, rc, "prepare");
  cache_.emplace(sql, stmt);
  return Statement(stmt);
}

absl::Status SqliteDb::Transaction(const std::function<absl::Status()>& body) {
  RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  absl::Status s = body();
  if (s.ok()) s = Exec("COMMIT");
  if (!s.ok()) Exec("ROLLBACK").IgnoreError();
  return s;
}

absl::Status SqliteDb::Migrate(const std::vector<std::string>& migrations) {
  RETURN_IF_ERROR(Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
  {
    ASSIGN_OR_RETURN(Statement q, Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version"));
    RETURN_IF_ERROR(q.Step());
    const int64_t version = q.Int(0);
    const int64_t known = static_cast<int64_t>(migrations.size());
    if (version > known) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the content database has schema version ", version, ", newer than version ", known,
          " that this bulletin-content knows: run the release that migrated it (or newer)"));
    }
  }
  for (size_t target = 1; target <= migrations.size(); ++target) {
    RETURN_IF_ERROR(Transaction([&]() -> absl::Status {
      int64_t version = 0;
      {
        ASSIGN_OR_RETURN(Statement q,
                         Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version"));
        RETURN_IF_ERROR(q.Step());
        version = q.Int(0);
      }
      if (version >= static_cast<int64_t>(target)) return absl::OkStatus();
      RETURN_IF_ERROR(Exec(migrations[target - 1]));
      {
        ASSIGN_OR_RETURN(Statement del, Prepare("DELETE FROM schema_version"));
        RETURN_IF_ERROR(del.Run());
      }
      ASSIGN_OR_RETURN(Statement ins, Prepare("INSERT INTO schema_version (version) VALUES (?)"));
      return ins.BindInt(1, static_cast<int64_t>(target)).Run();
    }));
  }
  return absl::OkStatus();
}

}  // namespace bulletin::content
