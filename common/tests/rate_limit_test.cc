// CallLimiter on a fake clock: who shares a bucket (a partner's tokens, an IPv6 /64), who
// does not (two addresses, two editor tokens), per-role and per-method limits, the retry
// delay a refusal carries, and the flag syntax.
#include "common/grpc/rate_limit.h"

#include <gtest/gtest.h>

#include "common/base/retry_delay.h"
#include "common/testing/status_matchers.h"

namespace bulletin {
namespace {

using ::bulletin::testing::StatusIs;

constexpr char kGet[] = "/bulletin.content.v1.ContentService/GetArticle";
constexpr char kRecord[] = "/bulletin.analytics.v1.AnalyticsService/RecordView";

class RateLimitTest : public ::testing::Test {
 protected:
  CallLimiter::Clock Clock() {
    return [this] { return now_; };
  }
  void Advance(absl::Duration d) { now_ += d; }

  absl::Time now_ = absl::FromUnixSeconds(1700000000);
};

RateLimit Limit(double rate, double burst) {
  RateLimit l;
  l.rate = rate;
  l.burst = burst;
  return l;
}

TokenStore Tokens() {
  absl::StatusOr<TokenStore> tokens = TokenStore::Parse(
      "editor editor-token-one-0123456789\n"
      "editor editor-token-two-0123456789\n"
      "partner acme-token-one-0123456789 acme\n"
      "partner acme-token-two-0123456789 acme\n"
      "frontend frontend-token-0123456789\n");
  EXPECT_OK(tokens.status());
  return *std::move(tokens);
}

Caller As(const TokenStore& tokens, absl::string_view token) {
  absl::StatusOr<Caller> caller = tokens.Authenticate(absl::StrCat("Bearer ", token));
  EXPECT_OK(caller.status());
  return *caller;
}

TEST_F(RateLimitTest, AnonymousCallersAreCountedPerAddress) {
  RateLimitConfig config;
  config.anonymous = Limit(1, 2);
  CallLimiter limiter(config, Clock());
  ASSERT_TRUE(limiter.enabled());
  EXPECT_OK(limiter.AdmitPeer("ipv4:10.0.0.1:5000", Caller(), kGet));
  // Another port of the same host is the same caller.
  EXPECT_OK(limiter.AdmitPeer("ipv4:10.0.0.1:5001", Caller(), kGet));
  absl::Status refused = limiter.AdmitPeer("ipv4:10.0.0.1:5002", Caller(), kGet);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted, "from 10.0.0.1"));
  ASSERT_TRUE(RetryDelayOf(refused).has_value());
  EXPECT_EQ(*RetryDelayOf(refused), absl::Seconds(1));
  EXPECT_LE(refused.message().size(), 200u);
  // Another host has its own bucket.
  EXPECT_OK(limiter.AdmitPeer("ipv4:10.0.0.2:5000", Caller(), kGet));
  Advance(absl::Milliseconds(999));
  EXPECT_EQ(*RetryDelayOf(limiter.AdmitPeer("ipv4:10.0.0.1:5000", Caller(), kGet)),
            absl::Milliseconds(1));
  Advance(absl::Milliseconds(1));
  EXPECT_OK(limiter.AdmitPeer("ipv4:10.0.0.1:5000", Caller(), kGet));
}

TEST_F(RateLimitTest, AnIpv6HostIsCountedByItsSlash64) {
  RateLimitConfig config;
  config.anonymous = Limit(1, 1);
  CallLimiter limiter(config, Clock());
  EXPECT_OK(limiter.AdmitPeer("ipv6:[2001:db8:1:2::1]:5000", Caller(), kGet));
  // A different address in the same /64: the same caller.
  EXPECT_THAT(limiter.AdmitPeer("ipv6:[2001:db8:1:2:ffff::9]:5000", Caller(), kGet),
              StatusIs(absl::StatusCode::kResourceExhausted, "2001:db8:1:2::/64"));
  EXPECT_OK(limiter.AdmitPeer("ipv6:[2001:db8:1:3::1]:5000", Caller(), kGet));
}

TEST_F(RateLimitTest, PeerAddressKeys) {
  EXPECT_EQ(PeerAddressKey("ipv4:127.0.0.1:40000"), "127.0.0.1");
  EXPECT_EQ(PeerAddressKey("ipv6:[::1]:40000"), "::/64");
  EXPECT_EQ(PeerAddressKey("ipv6:[2001:db8::1]:1"), "2001:db8::/64");
  EXPECT_EQ(PeerAddressKey("ipv6:[::ffff:10.1.2.3]:40000"), "10.1.2.3");
  EXPECT_EQ(PeerAddressKey("ipv6:[fe80::1%25eth0]:40000"), "fe80::/64");
  EXPECT_EQ(PeerAddressKey("unix:/run/bulletin.sock"), "unix");
  EXPECT_EQ(PeerAddressKey("ipv6:[not-an-address]:1"), "not-an-address");
}

TEST_F(RateLimitTest, APartnersTokensShareOneBucketOtherTokensEachHaveTheirOwn) {
  TokenStore tokens = Tokens();
  RateLimitConfig config;
  config.token = Limit(1, 1);
  CallLimiter limiter(config, Clock());
  EXPECT_OK(limiter.AdmitPeer("ipv4:10.0.0.1:1", As(tokens, "acme-token-one-0123456789"), kGet));
  EXPECT_THAT(limiter.AdmitPeer("ipv4:10.0.0.2:1", As(tokens, "acme-token-two-0123456789"), kGet),
              StatusIs(absl::StatusCode::kResourceExhausted, "partner acme"));
  EXPECT_OK(limiter.AdmitPeer("ipv4:10.0.0.1:1", As(tokens, "editor-token-one-0123456789"), kGet));
  EXPECT_OK(limiter.AdmitPeer("ipv4:10.0.0.1:1", As(tokens, "editor-token-two-0123456789"), kGet));
  absl::Status refused =
      limiter.AdmitPeer("ipv4:10.0.0.9:1", As(tokens, "editor-token-one-0123456789"), kGet);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted, "this editor token"));
  EXPECT_EQ(refused.message().find("editor-token"), std::string::npos) << "never the token";
  // Anonymous calls are not limited by --rate-token.
  for (int i = 0; i < 10; ++i) EXPECT_OK(limiter.AdmitPeer("ipv4:10.0.0.1:1", Caller(), kGet));
}

TEST_F(RateLimitTest, ARoleEntryReplacesTheTokenLimit) {
  TokenStore tokens = Tokens();
  RateLimitConfig config;
  config.token = Limit(1, 1);
  config.roles["frontend"] = RateLimit();  // unlimited
  config.roles["partner"] = Limit(1, 3);
  CallLimiter limiter(config, Clock());
  for (int i = 0; i < 100; ++i) {
    ASSERT_OK(limiter.AdmitPeer("ipv4:10.0.0.1:1", As(tokens, "frontend-token-0123456789"), kGet));
  }
  for (int i = 0; i < 3; ++i) {
    EXPECT_OK(limiter.AdmitPeer("ipv4:10.0.0.1:1", As(tokens, "acme-token-one-0123456789"), kGet));
  }
  EXPECT_THAT(limiter.AdmitPeer("ipv4:10.0.0.1:1", As(tokens, "acme-token-one-0123456789"), kGet),
              StatusIs(absl::StatusCode::kResourceExhausted, "1/s (burst 3)"));
}

TEST_F(RateLimitTest, AMethodLimitAppliesOnTopPerCaller) {
  TokenStore tokens = Tokens();
  RateLimitConfig config;
  config.methods["RecordView"] = Limit(2, 2);
  CallLimiter limiter(config, Clock());
  ASSERT_TRUE(limiter.enabled());
  const Caller frontend = As(tokens, "frontend-token-0123456789");
  EXPECT_OK(limiter.AdmitPeer("ipv4:10.0.0.1:1", frontend, kRecord));
  EXPECT_OK(limiter.AdmitPeer("ipv4:10.0.0.1:1", frontend, kRecord));
  absl::Status refused = limiter.AdmitPeer("ipv4:10.0.0.1:1", frontend, kRecord);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted, "rate limit of RecordView"));
  EXPECT_EQ(*RetryDelayOf(refused), absl::Milliseconds(500));
  // Other methods, and other callers of this one, are not affected.
  for (int i = 0; i < 10; ++i) EXPECT_OK(limiter.AdmitPeer("ipv4:10.0.0.1:1", frontend, kGet));
  EXPECT_OK(limiter.AdmitPeer("ipv4:10.0.0.1:1", Caller(), kRecord));
  EXPECT_OK(
      limiter.AdmitPeer("ipv4:10.0.0.1:1", As(tokens, "editor-token-one-0123456789"), kRecord));
}

TEST_F(RateLimitTest, AFullMethodNameSelectsOneService) {
  RateLimitConfig config;
  config.methods[kRecord] = Limit(1, 1);
  CallLimiter limiter(config, Clock());
  EXPECT_OK(limiter.AdmitPeer("ipv4:10.0.0.1:1", Caller(), kRecord));
  EXPECT_THAT(limiter.AdmitPeer("ipv4:10.0.0.1:1", Caller(), kRecord),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_OK(limiter.AdmitPeer("ipv4:10.0.0.1:1", Caller(), "/other.v1.Other/RecordView"));
  EXPECT_OK(limiter.AdmitPeer("ipv4:10.0.0.1:1", Caller(), "/other.v1.Other/RecordView"));
}

TEST_F(RateLimitTest, AllOffIsDisabledAndAdmitsEverything) {
  RateLimitConfig config;
  config.roles["partner"] = RateLimit();
  config.methods["RecordView"] = RateLimit();
  CallLimiter limiter(config, Clock());
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 1000; ++i) ASSERT_OK(limiter.AdmitPeer("ipv4:10.0.0.1:1", Caller(), kRecord));
}

TEST(RateLimitFlagsTest, MethodNamesMustExist) {
  const std::vector<std::string> methods = {kRecord, kGet};
  RateLimitConfig config;
  config.methods["RecordView"] = Limit(1, 1);
  config.methods[kGet] = Limit(1, 1);
  EXPECT_OK(CheckRateLimitMethods(config, methods, "rate-method"));
  config.methods["RecordViews"] = Limit(1, 1);  // a typo, or another service's method
  EXPECT_THAT(CheckRateLimitMethods(config, methods, "rate-method"),
              StatusIs(absl::StatusCode::kInvalidArgument, "--rate-method: \"RecordViews\""));
  RateLimitConfig view;
  view.methods["View"] = Limit(1, 1);  // a suffix of a name is not the name
  EXPECT_THAT(CheckRateLimitMethods(view, methods, "rate-method"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RateLimitFlagsTest, ParsesRpsAndBurst) {
  ASSERT_OK_AND_ASSIGN(RateLimit a, ParseRateLimit("100", "rate-token"));
  EXPECT_EQ(a.rate, 100);
  EXPECT_EQ(a.burst, 200);
  ASSERT_OK_AND_ASSIGN(RateLimit b, ParseRateLimit("0.5:3", "rate-token"));
  EXPECT_EQ(b.rate, 0.5);
  EXPECT_EQ(b.burst, 3);
  ASSERT_OK_AND_ASSIGN(RateLimit c, ParseRateLimit("0.2", "rate-token"));
  EXPECT_EQ(c.burst, 1);
  ASSERT_OK_AND_ASSIGN(RateLimit off, ParseRateLimit("0", "rate-token"));
  EXPECT_EQ(off.rate, 0);
  for (const char* bad : {"", "-1", "x", "1:", "1:0", "1:x", "nan", "inf", "1e12", "1:2:3"}) {
    EXPECT_THAT(ParseRateLimit(bad, "rate-token"),
                StatusIs(absl::StatusCode::kInvalidArgument, "--rate-token"))
        << bad;
  }
}

TEST(RateLimitFlagsTest, ParsesLists) {
  ASSERT_OK_AND_ASSIGN(
      auto limits,
      ParseRateLimitList(" RecordView=1000:2000, SendTestEvent=0.2:5 ", "rate-method"));
  ASSERT_EQ(limits.size(), 2u);
  EXPECT_EQ(limits["RecordView"].rate, 1000);
  EXPECT_EQ(limits["SendTestEvent"].burst, 5);
  ASSERT_OK_AND_ASSIGN(auto none, ParseRateLimitList("", "rate-method"));
  EXPECT_TRUE(none.empty());
  for (const char* bad : {"RecordView", "=1", "a=1,a=2", "a=x"}) {
    EXPECT_THAT(ParseRateLimitList(bad, "rate-method"),
                StatusIs(absl::StatusCode::kInvalidArgument, "--rate-method"))
        << bad;
  }
  RateLimitConfig config;
  config.roles["guest"] = RateLimit();
  EXPECT_THAT(CheckRateLimitRoles(config, "rate-role"),
              StatusIs(absl::StatusCode::kInvalidArgument, "--rate-role"));
}

}  // namespace
}  // namespace bulletin
