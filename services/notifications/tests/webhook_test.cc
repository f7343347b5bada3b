// Webhook delivery end to end inside one process: the consumer group, the delivery
// worker and the cores against a real redis-server and a real HTTP receiver on loopback.
// Events are XADDed to `{bulletin}:events` in exactly the format content's relay writes.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "common/redis/keys.h"
#include "common/testing/process.h"
#include "common/testing/redis_cluster.h"
#include "common/testing/status_matchers.h"
#include "services/notifications/core/deliveries/delivery_core.h"
#include "services/notifications/core/deliveries/delivery_scheduler.h"
#include "services/notifications/events/webhook_consumer.h"
#include "services/notifications/store/redis/redis_delivery_store.h"
#include "services/notifications/store/redis/redis_subscription_store.h"
#include "services/notifications/tests/http_receiver.h"
#include "services/notifications/tests/webhook_verifier.h"
#include "services/notifications/webhook/http_client.h"

namespace bulletin::notify {
namespace {

using ::bulletin::testing::StatusIs;
using bulletin::testing::WaitUntil;
using testing::HttpReceiver;
using testing::Reply;

const Caller kAcme = Principal{Role::kPartner, "acme"};
const Caller kBeta = Principal{Role::kPartner, "beta"};

class NotifyWebhookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = bulletin::testing::TestRedis::Start();
    ASSERT_OK(server);
    redis_server_ = std::move(*server);
    redis_ = std::make_unique<RedisClient>(redis_server_->options());
    subs_ = std::make_unique<RedisSubscriptionStore>(*redis_);
    core_ = std::make_unique<SubscriptionCore>(*subs_, SubscriptionCoreOptions{true});
    deliveries_ = std::make_unique<RedisDeliveryStore>(*redis_);
  }

  void StartWorkers(std::vector<absl::Duration> schedule = {absl::Seconds(1), absl::Seconds(1),
                                                            absl::Seconds(1)},
                    absl::Duration timeout = absl::Seconds(1),
                    const std::function<void(DeliveryWorkerOptions&)>& tune = nullptr) {
    DeliveryWorkerOptions options;
    options.retry_schedule = schedule;
    if (tune) tune(options);
    http_ = std::make_unique<HttpClient>(HttpClientOptions{absl::Seconds(1), timeout, true});
    worker_ = std::make_unique<DeliveryWorker>(*deliveries_, *subs_, *core_, *http_, options);
    core_->SetResumeListener([this](const std::string& id) {
      ASSERT_OK(deliveries_->ReleaseHeld(id, absl::Now()));
      worker_->Nudge();
    });
    ConsumerOptions consumer;
    consumer.consumer = "test-replica";
    scheduler_ = std::make_unique<DeliveryScheduler>(*subs_, *deliveries_);
    consumer_ = std::make_unique<WebhookConsumer>(*redis_, *scheduler_, consumer,
                                                  [this] { worker_->Nudge(); });
    delivery_core_ = std::make_unique<DeliveryCore>(*core_, *deliveries_, *worker_);
    worker_->Start();
    consumer_->Start();
  }

  void TearDown() override {
    if (consumer_) consumer_->Stop();
    if (worker_) worker_->Stop();
  }

  CreatedSubscription NewSubscription(const std::string& url, const Caller& who = kAcme) {
    Subscription s;
    s.display_name = "hook";
    s.webhook_url = url;
    auto created = core_->Create(who, s, "");
    EXPECT_OK(created);
    return created.ok() ? *created : CreatedSubscription{};
  }

  void Publish(const std::string& event_id) {
    events::v1::ArticleEvent e;
    e.set_event_id(event_id);
    e.set_type(events::v1::ARTICLE_EVENT_TYPE_PUBLISHED);
    e.mutable_occur_time()->set_seconds(absl::ToUnixSeconds(absl::Now()));
    e.mutable_article()->set_id("article-" + event_id);
    auto* t = e.mutable_article()->add_translations();
    t->set_locale("zh-CN");
    t->set_title("通知");
    auto r = redis_->Command({"XADD", keys::kEventStream, "MAXLEN", "~", "10000", "*", "event",
                              e.SerializeAsString(), "event_id", event_id, "type",
                              "ARTICLE_EVENT_TYPE_PUBLISHED", "article_id", e.article().id()});
    ASSERT_OK(r);
  }

  Delivery WaitForState(const std::string& sub, const std::string& event_id, DeliveryState state,
                        absl::Duration timeout = absl::Seconds(15)) {
    Delivery last;
    WaitUntil(
        [&] {
          auto d = deliveries_->Get({sub, event_id});
          if (d.ok()) last = *d;
          return d.ok() && d->state == state;
        },
        timeout);
    EXPECT_EQ(last.state, state) << "delivery of " << event_id;
    return last;
  }

  std::unique_ptr<bulletin::testing::TestRedis> redis_server_;
  std::unique_ptr<RedisClient> redis_;
  std::unique_ptr<RedisSubscriptionStore> subs_;
  std::unique_ptr<SubscriptionCore> core_;
  std::unique_ptr<RedisDeliveryStore> deliveries_;
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<DeliveryWorker> worker_;
  std::unique_ptr<DeliveryScheduler> scheduler_;
  std::unique_ptr<WebhookConsumer> consumer_;
  std::unique_ptr<DeliveryCore> delivery_core_;
};

TEST_F(NotifyWebhookTest, PublishedEventArrivesAsSignedCloudEvent) {
  HttpReceiver receiver;
  StartWorkers();
  CreatedSubscription sub = NewSubscription(receiver.url());
  Publish("evt-1");
  ASSERT_TRUE(WaitUntil([&] { return receiver.count() == 1; }, absl::Seconds(10)));
  auto req = receiver.requests()[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.headers["content-type"], "application/cloudevents+json");
  EXPECT_EQ(req.headers["webhook-id"], "evt-1");
  EXPECT_TRUE(testing::VerifyStandardWebhook(sub.signing_secret, req.headers, req.body))
      << req.headers["webhook-signature"];
  EXPECT_FALSE(testing::VerifyStandardWebhook(NewSigningSecret(), req.headers, req.body));
  EXPECT_FALSE(testing::VerifyStandardWebhook(sub.signing_secret, req.headers, req.body + " "));
  for (const char* part :
       {"\"specversion\":\"1.0\"", "\"id\":\"evt-1\"", "\"source\":\"//bulletin/content\"",
        "\"type\":\"org.bulletin.article.published\"", "\"datacontenttype\":\"application/json\"",
        "\"eventId\":\"evt-1\"", "\"type\":\"ARTICLE_EVENT_TYPE_PUBLISHED\"", "\"time\":\"",
        "通知"}) {
    EXPECT_NE(req.body.find(part), std::string::npos) << part << " in " << req.body;
  }
  Delivery d = WaitForState(sub.subscription.id, "evt-1", DeliveryState::kSucceeded);
  ASSERT_EQ(d.attempts.size(), 1u);
  EXPECT_EQ(d.attempts[0].http_status, 200);
  EXPECT_EQ(d.webhook_url, receiver.url());
}

// #13: a burst of events went to an endpoint as fast as the sender could post. Now one
// webhook URL gets at most --webhook-endpoint-rate attempts per second (shared by every
// subscription pointing at it); the rest wait in the queue -- all delivered, each on its
// first attempt, none counted as a failure -- and another endpoint is not held up.
TEST_F(NotifyWebhookTest, AnEndpointGetsAtMostItsRateAndTheRestWait) {
  absl::Mutex mu;
  std::vector<absl::Time> slow_arrivals;
  HttpReceiver slow([&](const testing::ReceivedRequest&, int) {
    absl::MutexLock lock(&mu);
    slow_arrivals.push_back(absl::Now());
    return Reply{};
  });
  HttpReceiver fast;
  StartWorkers({absl::Seconds(1)}, absl::Seconds(1), [](DeliveryWorkerOptions& o) {
    o.endpoint_rate_per_second = 4;
    o.endpoint_burst = 1;
  });
  CreatedSubscription a = NewSubscription(slow.url());
  CreatedSubscription a2 = NewSubscription(slow.url(), kBeta);  // same endpoint, shared rate
  CreatedSubscription b = NewSubscription(fast.url("/other"));
  const absl::Time start = absl::Now();
  for (int i = 0; i < 5; ++i) Publish("burst-" + std::to_string(i));
  // The other endpoint (its own bucket) gets its 5 at once, not after the slow one's 10.
  ASSERT_TRUE(WaitUntil([&] { return fast.count() == 5; }, absl::Seconds(5)));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  ASSERT_TRUE(WaitUntil([&] { return slow.count() == 10; }, absl::Seconds(20)));
  std::vector<absl::Time> times;
  {
    absl::MutexLock lock(&mu);
    times = slow_arrivals;
  }
  std::sort(times.begin(), times.end());
  // 10 attempts at 4/s with a burst of 1: at least 9 intervals of 250 ms.
  EXPECT_GE(times.back() - times.front(), absl::Milliseconds(2000));
  for (size_t i = 2; i < times.size(); ++i) {
    // Any two consecutive gaps together span at least ~2 tokens' worth.
    EXPECT_GE(times[i] - times[i - 2], absl::Milliseconds(400)) << i;
  }
  for (const CreatedSubscription* s : {&a, &a2, &b}) {
    for (int i = 0; i < 5; ++i) {
      Delivery d =
          WaitForState(s->subscription.id, "burst-" + std::to_string(i), DeliveryState::kSucceeded);
      EXPECT_EQ(d.attempts.size(), 1u);  // waiting is not a failed attempt
      EXPECT_EQ(d.attempts.empty() ? 0 : d.attempts[0].http_status, 200);
    }
  }
}

TEST_F(NotifyWebhookTest, FailingTwiceThenOkSucceedsOnTheThirdAttempt) {
  HttpReceiver receiver([](const testing::ReceivedRequest&, int n) {
    return Reply{n <= 2 ? 500 : 200, {}, false};
  });
  StartWorkers();
  CreatedSubscription sub = NewSubscription(receiver.url());
  Publish("evt-retry");
  Delivery d = WaitForState(sub.subscription.id, "evt-retry", DeliveryState::kSucceeded);
  EXPECT_EQ(receiver.count(), 3u);
  ASSERT_EQ(d.attempts.size(), 3u);
  EXPECT_EQ(d.attempts[0].http_status, 500);
  EXPECT_EQ(d.attempts[0].error, "HTTP 500");
  EXPECT_EQ(d.attempts[2].http_status, 200);
  EXPECT_GE(d.attempts[1].time - d.attempts[0].time, absl::Milliseconds(850));  // 1s - jitter
  auto listed = delivery_core_->List(kAcme, sub.subscription.id, 0, "", std::nullopt, "");
  ASSERT_OK(listed);
  ASSERT_EQ(listed->deliveries.size(), 1u);
  EXPECT_EQ(listed->deliveries[0].attempts.size(), 3u);
}

TEST_F(NotifyWebhookTest, SilentReceiverIsDeadLetteredAndRedeliveredWhenBack) {
  HttpReceiver receiver([](const testing::ReceivedRequest&, int) { return Reply{0, {}, true}; });
  StartWorkers({absl::Milliseconds(200), absl::Milliseconds(200)}, absl::Milliseconds(500));
  CreatedSubscription sub = NewSubscription(receiver.url());
  Publish("evt-dead");
  Delivery d = WaitForState(sub.subscription.id, "evt-dead", DeliveryState::kDeadLettered);
  ASSERT_EQ(d.attempts.size(), 3u);
  EXPECT_EQ(d.attempts[2].http_status, 0);
  EXPECT_NE(d.attempts[2].error.find("timeout"), std::string::npos) << d.attempts[2].error;
  auto dead =
      delivery_core_->List(kAcme, sub.subscription.id, 0, "", DeliveryState::kDeadLettered, "");
  ASSERT_OK(dead);
  EXPECT_EQ(dead->deliveries.size(), 1u);

  receiver.SetHandler([](const testing::ReceivedRequest&, int) { return Reply{}; });
  auto again = delivery_core_->Redeliver(kAcme, sub.subscription.id, "evt-dead");
  ASSERT_OK(again);
  EXPECT_EQ(again->state, DeliveryState::kPending);
  d = WaitForState(sub.subscription.id, "evt-dead", DeliveryState::kSucceeded);
  EXPECT_EQ(d.attempts.back().http_status, 200);
  EXPECT_THAT(delivery_core_->Redeliver(kBeta, sub.subscription.id, "evt-dead"),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(delivery_core_->Redeliver(kAcme, sub.subscription.id, "nope"),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(NotifyWebhookTest, PausedKeepsDeliveriesPendingAndResumeSendsThem) {
  HttpReceiver receiver;
  StartWorkers();
  CreatedSubscription sub = NewSubscription(receiver.url());
  ASSERT_OK(core_->Pause(kAcme, sub.subscription.id, "", "maintenance"));
  Publish("evt-paused");
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto d = deliveries_->Get({sub.subscription.id, "evt-paused"});
        return d.ok() && d->next_attempt_time == absl::InfinitePast();  // held
      },
      absl::Seconds(10)));
  EXPECT_EQ(receiver.count(), 0u);
  auto resumed = core_->Resume(kAcme, sub.subscription.id, "");
  ASSERT_OK(resumed);
  WaitForState(sub.subscription.id, "evt-paused", DeliveryState::kSucceeded);
  EXPECT_EQ(receiver.count(), 1u);
}

TEST_F(NotifyWebhookTest, GoneDisablesTheSubscription) {
  HttpReceiver receiver([](const testing::ReceivedRequest&, int) { return Reply{410, {}, false}; });
  StartWorkers();
  CreatedSubscription sub = NewSubscription(receiver.url());
  Publish("evt-gone");
  WaitForState(sub.subscription.id, "evt-gone", DeliveryState::kDeadLettered);
  auto s = core_->Get(kAcme, sub.subscription.id);
  ASSERT_OK(s);
  EXPECT_EQ(s->state, SubscriptionState::kDisabled);
  EXPECT_EQ(s->state_reason, "endpoint answered 410 Gone");
  EXPECT_EQ(receiver.count(), 1u);
}

TEST_F(NotifyWebhookTest, RotatedSecretSignsWithBothUntilTheOldExpires) {
  HttpReceiver receiver;
  StartWorkers();
  CreatedSubscription sub = NewSubscription(receiver.url());
  auto rotated =
      core_->RotateSecret(kAcme, sub.subscription.id, sub.subscription.etag, std::nullopt);
  ASSERT_OK(rotated);
  EXPECT_NE(rotated->signing_secret, sub.signing_secret);
  EXPECT_GT(rotated->subscription.previous_secret_expire_time, absl::Now() + absl::Hours(23));
  auto stale = core_->RotateSecret(kAcme, sub.subscription.id, sub.subscription.etag, std::nullopt);
  EXPECT_THAT(stale, StatusIs(absl::StatusCode::kAborted));
  Publish("evt-rotated");
  ASSERT_TRUE(WaitUntil([&] { return receiver.count() == 1; }, absl::Seconds(10)));
  auto req = receiver.requests()[0];
  std::vector<std::string> sigs = absl::StrSplit(req.headers["webhook-signature"], ' ');
  EXPECT_EQ(sigs.size(), 2u);
  EXPECT_TRUE(testing::VerifyStandardWebhook(sub.signing_secret, req.headers, req.body));
  EXPECT_TRUE(testing::VerifyStandardWebhook(rotated->signing_secret, req.headers, req.body));

  // A ttl of 0 revokes the previous secret at once.
  auto revoked = core_->RotateSecret(kAcme, sub.subscription.id, "", absl::ZeroDuration());
  ASSERT_OK(revoked);
  Publish("evt-revoked");
  ASSERT_TRUE(WaitUntil([&] { return receiver.count() == 2; }, absl::Seconds(10)));
  req = receiver.requests()[1];
  EXPECT_TRUE(testing::VerifyStandardWebhook(revoked->signing_secret, req.headers, req.body));
  EXPECT_FALSE(testing::VerifyStandardWebhook(rotated->signing_secret, req.headers, req.body));
}

TEST_F(NotifyWebhookTest, SendTestEventPingsOnceAndReportsTheAttempt) {
  HttpReceiver receiver;
  StartWorkers();
  CreatedSubscription sub = NewSubscription(receiver.url());
  auto d = delivery_core_->SendTest(kAcme, sub.subscription.id);
  ASSERT_OK(d);
  EXPECT_TRUE(d->test);
  EXPECT_EQ(d->state, DeliveryState::kSucceeded);
  EXPECT_EQ(d->event_id.rfind("test_", 0), 0u);
  ASSERT_EQ(receiver.count(), 1u);
  auto req = receiver.requests()[0];
  EXPECT_NE(req.body.find("\"type\":\"org.bulletin.ping\""), std::string::npos);
  EXPECT_TRUE(testing::VerifyStandardWebhook(sub.signing_secret, req.headers, req.body));

  receiver.SetHandler([](const testing::ReceivedRequest&, int) { return Reply{503, {}, false}; });
  d = delivery_core_->SendTest(kAcme, sub.subscription.id);
  ASSERT_OK(d);
  EXPECT_EQ(d->state, DeliveryState::kFailed);
  EXPECT_EQ(d->attempts.at(0).http_status, 503);
  EXPECT_THAT(delivery_core_->SendTest(kBeta, sub.subscription.id),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(NotifyWebhookTest, PartnersCannotSeeAnotherPartnersDeliveries) {
  HttpReceiver receiver;
  StartWorkers();
  CreatedSubscription sub = NewSubscription(receiver.url());
  Publish("evt-private");
  WaitForState(sub.subscription.id, "evt-private", DeliveryState::kSucceeded);
  EXPECT_THAT(delivery_core_->List(kBeta, sub.subscription.id, 0, "", std::nullopt, ""),
              StatusIs(absl::StatusCode::kNotFound));
  auto own = delivery_core_->List(kAcme, sub.subscription.id, 0, "", std::nullopt, "evt-private");
  ASSERT_OK(own);
  EXPECT_EQ(own->deliveries.size(), 1u);
}

TEST_F(NotifyWebhookTest, RetryAfterIsHonoured) {
  HttpReceiver receiver([](const testing::ReceivedRequest&, int n) {
    return n == 1 ? Reply{429, {{"Retry-After", "2"}}, false} : Reply{};
  });
  StartWorkers({absl::Milliseconds(100)});
  CreatedSubscription sub = NewSubscription(receiver.url());
  Publish("evt-429");
  Delivery d = WaitForState(sub.subscription.id, "evt-429", DeliveryState::kSucceeded);
  ASSERT_EQ(d.attempts.size(), 2u);
  EXPECT_GE(d.attempts[1].time - d.attempts[0].time, absl::Milliseconds(1900));
}

TEST(NotifyHttpClientTest, AResolvedPrivateAddressIsRefusedWithoutTheFlag) {
  HttpReceiver receiver;
  HttpClient client({absl::Seconds(1), absl::Seconds(2), /*allow_private=*/false});
  // "localhost" stands in for any public-looking name that resolves to loopback: the
  // check is on the address the connection would use.
  client.Post(1, {absl::StrCat("http://localhost:", receiver.port(), "/hook"), {}, "{}"});
  std::vector<std::pair<uint64_t, HttpResponse>> done;
  ASSERT_TRUE(WaitUntil(
      [&] {
        for (auto& r : client.Poll(absl::Milliseconds(50))) done.push_back(r);
        return !done.empty();
      },
      absl::Seconds(5)));
  EXPECT_EQ(done[0].second.status, 0);
  EXPECT_NE(done[0].second.error.find("loopback/private"), std::string::npos)
      << done[0].second.error;
  EXPECT_EQ(receiver.count(), 0u);
}

}  // namespace
}  // namespace bulletin::notify
