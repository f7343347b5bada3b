// The --migrate-from command of bulletin-content (migrate_command.h): the summary on
// stdout, a failure on stderr and in the log, and the exit code.
#include "services/content/store/migrate/migrate_command.h"

#include <cstdio>

#include "absl/status/statusor.h"
#include "common/base/log.h"
#include "services/content/store/migrate/sqlite_to_postgres.h"

namespace bulletin::content {

int RunMigrateFromSqlite(const std::string& sqlite_path, const std::string& postgres_uri,
                         const std::string& redacted_uri) {
  PostgresStoreOptions target;
  target.uri = postgres_uri;
  target.pool_size = 1;
  Logger()->info("copying the SQLite database {} into {}", sqlite_path, redacted_uri);
  absl::StatusOr<MigrationReport> report = MigrateSqliteToPostgres(sqlite_path, target);
  if (!report.ok()) {
    Logger()->error("the migration failed: {}", report.status().ToString());
    std::fprintf(stderr, "bulletin-content: the migration failed: %s\n",
                 report.status().ToString().c_str());
    return 1;
  }
  std::fputs(report->Summary().c_str(), stdout);
  std::fflush(stdout);
  return 0;
}

}  // namespace bulletin::content
