// ParseConfig: defaults, flags, their BULLETIN_* environment equivalents, and the one-line
// errors that name the flag. No files, no network.
#include "services/notifications/config.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "common/testing/status_matchers.h"

namespace bulletin::notify {
namespace {

using ::bulletin::testing::StatusIs;

absl::StatusOr<Config> Parse(std::vector<std::string> args,
                             std::map<std::string, std::string> env = {}) {
  return ParseConfig(args, env);
}

TEST(NotifyConfigTest, Defaults) {
  ASSERT_OK_AND_ASSIGN(Config c, Parse({}));
  EXPECT_FALSE(c.help);
  EXPECT_EQ(c.service.server.listen, "127.0.0.1:50053");
  EXPECT_EQ(c.heartbeat_interval, absl::Seconds(15));
  EXPECT_FALSE(c.allow_private_webhooks);
  EXPECT_EQ(c.stream_queue_limit, 1000);
  EXPECT_EQ(c.consumer_group, "notifications");
  EXPECT_EQ(c.claim_idle, absl::Seconds(30));
  EXPECT_FALSE(c.replica_id.empty());  // <hostname>-<pid>
  EXPECT_EQ(c.retry_schedule.size(), 7u);
  EXPECT_EQ(c.retry_schedule.front(), absl::Seconds(5));
  EXPECT_EQ(c.webhook_concurrency, 64);
  EXPECT_EQ(c.cloudevents_source, "//bulletin/content");
  EXPECT_EQ(c.token_key, "");
  EXPECT_EQ(c.max_subscriptions_per_partner, 100);
  EXPECT_EQ(c.max_streams_per_partner, 100);
  EXPECT_EQ(c.redeliver_rate, 2);
  EXPECT_EQ(c.redeliver_burst, 20);
  EXPECT_EQ(c.webhook_endpoint_rate, 10);
  EXPECT_EQ(c.webhook_endpoint_burst, 20);
  EXPECT_EQ(c.secrets_keyring, nullptr);  // plaintext unless --secrets-key-file
  EXPECT_FALSE(c.reencrypt_secrets);
}

TEST(NotifyConfigTest, QuotaFlags) {
  ASSERT_OK_AND_ASSIGN(Config c,
                       Parse({"--max-subscriptions-per-partner=5", "--max-streams-per-partner=0",
                              "--redeliver-rate=0.5", "--redeliver-burst=3",
                              "--webhook-endpoint-rate=0.25", "--webhook-endpoint-burst=2"}));
  EXPECT_EQ(c.max_subscriptions_per_partner, 5);
  EXPECT_EQ(c.max_streams_per_partner, 0);
  EXPECT_EQ(c.redeliver_rate, 0.5);
  EXPECT_EQ(c.redeliver_burst, 3);
  EXPECT_EQ(c.webhook_endpoint_rate, 0.25);
  EXPECT_EQ(c.webhook_endpoint_burst, 2);
  for (const std::string& bad : std::vector<std::string>{
           "--max-subscriptions-per-partner=0", "--max-streams-per-partner=-1",
           "--redeliver-rate=fast", "--redeliver-rate=-1", "--redeliver-rate=nan",
           "--redeliver-burst=0", "--webhook-endpoint-rate=x", "--webhook-endpoint-burst=0",
           "--secrets-key-file=/nonexistent/keys", "--reencrypt-secrets"}) {
    EXPECT_THAT(Parse({bad}),
                StatusIs(absl::StatusCode::kInvalidArgument, bad.substr(0, bad.find('='))))
        << bad;
  }
}

TEST(NotifyConfigTest, DefaultsFlagsAndErrors) {
  ASSERT_OK_AND_ASSIGN(Config c, Parse({"--heartbeat-interval=200ms", "--allow-private-webhooks",
                                        "--stream-queue-limit=5"},
                                       {{"BULLETIN_REDIS", "redis://10.0.0.5:6380"}}));
  EXPECT_EQ(c.heartbeat_interval, absl::Milliseconds(200));
  EXPECT_TRUE(c.allow_private_webhooks);
  EXPECT_EQ(c.stream_queue_limit, 5);
  EXPECT_EQ(c.service.redis_options.port, 6380);
  ASSERT_OK_AND_ASSIGN(c, Parse({}, {{"BULLETIN_TOKEN_KEY", "0123456789abcdef"}}));
  EXPECT_EQ(c.token_key, "0123456789abcdef");
  for (const std::vector<std::string>& bad :
       std::vector<std::vector<std::string>>{{"--redis=http://x"},
                                             {"--stream-queue-limit=0"},
                                             {"--heartbeat-interval=1ms"},
                                             {"--token-key=short"},
                                             {"--log-format=xml"},
                                             {"--bogus"}}) {
    EXPECT_THAT(Parse(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad[0];
  }
}

TEST(NotifyConfigTest, WebhookAndConsumerFlags) {
  ASSERT_OK_AND_ASSIGN(
      Config c, Parse({"--replica-id=r1", "--consumer-group=hooks", "--claim-idle=2s",
                       "--retry-schedule=1s, 1m", "--webhook-timeout=2s", "--webhook-concurrency=8",
                       "--disable-after=1h"}));
  EXPECT_EQ(c.replica_id, "r1");
  EXPECT_EQ(c.consumer_group, "hooks");
  EXPECT_EQ(c.claim_idle, absl::Seconds(2));
  EXPECT_EQ(c.retry_schedule, (std::vector<absl::Duration>{absl::Seconds(1), absl::Minutes(1)}));
  EXPECT_EQ(c.webhook_timeout, absl::Seconds(2));
  EXPECT_EQ(c.webhook_concurrency, 8);
  EXPECT_EQ(c.disable_after, absl::Hours(1));
  struct Case {
    std::string flag;
    std::string named;
  };
  for (const Case& bad : std::vector<Case>{{"--retry-schedule=5s,,1m", "--retry-schedule"},
                                           {"--replica-id=a b", "--replica-id"},
                                           {"--consumer-group=", "--consumer-group"},
                                           {"--claim-idle=10ms", "--claim-idle"},
                                           {"--webhook-timeout=10m", "--webhook-timeout"},
                                           {"--webhook-concurrency=0", "--webhook-concurrency"},
                                           {"--disable-after=0s", "--disable-after"},
                                           {"--cloudevents-source=", "--cloudevents-source"}}) {
    EXPECT_THAT(Parse({bad.flag}), StatusIs(absl::StatusCode::kInvalidArgument, bad.named))
        << bad.flag;
  }
}

TEST(NotifyConfigTest, HelpIsLeftToTheCaller) {
  ASSERT_OK_AND_ASSIGN(Config c, Parse({"--help"}));
  EXPECT_TRUE(c.help);
  EXPECT_NE(c.usage.find("--retry-schedule"), std::string::npos) << c.usage;
}

TEST(NotifyConfigTest, ArgvSkipsTheProgramName) {
  std::vector<std::string> args = {"bulletin-notifications", "--stream-queue-limit=7"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  ASSERT_OK_AND_ASSIGN(Config c, ParseConfig(static_cast<int>(argv.size()), argv.data()));
  EXPECT_EQ(c.stream_queue_limit, 7);
}

}  // namespace
}  // namespace bulletin::notify
