// Unit tests of ParseConfig: defaults, flags over BULLETIN_* environment variables, each
// check naming its flag, --help, and CreateDbDirectory. Hermetic: explicit arguments and
// environment, a temporary directory.
#include "services/content/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "common/testing/process.h"
#include "common/testing/status_matchers.h"

namespace bulletin::content {
namespace {

using ::bulletin::testing::StatusIs;

// ParseConfig with typed arguments (`{}` alone would pick the argc/argv form).
absl::StatusOr<Config> Parse(const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env = {}) {
  return ParseConfig(args, env);
}

TEST(ContentConfigTest, DefaultsServeLocally) {
  ASSERT_OK_AND_ASSIGN(const Config config, Parse({}, {}));
  EXPECT_FALSE(config.help);
  EXPECT_EQ(config.service.server.listen, "127.0.0.1:50051");
  EXPECT_EQ(config.db_path, "./var/content.db");
  EXPECT_EQ(config.stream_max_len, 1000000);
  EXPECT_EQ(config.outbox_retention, absl::Hours(24));
  EXPECT_EQ(config.cache_entries, 10000);
  EXPECT_EQ(config.cache_ttl, absl::Seconds(60));
  EXPECT_FALSE(config.seed_demo);
  EXPECT_EQ(config.service.redis_options.port, 6379);
}

TEST(ContentConfigTest, FlagsWinOverTheEnvironment) {
  ASSERT_OK_AND_ASSIGN(const Config config,
                       Parse({"--db=sqlite:/data/flag.db", "--seed-demo", "--cache-ttl=5m"},
                             {{"BULLETIN_DB", "sqlite:/data/env.db"},
                              {"BULLETIN_SITE_BASE_URL", "https://news.example.org//"},
                              {"BULLETIN_TOKEN_KEY", "0123456789abcdef"}}));
  EXPECT_EQ(config.db_path, "/data/flag.db");
  EXPECT_TRUE(config.seed_demo);
  EXPECT_EQ(config.cache_ttl, absl::Minutes(5));
  EXPECT_EQ(config.site_base_url, "https://news.example.org");
  EXPECT_EQ(config.token_key, "0123456789abcdef");
}

TEST(ContentConfigTest, EveryBadValueNamesItsFlag) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--db=postgres:x", "--db:"},
      {"--db=sqlite:", "--db:"},
      {"--site-base-url=ftp://x", "--site-base-url:"},
      {"--stream-max-len=0", "--stream-max-len:"},
      {"--outbox-retention=0s", "--outbox-retention:"},
      {"--token-key=short", "--token-key:"},
      {"--cache-entries=-1", "--cache-entries:"},
      {"--worker-threads=0", "--worker-threads:"},
      {"--redis=http://x", "--redis"},
      {"--no-such-flag=1", "no-such-flag"},
  };
  for (const auto& [arg, field] : cases) {
    EXPECT_THAT(Parse({arg}, {}), StatusIs(absl::StatusCode::kInvalidArgument, field)) << arg;
  }
  EXPECT_THAT(Parse({}, {{"BULLETIN_STREAM_MAX_LEN", "many"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, "BULLETIN_STREAM_MAX_LEN"));
}

TEST(ContentConfigTest, ParsesAProcessCommandLine) {
  std::string program = "bulletin-content", flag = "--listen=127.0.0.1:0";
  std::vector<char*> argv = {program.data(), flag.data()};
  ASSERT_OK_AND_ASSIGN(const Config config,
                       ParseConfig(static_cast<int>(argv.size()), argv.data()));
  EXPECT_EQ(config.service.server.listen, "127.0.0.1:0");
}

TEST(ContentConfigTest, HelpReturnsTheUsageAndChecksNothing) {
  ASSERT_OK_AND_ASSIGN(const Config config, Parse({"--db=postgres:x", "--help"}, {}));
  EXPECT_TRUE(config.help);
  EXPECT_NE(config.usage.find("--seed-demo"), std::string::npos) << config.usage;
  EXPECT_NE(config.usage.find("BULLETIN_DB"), std::string::npos) << config.usage;
}

TEST(ContentConfigTest, CreateDbDirectoryMakesTheParents) {
  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(const Config config,
                       Parse({"--db=sqlite:" + dir.path() + "/a/b/content.db"}, {}));
  ASSERT_OK(CreateDbDirectory(config));
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() + "/a/b"));
  ASSERT_OK_AND_ASSIGN(const Config blocked, Parse({"--db=sqlite:/proc/no/such/content.db"}, {}));
  EXPECT_THAT(CreateDbDirectory(blocked), StatusIs(absl::StatusCode::kInvalidArgument, "--db:"));
}

TEST(ContentConfigTest, PostgresUrisSelectThePostgresStore) {
  ASSERT_OK_AND_ASSIGN(
      Config config,
      Parse({"--db=postgres://bulletin:s3cret@db.example.org:5432/content?sslmode=verify-full"}));
  EXPECT_EQ(config.db_kind, DbKind::kPostgres);
  EXPECT_EQ(config.db_uri,
            "postgres://bulletin:s3cret@db.example.org:5432/content?sslmode=verify-full");
  EXPECT_EQ(config.db_path, "");
  EXPECT_EQ(config.db_pool_size, 8);
  EXPECT_OK(CreateDbDirectory(config));  // nothing to create
  for (const std::string db :
       {"postgresql://u@127.0.0.1/content", "postgres://u@[::1]:5432/content",
        "postgres://u:p%40ss@a.example:5432,b.example:5433/content?target_session_attrs=read-write"
        "&connect_timeout=3",
        "postgres://u:p:w@host/db_1?sslmode=disable&application_name=bulletin"}) {
    ASSERT_OK_AND_ASSIGN(config, Parse({}, {{"BULLETIN_DB", db}, {"BULLETIN_DB_POOL_SIZE", "32"}}));
    EXPECT_EQ(config.db_kind, DbKind::kPostgres) << db;
    EXPECT_EQ(config.db_uri, db);
    EXPECT_EQ(config.db_pool_size, 32);
  }
  ASSERT_OK_AND_ASSIGN(config, Parse({"--db=sqlite:/data/content.db"}));
  EXPECT_EQ(config.db_kind, DbKind::kSqlite);
}

TEST(ContentConfigTest, BadPostgresUrisNameTheFlagAndNeverShowThePassword) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"postgres://db.example.org/content", "no USER@"},
      {"postgres://:s3cret@db.example.org/content", "no USER@"},
      {"postgres://u:s3cret@db.example.org", "no /DBNAME"},
      {"postgres://u:s3cret@db.example.org/", "no DBNAME"},
      {"postgres://u:s3cret@/content", "no HOST"},
      {"postgres://u:s3cret@db.example.org:99999/content", "PORT must be 1..65535"},
      {"postgres://u:s3cret@db.example.org:/content", "empty PORT"},
      {"postgres://u:s3cret@db.example.org:54x/content", "PORT"},
      {"postgres://u:s3cret@[::1/content", "']'"},
      {"postgres://u:s3c ret@db.example.org/content", "percent-encoded"},
      {"postgres://u:s3c/ret@db.example.org/content", "percent-encoded"},
      {"postgres://u:s3cret%zz@db.example.org/content", "percent-encoded"},
      {"postgres://u:s3cret@db.example.org/content?sslmode=maybe", "sslmode must be"},
      {"postgres://u:s3cret@db.example.org/content?password=s3cret", "unsupported parameter"},
      {"postgres://u:s3cret@db.example.org/content?sslmode=", "needs a percent-encoded value"},
      {"postgresql:/u:s3cret@db.example.org/content", "expected sqlite:PATH or postgres://"},
      {"mysql://u:s3cret@db.example.org/content", "expected sqlite:PATH or postgres://"},
  };
  for (const auto& [db, why] : cases) {
    absl::StatusOr<Config> parsed = Parse({"--db=" + db});
    EXPECT_THAT(parsed, StatusIs(absl::StatusCode::kInvalidArgument, "--db: ")) << db;
    EXPECT_THAT(parsed, StatusIs(absl::StatusCode::kInvalidArgument, why)) << db;
    EXPECT_EQ(parsed.status().message().find("s3c"), std::string::npos) << parsed.status();
  }
  for (const std::string size : {"0", "257", "-1"}) {
    EXPECT_THAT(Parse({"--db=postgres://u@h/d", "--db-pool-size=" + size}),
                StatusIs(absl::StatusCode::kInvalidArgument, "--db-pool-size:"));
  }
}

TEST(ContentConfigTest, RedactedDbHidesPasswordsOnly) {
  EXPECT_EQ(RedactedDb("postgres://bulletin:s3cret@db:5432/content?sslmode=require"),
            "postgres://bulletin:***@db:5432/content?sslmode=require");
  EXPECT_EQ(RedactedDb("postgresql://bulletin@db/content"), "postgresql://bulletin@db/content");
  EXPECT_EQ(RedactedDb("postgres://u:p@ss@db/content"), "postgres://u:***@db/content");
  EXPECT_EQ(RedactedDb("postgres://u@db/content?password=s3cret&sslmode=require"),
            "postgres://u@db/content?password=***&sslmode=require");
  EXPECT_EQ(RedactedDb("postgresql:/u:s3cret@db/content"), "***@db/content");
  EXPECT_EQ(RedactedDb("sqlite:./var/content.db"), "sqlite:./var/content.db");
}

}  // namespace
}  // namespace bulletin::content
