// The content schema on PostgreSQL: versioned migrations (schema_version holds the number
// applied), run at start in one transaction under an advisory lock, so replicas starting
// together apply each migration once; a database migrated by a newer release is refused.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "services/content/store/postgres/pg_connection.h"

namespace bulletin::content {

// The migrations in order; entry i brings the schema to version i + 1. Only appended to.
const std::vector<std::string>& PgSchemaMigrations();

// Applies the migrations `db` lacks, all in one transaction. FAILED_PRECONDITION naming
// both versions when the database is at a version newer than `migrations`.
absl::Status PgMigrate(PgConnection& db, const std::vector<std::string>& migrations);

// Advisory lock keys (pg_advisory_xact_lock): migrations and index rebuilds at start, and
// the category tree (exclusive to change it, shared to read ancestors for an event).
inline constexpr char kPgStartLock[] = "4798472391648772353";
inline constexpr char kPgCategoryTreeLock[] = "4798472391648772354";

}  // namespace bulletin::content
