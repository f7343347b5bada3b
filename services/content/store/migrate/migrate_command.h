// bulletin-content --migrate-from=sqlite:PATH --db=postgres://...: runs
// MigrateSqliteToPostgres, prints its summary on stdout and answers the process's exit
// code (0 when every row is in PostgreSQL, 1 otherwise, the reason logged and printed on
// stderr). Errors never show the database password. Called once from main.
#pragma once

#include <string>

namespace bulletin::content {

// `redacted_uri` is the target as logs may show it (password replaced).
int RunMigrateFromSqlite(const std::string& sqlite_path, const std::string& postgres_uri,
                         const std::string& redacted_uri);

}  // namespace bulletin::content
