// Unit tests of --migrate-from in ParseConfig: sqlite:PATH with a PostgreSQL --db is
// accepted (also from BULLETIN_MIGRATE_FROM) and gives the path; any other form, or a
// SQLite --db to copy into, is INVALID_ARGUMENT naming --migrate-from, never quoting the
// database password.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/testing/status_matchers.h"
#include "services/content/config.h"

namespace bulletin::content {
namespace {

using ::bulletin::testing::StatusIs;

absl::StatusOr<Config> Parse(const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env = {}) {
  return ParseConfig(args, env);
}

constexpr char kPg[] = "--db=postgres://bulletin:hunter2@127.0.0.1:5432/content";

TEST(MigrateConfigTest, SqlitePathIntoPostgresIsAccepted) {
  ASSERT_OK_AND_ASSIGN(const Config c, Parse({"--migrate-from=sqlite:var/content.db", kPg}));
  EXPECT_EQ(c.migrate_from_path, "var/content.db");
  EXPECT_EQ(c.db_kind, DbKind::kPostgres);
  ASSERT_OK_AND_ASSIGN(const Config from_env,
                       Parse({kPg}, {{"BULLETIN_MIGRATE_FROM", "sqlite:/srv/content.db"}}));
  EXPECT_EQ(from_env.migrate_from_path, "/srv/content.db");
  ASSERT_OK_AND_ASSIGN(const Config none, Parse({kPg}));
  EXPECT_TRUE(none.migrate_from.empty());
}

TEST(MigrateConfigTest, OtherFormsAndASqliteTargetAreRefused) {
  for (const std::string bad : {"var/content.db", "sqlite:", "postgres://x@h/db", "sqlite"}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(
        Parse({"--migrate-from=" + bad, kPg}),
        StatusIs(absl::StatusCode::kInvalidArgument, "--migrate-from: expected sqlite:PATH"));
  }
  const auto into_sqlite = Parse({"--migrate-from=sqlite:a.db", "--db=sqlite:b.db"});
  EXPECT_THAT(into_sqlite, StatusIs(absl::StatusCode::kInvalidArgument,
                                    "--migrate-from: --db must name the PostgreSQL database"));
  const auto bad = Parse({"--migrate-from=mysql://root:hunter2@h/db", kPg});
  ASSERT_FALSE(bad.ok());
  EXPECT_FALSE(absl::StrContains(bad.status().message(), "hunter2")) << bad.status();
}

}  // namespace
}  // namespace bulletin::content
