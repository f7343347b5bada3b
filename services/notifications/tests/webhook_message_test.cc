// Webhook message format, signatures against the specification's verifier, and the
// retry schedule. Pure functions: no network.
#include "services/notifications/core/deliveries/webhook_message.h"

#include <gtest/gtest.h>

#include "common/testing/status_matchers.h"
#include "services/notifications/core/deliveries/retry_policy.h"
#include "services/notifications/core/subscriptions/subscription_core.h"
#include "services/notifications/tests/webhook_verifier.h"
#include "services/notifications/webhook/http_client.h"

namespace bulletin::notify {
namespace {

using ::bulletin::testing::StatusIs;

std::map<std::string, std::string> ToMap(const std::vector<std::string>& headers) {
  std::map<std::string, std::string> out;
  for (const std::string& h : headers) {
    size_t colon = h.find(':');
    out[h.substr(0, colon)] = h.substr(colon + 2);
  }
  return out;
}

TEST(NotifyWebhookMessageTest, KnownVectorOfTheStandardWebhooksSpecification) {
  // The example of the Standard Webhooks reference libraries.
  auto sig = SignWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                         1614265330, "{\"test\": 2432232314}");
  ASSERT_OK(sig);
  EXPECT_EQ(*sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  EXPECT_THAT(SignWebhook("not-a-secret", "id", 1, ""),
              StatusIs(absl::StatusCode::kInvalidArgument, "signing secret"));
}

TEST(NotifyWebhookMessageTest, HeadersVerifyWithEitherActiveSecret) {
  SigningSecrets secrets{NewSigningSecret(), NewSigningSecret(), absl::Now() + absl::Hours(1)};
  std::string body = "{\"x\":1}";
  auto headers = WebhookHeaders(secrets, "evt-9", absl::Now(), body);
  ASSERT_OK(headers);
  auto map = ToMap(*headers);
  EXPECT_EQ(map["webhook-id"], "evt-9");
  EXPECT_TRUE(testing::VerifyStandardWebhook(secrets.current, map, body));
  EXPECT_TRUE(testing::VerifyStandardWebhook(secrets.previous, map, body));
  secrets.previous_expire_time = absl::Now() - absl::Seconds(1);
  map = ToMap(*WebhookHeaders(secrets, "evt-9", absl::Now(), body));
  EXPECT_FALSE(testing::VerifyStandardWebhook(secrets.previous, map, body));
}

TEST(NotifyWebhookMessageTest, CloudEventEnvelope) {
  events::v1::ArticleEvent e;
  e.set_event_id("evt-\"1\"");
  e.set_type(events::v1::ARTICLE_EVENT_TYPE_UNPUBLISHED);
  e.mutable_occur_time()->set_seconds(1517788800);
  std::string body = ArticleEventBody(e, "//bulletin/content");
  EXPECT_EQ(body.rfind("{\"specversion\":\"1.0\",\"id\":\"evt-\\\"1\\\"\"", 0), 0u) << body;
  EXPECT_NE(body.find("\"type\":\"org.bulletin.article.unpublished\""), std::string::npos);
  EXPECT_NE(body.find("\"time\":\"2018-02-05T00:00:00+00:00\""), std::string::npos) << body;
  EXPECT_NE(body.find("\"data\":{\"eventId\":"), std::string::npos) << body;
}

TEST(NotifyRetryPolicyTest, ScheduleRetryAfterAndDeadLetter) {
  auto schedule = ParseRetrySchedule("5s,5m,30m,2h,5h,10h,10h");
  ASSERT_OK(schedule);
  ASSERT_EQ(schedule->size(), 7u);
  EXPECT_EQ((*schedule)[1], absl::Minutes(5));
  EXPECT_THAT(ParseRetrySchedule("5s,,1m"),
              StatusIs(absl::StatusCode::kInvalidArgument, "--retry-schedule"));
  EXPECT_THAT(ParseRetrySchedule("-1s"), StatusIs(absl::StatusCode::kInvalidArgument));
  RetryPolicy policy({absl::Seconds(10), absl::Seconds(20)});
  auto d1 = policy.NextDelay(1, std::nullopt);
  ASSERT_TRUE(d1);
  EXPECT_GE(*d1, absl::Seconds(9));
  EXPECT_LE(*d1, absl::Seconds(11));
  EXPECT_GE(*policy.NextDelay(2, absl::Seconds(60)), absl::Seconds(60));
  EXPECT_EQ(*policy.NextDelay(2, absl::Hours(1000)), kMaxRetryAfter);
  EXPECT_FALSE(policy.NextDelay(3, std::nullopt));
  absl::Time now = absl::FromUnixSeconds(1445412480);  // Wed, 21 Oct 2015 07:28:00 GMT
  EXPECT_EQ(*ParseRetryAfter("120", now), absl::Seconds(120));
  EXPECT_EQ(*ParseRetryAfter("Wed, 21 Oct 2015 07:30:00 GMT", now), absl::Seconds(120));
  EXPECT_FALSE(ParseRetryAfter("soon", now));
}

}  // namespace
}  // namespace bulletin::notify
