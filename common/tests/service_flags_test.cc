// The flags every service takes: defaults, environment and command line, and a bad value
// of each refused with an error that names the flag.
#include "common/service/service_flags.h"

#include <gtest/gtest.h>

#include <fstream>

#include "absl/strings/match.h"
#include "common/testing/process.h"

namespace bulletin {
namespace {

absl::Status Parse(ServiceFlags* config, const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& env = {}) {
  FlagSet flags("prog", "test");
  RegisterServiceFlags(flags, config);
  if (absl::Status s = flags.Parse(args, env); !s.ok()) return s;
  return ValidateServiceFlags(*config);
}

TEST(ServiceFlagsTest, DefaultsAreValid) {
  ServiceFlags config;
  config.server.listen = "127.0.0.1:50052";
  ASSERT_TRUE(Parse(&config, {}).ok());
  EXPECT_EQ(config.server.listen, "127.0.0.1:50052");
  EXPECT_EQ(config.redis_options.host, "127.0.0.1");
  EXPECT_EQ(config.redis_options.port, 6379);
  EXPECT_EQ(config.worker_threads, 8);
  EXPECT_EQ(config.tokens.size(), 0u);
  EXPECT_TRUE(config.metrics_listen.empty());
  EXPECT_FALSE(config.server.rpc_metrics) << "no endpoint: no per-RPC metrics recorded";
}

TEST(ServiceFlagsTest, ReadsEnvironmentAndCommandLine) {
  testing::TempDir dir;
  std::string tokens_file = dir.path() + "/tokens";
  std::ofstream(tokens_file) << "admin admin-token-0123456789\n";
  ServiceFlags config;
  ASSERT_TRUE(
      Parse(&config,
            {"--listen=0.0.0.0:7000", "--worker-threads", "3", "--log-format=json",
             "--auth-tokens-file=" + tokens_file, "--metrics-listen=[::1]:9100"},
            {{"BULLETIN_REDIS", "redis://redis.internal:6380/2"}, {"BULLETIN_LOG_LEVEL", "debug"}})
          .ok());
  EXPECT_EQ(config.server.listen, "0.0.0.0:7000");
  EXPECT_EQ(config.worker_threads, 3);
  EXPECT_EQ(config.log_format, "json");
  EXPECT_EQ(config.log_level, "debug");
  EXPECT_EQ(config.redis_options.host, "redis.internal");
  EXPECT_EQ(config.redis_options.port, 6380);
  EXPECT_EQ(config.redis_options.db, 2);
  EXPECT_EQ(config.tokens.size(), 1u);
  EXPECT_EQ(config.metrics_listen, "[::1]:9100");
  EXPECT_TRUE(config.server.rpc_metrics);
}

TEST(ServiceFlagsTest, BadValuesNameTheFlag) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--worker-threads=0", "--worker-threads"},
      {"--worker-threads=257", "--worker-threads"},
      {"--worker-threads=many", "--worker-threads"},
      {"--log-format=xml", "--log-format"},
      {"--log-level=loud", "--log-level"},
      {"--redis=http://127.0.0.1:6379", "--redis"},
      {"--auth-tokens-file=/nonexistent/tokens", "--auth-tokens-file"},
      {"--metrics-listen=9100", "--metrics-listen"},
      {"--metrics-listen=127.0.0.1:70000", "--metrics-listen"},
      {"--workers=4", "--workers"},  // the old analytics name: unknown now
  };
  for (const auto& [arg, flag] : cases) {
    ServiceFlags config;
    absl::Status s = Parse(&config, {arg});
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << arg;
    EXPECT_TRUE(absl::StrContains(s.message(), flag)) << arg << ": " << s.message();
  }
}

TEST(ServiceFlagsTest, BadTokensFileNamesTheFlag) {
  testing::TempDir dir;
  std::string tokens_file = dir.path() + "/tokens";
  std::ofstream(tokens_file) << "wizard some-token-0123456789\n";
  ServiceFlags config;
  absl::Status s = Parse(&config, {"--auth-tokens-file=" + tokens_file});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(s.message(), "--auth-tokens-file")) << s.message();
}

TEST(ServiceFlagsTest, MetricsEndpointThatCannotListenNamesTheFlag) {
  ServiceFlags config;
  config.metrics_listen = "192.0.2.1:0";  // TEST-NET-1: not an address of this machine
  ASSERT_TRUE(ValidateServiceFlags(config).ok());
  auto endpoint = StartService("test", config);
  EXPECT_EQ(endpoint.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StrContains(endpoint.status().message(), "--metrics-listen"));
}

TEST(ServiceFlagsTest, NoMetricsEndpointWhenTheFlagIsEmpty) {
  ServiceFlags config;
  ASSERT_TRUE(ValidateServiceFlags(config).ok());
  auto endpoint = StartService("test", config);
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(*endpoint, nullptr);
}

}  // namespace
}  // namespace bulletin
