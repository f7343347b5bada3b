// Tests of the SQLite wrapper's error mapping (store/sqlite/sqlite_db.h): every failure
// has the code a caller acts on (UNAVAILABLE for a locked or unreachable database,
// ALREADY_EXISTS / FAILED_PRECONDITION for constraints, INTERNAL otherwise) and a message
// without SQLite's own text, which may quote SQL, table and column names or the data.
#include "services/content/store/sqlite/sqlite_db.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "common/testing/process.h"
#include "common/testing/status_matchers.h"

namespace bulletin::content {
namespace {

using ::bulletin::testing::StatusIs;

class SqliteDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, SqliteDb::Open(path()));
    ASSERT_OK(
        db_->Exec("CREATE TABLE secret_parents (id TEXT PRIMARY KEY);"
                  "CREATE TABLE secret_children (id TEXT PRIMARY KEY, parent TEXT REFERENCES "
                  "secret_parents(id), n INTEGER NOT NULL CHECK (n > 0));"
                  "INSERT INTO secret_parents VALUES ('p1');"));
  }

  std::string path() const { return dir_.path() + "/test.db"; }

  // The message names none of the schema, the statement or the data.
  static void ExpectNoSqliteText(const absl::Status& status) {
    for (const char* leak : {"secret", "SELECT", "INSERT", "constraint failed", "no such", "syntax",
                             "p1", "hunter2"}) {
      EXPECT_FALSE(absl::StrContains(status.message(), leak)) << status;
    }
  }

  testing::TempDir dir_;
  std::unique_ptr<SqliteDb> db_;
};

TEST_F(SqliteDbTest, ConstraintViolationsHaveTheirCodeAndNoSqlText) {
  absl::Status unique = db_->Exec("INSERT INTO secret_parents VALUES ('p1')");
  EXPECT_THAT(unique, StatusIs(absl::StatusCode::kAlreadyExists));
  ExpectNoSqliteText(unique);
  absl::Status foreign = db_->Exec("INSERT INTO secret_children VALUES ('c1', 'hunter2', 1)");
  EXPECT_THAT(foreign, StatusIs(absl::StatusCode::kFailedPrecondition));
  ExpectNoSqliteText(foreign);
  absl::Status check = db_->Exec("INSERT INTO secret_children VALUES ('c2', 'p1', 0)");
  EXPECT_THAT(check, StatusIs(absl::StatusCode::kInternal));
  ExpectNoSqliteText(check);
}

TEST_F(SqliteDbTest, ABrokenStatementIsInternalWithoutItsText) {
  absl::Status missing = db_->Prepare("SELECT hunter2 FROM secret_nowhere").status();
  EXPECT_THAT(missing, StatusIs(absl::StatusCode::kInternal, "storage error"));
  ExpectNoSqliteText(missing);
  absl::Status syntax = db_->Exec("SELEC secret FROM");
  EXPECT_THAT(syntax, StatusIs(absl::StatusCode::kInternal));
  ExpectNoSqliteText(syntax);
}

TEST_F(SqliteDbTest, ALockedDatabaseIsUnavailable) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteDb> other, SqliteDb::Open(path()));
  ASSERT_OK(other->Exec("BEGIN IMMEDIATE"));
  sqlite3_busy_timeout(db_->handle(), 0);  // fail at once instead of waiting 5 s
  absl::Status locked = db_->Exec("INSERT INTO secret_parents VALUES ('p2')");
  EXPECT_THAT(locked, StatusIs(absl::StatusCode::kUnavailable, "database unavailable"));
  ExpectNoSqliteText(locked);
  ASSERT_OK(other->Exec("ROLLBACK"));
  EXPECT_OK(db_->Exec("INSERT INTO secret_parents VALUES ('p2')"));
}

}  // namespace
}  // namespace bulletin::content
