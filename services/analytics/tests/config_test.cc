// ParseConfig: the defaults, flags and BULLETIN_* variables, and every range check main
// relied on, each refused with a message naming the flag before anything starts.
#include "services/analytics/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "common/testing/process.h"
#include "common/testing/status_matchers.h"

namespace bulletin::analytics {
namespace {

using ::bulletin::testing::StatusIs;
using ::testing::HasSubstr;

absl::StatusOr<Config> Parse(const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env = {}) {
  return ParseConfig(args, env);
}

TEST(AnalyticsConfigTest, DefaultsAreValid) {
  ASSERT_OK_AND_ASSIGN(Config c, Parse({}));
  EXPECT_FALSE(c.help);
  EXPECT_EQ(c.service.server.listen, "127.0.0.1:50052");
  EXPECT_EQ(c.service.redis_options.port, 6379);
  EXPECT_EQ(c.count_window, absl::Minutes(30));
  EXPECT_EQ(c.buffer_limit, 100000);
  EXPECT_EQ(c.batch_max_views, 512);
  EXPECT_EQ(c.batch_max_delay, absl::ZeroDuration());
  EXPECT_EQ(c.batch_workers, 2);
  EXPECT_EQ(c.aggregate_flush_interval, absl::Seconds(1));
  EXPECT_TRUE(c.spill_file.empty());
  EXPECT_TRUE(c.consumer_name.empty());
  EXPECT_TRUE(c.filter.IsBot("curl/8.0")) << "the built-in bot list";
  EXPECT_FALSE(c.filter.IsExcluded("10.0.0.1"));
}

TEST(AnalyticsConfigTest, ReadsFlagsAndEnvironment) {
  ASSERT_OK_AND_ASSIGN(
      Config c, Parse({"--count-window=0", "--batch-max-views=10000", "--batch-max-delay=100ms",
                       "--batch-workers=64", "--aggregate-flush-interval=1m", "--spill-file=/tmp/x",
                       "--consumer-name=replica-1", "--exclude-addresses=10.0.0.0/8"},
                      {{"BULLETIN_BUFFER_LIMIT", "1"}, {"BULLETIN_BATCH_WORKERS", "3"}}));
  EXPECT_EQ(c.count_window, absl::ZeroDuration());
  EXPECT_EQ(c.batch_max_views, 10000);
  EXPECT_EQ(c.batch_max_delay, absl::Milliseconds(100));
  EXPECT_EQ(c.batch_workers, 64) << "the command line wins over the environment";
  EXPECT_EQ(c.buffer_limit, 1);
  EXPECT_EQ(c.aggregate_flush_interval, absl::Minutes(1));
  EXPECT_EQ(c.spill_file, "/tmp/x");
  EXPECT_EQ(c.consumer_name, "replica-1");
  EXPECT_TRUE(c.filter.IsExcluded("10.1.2.3"));
  EXPECT_OK(Parse({"--count-window=24h", "--batch-max-views=1", "--aggregate-flush-interval=0"}));
}

TEST(AnalyticsConfigTest, OutOfRangeValuesNameTheFlag) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--count-window=24h1s", "--count-window: "},
      {"--buffer-limit=0", "--buffer-limit: "},
      {"--batch-max-views=0", "--batch-max-views: "},
      {"--batch-max-views=10001", "--batch-max-views: "},
      {"--batch-max-delay=101ms", "--batch-max-delay: "},
      {"--batch-workers=0", "--batch-workers: "},
      {"--batch-workers=65", "--batch-workers: "},
      {"--aggregate-flush-interval=61s", "--aggregate-flush-interval: "},
      {"--worker-threads=0", "--worker-threads: "},
      {"--exclude-addresses=not-an-ip", "--exclude-addresses: "},
      {"--bot-patterns-file=/nonexistent/patterns", "--bot-patterns-file: "},
      {"--no-such-flag=1", "no-such-flag"},
  };
  for (const auto& [arg, message] : cases) {
    absl::StatusOr<Config> c = Parse({arg});
    EXPECT_THAT(c, StatusIs(absl::StatusCode::kInvalidArgument, message)) << arg;
  }
}

TEST(AnalyticsConfigTest, AnErrorQuotesOnlyAnExcerptOfTheValue) {
  absl::StatusOr<Config> c = Parse({"--exclude-addresses=10.0.0.1," + std::string(70000, 'x')});
  EXPECT_THAT(c, StatusIs(absl::StatusCode::kInvalidArgument, "--exclude-addresses: \"xxx"));
  EXPECT_LT(c.status().message().size(), 120u);
}

TEST(AnalyticsConfigTest, LoadsTheBotPatternsFile) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/bots";
  std::ofstream(path) << "# operator's monitors\nMyMonitor\n\n";
  ASSERT_OK_AND_ASSIGN(Config c, Parse({"--bot-patterns-file=" + path}));
  EXPECT_TRUE(c.filter.IsBot("mymonitor/1.0"));
  EXPECT_TRUE(c.filter.IsBot("Googlebot/2.1")) << "added to the built-in list";
  EXPECT_FALSE(c.filter.IsBot("Mozilla/5.0 Firefox/120.0"));
}

TEST(AnalyticsConfigTest, HelpReturnsTheUsageAndChecksNothing) {
  ASSERT_OK_AND_ASSIGN(Config c, Parse({"--batch-workers=0", "--help"}));
  EXPECT_TRUE(c.help);
  EXPECT_THAT(c.usage, HasSubstr("--count-window"));
  EXPECT_THAT(c.usage, HasSubstr("--consumer-name"));
}

}  // namespace
}  // namespace bulletin::analytics
