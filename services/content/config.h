// The configuration of bulletin-content: the flags every service takes (ServiceFlags)
// plus the content service's own, each with a BULLETIN_* environment equivalent, read
// once into a validated Config. ParseConfig only reads and checks; it starts nothing and
// writes nothing (CreateDbDirectory is the caller's step). Not thread-safe: call in main.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/service/service_flags.h"

namespace bulletin::content {

inline constexpr char kDefaultListen[] = "127.0.0.1:50051";

// Which store --db names.
enum class DbKind { kSqlite, kPostgres };

struct Config {
  ServiceFlags service;  // --listen, --redis, --auth-tokens-file, --worker-threads, ...
  std::string db = "sqlite:./var/content.db";
  int64_t db_pool_size = 8;   // PostgreSQL connections per process, 1..256
  std::string site_base_url;  // without a trailing '/'
  int64_t stream_max_len = 1000000;
  absl::Duration outbox_retention = absl::Hours(24);
  std::string token_key;
  int64_t cache_entries = 10000;
  absl::Duration cache_ttl = absl::Seconds(60);
  bool seed_demo = false;
  // --migrate-from=sqlite:PATH (with a PostgreSQL --db): copy, print a summary and exit.
  std::string migrate_from;
  std::string migrate_from_path;  // PATH of migrate_from

  // From --db: sqlite:PATH gives db_path; postgres:// or postgresql:// gives db_uri (the
  // libpq URI as given, password included: pass it to the store, never print it).
  DbKind db_kind = DbKind::kSqlite;
  std::string db_path;
  std::string db_uri;

  // --help was given: the caller prints `usage` and exits 0; nothing else is checked.
  bool help = false;
  std::string usage;
};

// Parses argv (after the program name) and the BULLETIN_* environment, then checks every
// value. INVALID_ARGUMENT naming the flag, e.g. "--db: expected sqlite:PATH or
// postgres://USER[:PASSWORD]@HOST[:PORT]/DBNAME[?PARAM=VALUE&...], got ..."; a message
// about --db never holds the password.
absl::StatusOr<Config> ParseConfig(int argc, char** argv);
// The same with explicit arguments (without the program name) and environment.
absl::StatusOr<Config> ParseConfig(const std::vector<std::string>& args,
                                   const std::map<std::string, std::string>& env);

// --db for logs and messages: a PostgreSQL password replaced by "***".
std::string RedactedDb(const std::string& db);

// Creates the parent directory of config.db_path (nothing for PostgreSQL). INVALID_ARGUMENT naming
// --db when it cannot be created.
absl::Status CreateDbDirectory(const Config& config);

}  // namespace bulletin::content
