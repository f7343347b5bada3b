#include "common/base/flags.h"

#include <gtest/gtest.h>

namespace bulletin {
namespace {

struct Config {
  std::string listen = "127.0.0.1:1";
  int64_t pool = 4;
  bool json = false;
  absl::Duration window = absl::Minutes(30);
};

FlagSet MakeFlags(Config* c) {
  FlagSet f("prog", "test");
  f.String("listen", &c->listen, "address");
  f.Int("pool-size", &c->pool, "pool");
  f.Bool("json", &c->json, "json");
  f.Duration("count-window", &c->window, "window");
  return f;
}

TEST(FlagsTest, CommandLineOverridesEnvironment) {
  Config c;
  FlagSet f = MakeFlags(&c);
  ASSERT_TRUE(f.Parse({"--listen=0.0.0.0:9", "--json"},
                      {{"BULLETIN_LISTEN", "1.1.1.1:1"}, {"BULLETIN_POOL_SIZE", "7"}})
                  .ok());
  EXPECT_EQ(c.listen, "0.0.0.0:9");
  EXPECT_EQ(c.pool, 7);
  EXPECT_TRUE(c.json);
}

TEST(FlagsTest, SpaceSeparatedValueAndDuration) {
  Config c;
  FlagSet f = MakeFlags(&c);
  ASSERT_TRUE(f.Parse({"--count-window", "5m"}, {}).ok());
  EXPECT_EQ(c.window, absl::Minutes(5));
}

TEST(FlagsTest, BadValuesNameTheFlag) {
  Config c;
  FlagSet f = MakeFlags(&c);
  absl::Status s = f.Parse({"--pool-size=lots"}, {});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("--pool-size"), std::string::npos);

  s = f.Parse({}, {{"BULLETIN_COUNT_WINDOW", "soon"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("BULLETIN_COUNT_WINDOW"), std::string::npos);

  s = f.Parse({"--no-such-flag=1"}, {});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("no-such-flag"), std::string::npos);
}

TEST(FlagsTest, HelpListsEnvironmentNames) {
  Config c;
  FlagSet f = MakeFlags(&c);
  ASSERT_TRUE(f.Parse({"--help"}, {}).ok());
  EXPECT_TRUE(f.help_requested());
  EXPECT_NE(f.Usage().find("BULLETIN_POOL_SIZE"), std::string::npos);
}

}  // namespace
}  // namespace bulletin
