// The --rate-* service flags: their defaults (generous: benchmarks and tests run under
// them), the environment, and bad values refused naming the flag.
#include <gtest/gtest.h>

#include "common/base/status_macros.h"
#include "common/service/service_flags.h"
#include "common/testing/status_matchers.h"

namespace bulletin {
namespace {

using ::bulletin::testing::StatusIs;

absl::Status Parse(ServiceFlags* config, const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& env = {}) {
  FlagSet flags("prog", "test");
  RegisterServiceFlags(flags, config);
  RETURN_IF_ERROR(flags.Parse(args, env));
  return ValidateServiceFlags(*config);
}

TEST(ServiceRateFlagsTest, Defaults) {
  ServiceFlags config;
  ASSERT_OK(Parse(&config, {}));
  const RateLimitConfig& limits = config.rate_limits;
  EXPECT_EQ(limits.anonymous.rate, 1000);
  EXPECT_EQ(limits.anonymous.burst, 2000);
  EXPECT_EQ(limits.token.rate, 2000);
  ASSERT_EQ(limits.roles.count("frontend"), 1u);
  EXPECT_EQ(limits.roles.at("frontend").rate, 0) << "the web tier carries every reader";
  EXPECT_EQ(limits.roles.at("partner").rate, 100);
  EXPECT_EQ(limits.roles.at("partner").burst, 500);
  EXPECT_TRUE(limits.methods.empty());
  EXPECT_TRUE(CallLimiter(limits).enabled());
}

TEST(ServiceRateFlagsTest, FromCommandLineAndEnvironment) {
  ServiceFlags config;
  ASSERT_OK(Parse(&config, {"--rate-anonymous=0", "--rate-method=SendTestEvent=0.5:3"},
                  {{"BULLETIN_RATE_TOKEN", "50"}, {"BULLETIN_RATE_ROLE", ""}}));
  EXPECT_EQ(config.rate_limits.anonymous.rate, 0);
  EXPECT_EQ(config.rate_limits.token.rate, 50);
  EXPECT_EQ(config.rate_limits.token.burst, 100);
  EXPECT_TRUE(config.rate_limits.roles.empty());
  ASSERT_EQ(config.rate_limits.methods.count("SendTestEvent"), 1u);
  EXPECT_EQ(config.rate_limits.methods.at("SendTestEvent").burst, 3);
}

TEST(ServiceRateFlagsTest, AllOff) {
  ServiceFlags config;
  ASSERT_OK(Parse(&config, {"--rate-anonymous=0", "--rate-token=0", "--rate-role="}));
  EXPECT_FALSE(CallLimiter(config.rate_limits).enabled());
}

TEST(ServiceRateFlagsTest, BadValuesNameTheFlag) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--rate-anonymous=fast", "--rate-anonymous"},
      {"--rate-token=-5", "--rate-token"},
      {"--rate-token=10:0", "--rate-token"},
      {"--rate-role=guest=5", "--rate-role"},
      {"--rate-role=partner", "--rate-role"},
      {"--rate-method=RecordView=1,RecordView=2", "--rate-method"},
  };
  for (const auto& [arg, flag] : cases) {
    ServiceFlags config;
    EXPECT_THAT(Parse(&config, {arg}), StatusIs(absl::StatusCode::kInvalidArgument, flag)) << arg;
  }
}

}  // namespace
}  // namespace bulletin
