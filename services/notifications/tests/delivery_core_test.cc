// Webhook deliveries on the in-memory stores and a fake transport (label unit: no
// redis-server, no network): which entries make deliveries (DeliveryScheduler), what the
// sender does with each answer (DeliveryWorker), and the partner-facing DeliveryCore.
#include "services/notifications/core/deliveries/delivery_core.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/base/retry_delay.h"
#include "common/testing/process.h"
#include "common/testing/status_matchers.h"
#include "services/notifications/core/deliveries/delivery_scheduler.h"
#include "services/notifications/core/deliveries/delivery_worker.h"
#include "services/notifications/store/memory/fault_injection.h"
#include "services/notifications/store/memory/memory_delivery_store.h"
#include "services/notifications/store/memory/memory_event_log.h"
#include "services/notifications/store/memory/memory_subscription_store.h"
#include "services/notifications/tests/fake_transport.h"
#include "services/notifications/tests/webhook_verifier.h"

namespace bulletin::notify {
namespace {

using ::bulletin::testing::StatusIs;
using ::bulletin::testing::WaitUntil;
using testing::FakeReply;
using testing::FakeTransport;
using testing::HeaderMap;

const Caller kAcme = Principal{Role::kPartner, "acme"};
const Caller kBeta = Principal{Role::kPartner, "beta"};

events::v1::ArticleEvent Event(
    const std::string& id,
    events::v1::ArticleEventType type = events::v1::ARTICLE_EVENT_TYPE_PUBLISHED) {
  events::v1::ArticleEvent e;
  e.set_event_id(id);
  e.set_type(type);
  e.mutable_occur_time()->set_seconds(absl::ToUnixSeconds(absl::Now()));
  e.mutable_article()->set_id("article-" + id);
  e.mutable_article()->add_translations()->set_locale("zh-CN");
  return e;
}

class NotifyDeliveryTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (worker_) worker_->Stop();
  }

  void StartWorker(std::vector<absl::Duration> schedule = {absl::Milliseconds(10),
                                                           absl::Milliseconds(10)},
                   DeliveryCoreOptions core_options = {}) {
    DeliveryWorkerOptions options;
    options.retry_schedule = std::move(schedule);
    options.poll_interval = absl::Milliseconds(10);
    worker_ =
        std::make_unique<DeliveryWorker>(deliveries_, subscriptions_, core_, transport_, options);
    delivery_core_ = std::make_unique<DeliveryCore>(core_, deliveries_, *worker_, core_options);
    core_.SetResumeListener([this](const std::string& id) {
      ASSERT_OK(deliveries_.ReleaseHeld(id, absl::Now()));
      worker_->Nudge();
    });
    worker_->Start();
  }

  CreatedSubscription NewSubscription(const Caller& who = kAcme,
                                      const std::string& url = "https://hooks.example.org/h") {
    Subscription s;
    s.display_name = "hook";
    s.webhook_url = url;
    absl::StatusOr<CreatedSubscription> created = core_.Create(who, s, "");
    EXPECT_OK(created);
    return created.ok() ? *created : CreatedSubscription{};
  }

  // Appends `event` to the stream and hands the entry to the scheduler, as the consumer
  // group does; returns how many deliveries it made.
  int Publish(const events::v1::ArticleEvent& event) {
    StreamId id = log_.Append(event);
    absl::StatusOr<int> n =
        scheduler_.Schedule({StreamEntry{id, std::make_shared<events::v1::ArticleEvent>(event)}});
    EXPECT_OK(n);
    if (worker_) worker_->Nudge();
    return n.ok() ? *n : -1;
  }

  Delivery WaitForState(const std::string& sub, const std::string& event_id, DeliveryState state) {
    Delivery last;
    WaitUntil(
        [&] {
          absl::StatusOr<Delivery> d = deliveries_.Get({sub, event_id});
          if (d.ok()) last = *d;
          return d.ok() && d->state == state;
        },
        absl::Seconds(10));
    EXPECT_EQ(last.state, state) << "delivery of " << event_id;
    return last;
  }

  MemoryEventLog log_;
  MemorySubscriptionStore memory_subscriptions_{log_};
  FaultInjector faults_;
  FaultySubscriptionStore subscriptions_{memory_subscriptions_, faults_};
  MemoryDeliveryStore memory_deliveries_{memory_subscriptions_};
  FaultyDeliveryStore deliveries_{memory_deliveries_, faults_};
  SubscriptionCore core_{subscriptions_, SubscriptionCoreOptions{true}};
  DeliveryScheduler scheduler_{subscriptions_, deliveries_};
  FakeTransport transport_;
  std::unique_ptr<DeliveryWorker> worker_;
  std::unique_ptr<DeliveryCore> delivery_core_;
};

TEST_F(NotifyDeliveryTest, SchedulesMatchingWebhookSubscriptionsOnce) {
  CreatedSubscription all = NewSubscription();
  Subscription updates_only;
  updates_only.display_name = "updates";
  updates_only.webhook_url = "https://hooks.example.org/u";
  updates_only.filter.event_types = {events::v1::ARTICLE_EVENT_TYPE_UPDATED};
  ASSERT_OK_AND_ASSIGN(CreatedSubscription updates, core_.Create(kAcme, updates_only, ""));
  Subscription stream_only;
  stream_only.display_name = "no webhook";
  ASSERT_OK(core_.Create(kAcme, stream_only, ""));
  CreatedSubscription disabled = NewSubscription();
  ASSERT_OK(core_.Disable(disabled.subscription.id, "test"));

  events::v1::ArticleEvent published = Event("e1");
  EXPECT_EQ(Publish(published), 1);
  EXPECT_OK(deliveries_.Get({all.subscription.id, "e1"}));
  EXPECT_THAT(deliveries_.Get({updates.subscription.id, "e1"}),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(Publish(Event("e2", events::v1::ARTICLE_EVENT_TYPE_UPDATED)), 2);

  // The same entry again (a re-read after a crash) schedules nothing new; an entry
  // without an event is skipped.
  StreamId id = log_.Append(published);
  ASSERT_OK_AND_ASSIGN(
      int again,
      scheduler_.Schedule({StreamEntry{id, std::make_shared<events::v1::ArticleEvent>(published)},
                           StreamEntry{log_.Append(nullptr), nullptr}}));
  EXPECT_EQ(again, 0);
}

// The scheduler lists the subscriptions again only when one changed: listing all of them
// on every event made each publish cost O(subscriptions) reads (500 partners with streams
// only: 25,000 hash reads a second at 50 publishes/s).
TEST_F(NotifyDeliveryTest, ListsSubscriptionsOnlyWhenOneChanged) {
  CreatedSubscription sub = NewSubscription();
  EXPECT_EQ(Publish(Event("e1")), 1);
  const int lists = faults_.calls("List");
  EXPECT_EQ(Publish(Event("e2")), 1);
  EXPECT_EQ(Publish(Event("e3")), 1);
  EXPECT_EQ(faults_.calls("List"), lists);
  CreatedSubscription second = NewSubscription(kBeta);
  EXPECT_EQ(Publish(Event("e4")), 2);
  EXPECT_GT(faults_.calls("List"), lists);
  EXPECT_OK(deliveries_.Get({second.subscription.id, "e4"}));
}

// What the scheduler keeps is never older than the last change: an update, a pause, a
// deletion each apply to the very next event.
TEST_F(NotifyDeliveryTest, EveryChangeAppliesToTheNextEvent) {
  CreatedSubscription sub = NewSubscription();
  const std::string& id = sub.subscription.id;
  EXPECT_EQ(Publish(Event("e1")), 1);
  Subscription patch;
  patch.id = id;
  patch.filter.event_types = {events::v1::ARTICLE_EVENT_TYPE_UPDATED};
  ASSERT_OK(core_.Update(kAcme, patch, {"filter.event_types"}));
  EXPECT_EQ(Publish(Event("e2")), 0);  // PUBLISHED: no longer its type
  EXPECT_EQ(Publish(Event("e3", events::v1::ARTICLE_EVENT_TYPE_UPDATED)), 1);
  ASSERT_OK(core_.Disable(id, "test"));
  EXPECT_EQ(Publish(Event("e4", events::v1::ARTICLE_EVENT_TYPE_UPDATED)), 0);
  ASSERT_OK(core_.Delete(kAcme, id, ""));
  CreatedSubscription other = NewSubscription(kBeta);
  EXPECT_EQ(Publish(Event("e5", events::v1::ARTICLE_EVENT_TYPE_UPDATED)), 1);
  EXPECT_OK(deliveries_.Get({other.subscription.id, "e5"}));
}

// A store error reading the counter leaves the batch to be handled again (UNAVAILABLE).
TEST_F(NotifyDeliveryTest, AnUnreadableChangeCountFailsTheBatch) {
  NewSubscription();
  EXPECT_EQ(Publish(Event("e1")), 1);
  faults_.FailNext("ChangeCount");
  StreamId id = log_.Append(Event("e2"));
  EXPECT_THAT(scheduler_.Schedule(
                  {StreamEntry{id, std::make_shared<events::v1::ArticleEvent>(Event("e2"))}}),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(NotifyDeliveryTest, EntriesFromBeforeASubscriptionAreNotItsToReceive) {
  events::v1::ArticleEvent old = Event("old");
  StreamId old_id = log_.Append(old);
  CreatedSubscription sub = NewSubscription();
  ASSERT_OK_AND_ASSIGN(
      int n,
      scheduler_.Schedule({StreamEntry{old_id, std::make_shared<events::v1::ArticleEvent>(old)}}));
  EXPECT_EQ(n, 0);
  EXPECT_THAT(deliveries_.Get({sub.subscription.id, "old"}), StatusIs(absl::StatusCode::kNotFound));
}

// A slow endpoint keeps its sender: the lease of an attempt in flight is renewed, so no
// other replica claims (and sends) the delivery again while the first attempt runs, though
// the attempt takes longer than a lease.
TEST_F(NotifyDeliveryTest, AnAttemptInFlightKeepsItsLease) {
  DeliveryWorkerOptions options;
  options.retry_schedule = {absl::Milliseconds(10)};
  options.poll_interval = absl::Milliseconds(10);
  options.lease = absl::Milliseconds(400);
  worker_ =
      std::make_unique<DeliveryWorker>(deliveries_, subscriptions_, core_, transport_, options);
  worker_->Start();
  transport_.SetAnswerDelay(absl::Milliseconds(1500));
  CreatedSubscription sub = NewSubscription();
  Publish(Event("slow-1"));
  ASSERT_TRUE(WaitUntil([&] { return transport_.count() == 1; }, absl::Seconds(5)));
  absl::SleepFor(absl::Milliseconds(1000));  // 2.5 leases into the attempt
  ASSERT_OK_AND_ASSIGN(std::vector<LeasedDelivery> rival,
                       memory_deliveries_.Claim(absl::Now(), absl::Minutes(1), 10));
  EXPECT_TRUE(rival.empty()) << "another sender could claim a delivery whose attempt was in flight";
  Delivery d = WaitForState(sub.subscription.id, "slow-1", DeliveryState::kSucceeded);
  EXPECT_EQ(d.attempts.size(), 1u);
  EXPECT_EQ(transport_.count(), 1u);
}

// A sender that stops renewing (it died) gives its delivery up within one lease.
TEST_F(NotifyDeliveryTest, ALeaseNotRenewedRunsOutWithinTheLease) {
  CreatedSubscription sub = NewSubscription();
  Publish(Event("orphan-1"));
  const absl::Time t0 = absl::Now();
  ASSERT_OK_AND_ASSIGN(std::vector<LeasedDelivery> dead,
                       memory_deliveries_.Claim(t0, DeliveryWorkerOptions().lease, 10));
  ASSERT_EQ(dead.size(), 1u);
  ASSERT_OK_AND_ASSIGN(std::vector<LeasedDelivery> early,
                       memory_deliveries_.Claim(t0 + absl::Seconds(6), absl::Minutes(1), 10));
  EXPECT_TRUE(early.empty());
  ASSERT_OK_AND_ASSIGN(std::vector<LeasedDelivery> after,
                       memory_deliveries_.Claim(t0 + absl::Seconds(7), absl::Minutes(1), 10));
  EXPECT_EQ(after.size(), 1u) << "a dead sender's delivery must be claimable within 7 s";
}

TEST_F(NotifyDeliveryTest, ASignedCloudEventIsPostedAndTheSuccessRecorded) {
  StartWorker();
  CreatedSubscription sub = NewSubscription();
  Publish(Event("evt-1"));
  Delivery d = WaitForState(sub.subscription.id, "evt-1", DeliveryState::kSucceeded);
  ASSERT_EQ(d.attempts.size(), 1u);
  EXPECT_EQ(d.attempts[0].http_status, 200);
  EXPECT_EQ(d.webhook_url, "https://hooks.example.org/h");
  ASSERT_EQ(transport_.count(), 1u);
  HttpRequest req = transport_.requests()[0];
  EXPECT_EQ(req.url, "https://hooks.example.org/h");
  std::map<std::string, std::string> headers = HeaderMap(req);
  EXPECT_EQ(headers["webhook-id"], "evt-1");
  EXPECT_EQ(headers["content-type"], "application/cloudevents+json");
  EXPECT_TRUE(testing::VerifyStandardWebhook(sub.signing_secret, headers, req.body));
  EXPECT_NE(req.body.find("\"type\":\"org.bulletin.article.published\""), std::string::npos);
}

TEST_F(NotifyDeliveryTest, FailuresAreRetriedOnTheScheduleThenDeadLettered) {
  transport_.SetHandler([](const HttpRequest&, int n) { return FakeReply{n <= 2 ? 500 : 200}; });
  StartWorker();
  CreatedSubscription sub = NewSubscription();
  Publish(Event("retry"));
  Delivery d = WaitForState(sub.subscription.id, "retry", DeliveryState::kSucceeded);
  ASSERT_EQ(d.attempts.size(), 3u);
  EXPECT_EQ(d.attempts[0].error, "HTTP 500");
  EXPECT_EQ(d.attempts[2].http_status, 200);

  transport_.SetHandler([](const HttpRequest&, int) { return FakeReply{502}; });
  Publish(Event("dead"));
  d = WaitForState(sub.subscription.id, "dead", DeliveryState::kDeadLettered);
  EXPECT_EQ(d.attempts.size(), 3u);  // the first attempt and the two retries of the schedule
  ASSERT_OK_AND_ASSIGN(
      ListDeliveriesResult dead,
      delivery_core_->List(kAcme, sub.subscription.id, 0, "", DeliveryState::kDeadLettered, ""));
  ASSERT_EQ(dead.deliveries.size(), 1u);

  transport_.SetHandler(nullptr);
  ASSERT_OK_AND_ASSIGN(Delivery again,
                       delivery_core_->Redeliver(kAcme, sub.subscription.id, "dead"));
  EXPECT_EQ(again.state, DeliveryState::kPending);
  WaitForState(sub.subscription.id, "dead", DeliveryState::kSucceeded);
  EXPECT_THAT(delivery_core_->Redeliver(kBeta, sub.subscription.id, "dead"),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(NotifyDeliveryTest, RetryAfterPushesTheNextAttemptLater) {
  transport_.SetHandler([](const HttpRequest&, int n) {
    return n == 1 ? FakeReply{429, absl::Milliseconds(300)} : FakeReply{};
  });
  StartWorker({absl::Milliseconds(10)});
  CreatedSubscription sub = NewSubscription();
  Publish(Event("slow-down"));
  Delivery d = WaitForState(sub.subscription.id, "slow-down", DeliveryState::kSucceeded);
  ASSERT_EQ(d.attempts.size(), 2u);
  EXPECT_GE(d.attempts[1].time - d.attempts[0].time, absl::Milliseconds(290));
}

TEST_F(NotifyDeliveryTest, GoneDeadLettersAndDisablesTheSubscription) {
  transport_.SetHandler([](const HttpRequest&, int) { return FakeReply{410}; });
  StartWorker();
  CreatedSubscription sub = NewSubscription();
  Publish(Event("gone"));
  WaitForState(sub.subscription.id, "gone", DeliveryState::kDeadLettered);
  ASSERT_OK_AND_ASSIGN(Subscription s, core_.Get(kAcme, sub.subscription.id));
  EXPECT_EQ(s.state, SubscriptionState::kDisabled);
  EXPECT_EQ(s.state_reason, "endpoint answered 410 Gone");
  EXPECT_EQ(transport_.count(), 1u);
}

TEST_F(NotifyDeliveryTest, PausedHoldsDeliveriesAndResumeSendsThem) {
  StartWorker();
  CreatedSubscription sub = NewSubscription();
  ASSERT_OK(core_.Pause(kAcme, sub.subscription.id, "", "maintenance"));
  Publish(Event("held"));
  ASSERT_TRUE(WaitUntil(
      [&] {
        absl::StatusOr<Delivery> d = deliveries_.Get({sub.subscription.id, "held"});
        return d.ok() && d->next_attempt_time == absl::InfinitePast();
      },
      absl::Seconds(10)));
  EXPECT_EQ(transport_.count(), 0u);
  ASSERT_OK(core_.Resume(kAcme, sub.subscription.id, ""));
  WaitForState(sub.subscription.id, "held", DeliveryState::kSucceeded);
  EXPECT_EQ(transport_.count(), 1u);
}

TEST_F(NotifyDeliveryTest, SendTestEventPingsOnceAndReportsTheAttempt) {
  StartWorker();
  CreatedSubscription sub = NewSubscription();
  ASSERT_OK_AND_ASSIGN(Delivery ok, delivery_core_->SendTest(kAcme, sub.subscription.id));
  EXPECT_TRUE(ok.test);
  EXPECT_EQ(ok.state, DeliveryState::kSucceeded);
  EXPECT_EQ(ok.event_id.rfind("test_", 0), 0u);
  ASSERT_EQ(transport_.count(), 1u);
  EXPECT_NE(transport_.requests()[0].body.find("\"type\":\"org.bulletin.ping\""),
            std::string::npos);

  transport_.SetHandler([](const HttpRequest&, int) { return FakeReply{503}; });
  ASSERT_OK_AND_ASSIGN(Delivery failed, delivery_core_->SendTest(kAcme, sub.subscription.id));
  EXPECT_EQ(failed.state, DeliveryState::kFailed);  // a test is never retried
  ASSERT_EQ(failed.attempts.size(), 1u);
  EXPECT_EQ(failed.attempts[0].http_status, 503);
  EXPECT_THAT(delivery_core_->SendTest(kBeta, sub.subscription.id),
              StatusIs(absl::StatusCode::kNotFound));
  CreatedSubscription no_hook = NewSubscription(kAcme, "");
  EXPECT_THAT(delivery_core_->SendTest(kAcme, no_hook.subscription.id),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

// ListDeliveries page tokens are signed and bound to the subscription and the state filter
// (#13: a "d1." prefix was all that was checked).
TEST_F(NotifyDeliveryTest, DeliveryPageTokensAreSignedAndBoundToTheRequest) {
  StartWorker();
  CreatedSubscription sub = NewSubscription();
  CreatedSubscription other = NewSubscription();
  for (const char* id : {"p1", "p2", "p3"}) {
    Publish(Event(id));
    WaitForState(sub.subscription.id, id, DeliveryState::kSucceeded);
  }
  const std::string& id = sub.subscription.id;
  ASSERT_OK_AND_ASSIGN(ListDeliveriesResult first,
                       delivery_core_->List(kAcme, id, 1, "", std::nullopt, ""));
  ASSERT_FALSE(first.next_page_token.empty());
  const std::string token = first.next_page_token;
  ASSERT_OK_AND_ASSIGN(ListDeliveriesResult second,
                       delivery_core_->List(kAcme, id, 1, token, std::nullopt, ""));
  ASSERT_EQ(second.deliveries.size(), 1u);
  EXPECT_NE(second.deliveries[0].event_id, first.deliveries[0].event_id);
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_THAT(delivery_core_->List(kAcme, other.subscription.id, 1, token, std::nullopt, ""),
              StatusIs(kInvalid, "page_token: "));
  EXPECT_THAT(delivery_core_->List(kAcme, id, 1, token, DeliveryState::kSucceeded, ""),
              StatusIs(kInvalid, "page_token: "));
  for (size_t i = 0; i < token.size(); ++i) {
    std::string altered = token;
    altered[i] = altered[i] == 'A' ? 'B' : 'A';
    EXPECT_THAT(delivery_core_->List(kAcme, id, 1, altered, std::nullopt, ""),
                StatusIs(kInvalid, "page_token: "))
        << "byte " << i;
  }
  EXPECT_THAT(delivery_core_->List(kAcme, id, 1, "d1.0000000000000000:p2", std::nullopt, ""),
              StatusIs(kInvalid, "page_token: "));
}

// #13: event ids and subscription ids of any length or bytes are refused (or reported
// missing) with a short message naming the field.
TEST_F(NotifyDeliveryTest, HostileIdsGetAShortMessageNamingTheField) {
  StartWorker();
  CreatedSubscription sub = NewSubscription();
  const std::string huge(70000, 'q');
  auto expect_short = [](const absl::Status& st, const std::string& field) {
    EXPECT_THAT(st, StatusIs(absl::StatusCode::kInvalidArgument)) << field;
    EXPECT_EQ(st.message().find(field + ": "), 0u) << st.message().substr(0, 300);
    EXPECT_LT(st.message().size(), 200u) << field;
  };
  const std::string& id = sub.subscription.id;
  expect_short(delivery_core_->Redeliver(kAcme, id, huge).status(), "event_id");
  expect_short(delivery_core_->Redeliver(kAcme, id, "caf\xC3\xA9").status(), "event_id");
  expect_short(delivery_core_->Redeliver(kAcme, id, "a\x1b").status(), "event_id");
  expect_short(delivery_core_->Redeliver(kAcme, huge, "e1").status(), "subscription_id");
  expect_short(delivery_core_->SendTest(kAcme, huge).status(), "subscription_id");
  expect_short(delivery_core_->List(kAcme, id, 0, "", std::nullopt, huge).status(), "event_id");
  expect_short(delivery_core_->List(kAcme, id, 0, huge, std::nullopt, "").status(), "page_token");
  absl::Status missing = delivery_core_->Redeliver(kAcme, id, std::string(128, 'q')).status();
  EXPECT_THAT(missing, StatusIs(absl::StatusCode::kNotFound));
  EXPECT_LT(missing.message().size(), 200u);
  EXPECT_EQ(missing.message().find(std::string(41, 'q')), std::string::npos) << missing;
}

// #13: SendTestEvent/RedeliverEvent in a loop hammered the partner's endpoint. Now one rate
// per partner for both, answered with RESOURCE_EXHAUSTED carrying the retry delay.
TEST_F(NotifyDeliveryTest, SendTestAndRedeliverShareARatePerPartner) {
  DeliveryCoreOptions rate;
  rate.send_rate_per_second = 2;
  rate.send_burst = 2;
  StartWorker({absl::Milliseconds(10)}, rate);
  CreatedSubscription sub = NewSubscription();
  CreatedSubscription beta = NewSubscription(kBeta);
  Publish(Event("r1"));
  WaitForState(sub.subscription.id, "r1", DeliveryState::kSucceeded);
  const std::string& id = sub.subscription.id;
  ASSERT_OK(delivery_core_->SendTest(kAcme, id));
  ASSERT_OK(delivery_core_->Redeliver(kAcme, id, "r1"));
  const size_t posted = transport_.count();
  for (absl::Status refused : {delivery_core_->SendTest(kAcme, id).status(),
                               delivery_core_->Redeliver(kAcme, id, "r1").status()}) {
    EXPECT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted, "per partner"));
    std::optional<absl::Duration> delay = RetryDelayOf(refused);
    ASSERT_TRUE(delay.has_value()) << refused;
    EXPECT_GT(*delay, absl::ZeroDuration());
    EXPECT_LE(*delay, absl::Milliseconds(500));
  }
  EXPECT_EQ(transport_.count(), posted);                             // a refused ping is not sent
  EXPECT_OK(delivery_core_->SendTest(kBeta, beta.subscription.id));  // beta has its own
  // The wait it was told is enough.
  absl::SleepFor(*RetryDelayOf(delivery_core_->SendTest(kAcme, id).status()));
  EXPECT_OK(delivery_core_->SendTest(kAcme, id));
  // Anonymous callers are refused as such, not counted.
  EXPECT_THAT(delivery_core_->SendTest(Caller(), id), StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(NotifyDeliveryTest, StoreHiccupsDelayButLoseNothing) {
  StartWorker();
  CreatedSubscription sub = NewSubscription();
  faults_.FailNext("Claim", 2);
  faults_.FailNext("RecordAttempt", 2);
  Publish(Event("hiccup"));
  Delivery d = WaitForState(sub.subscription.id, "hiccup", DeliveryState::kSucceeded);
  EXPECT_EQ(d.attempts.size(), 1u);
  EXPECT_EQ(transport_.count(), 1u);
  EXPECT_GE(faults_.calls("RecordAttempt"), 3);

  // While the store is down the scheduler refuses the batch (it stays pending upstream).
  faults_.FailAll(true);
  StreamId id = log_.Append(Event("later"));
  EXPECT_THAT(scheduler_.Schedule(
                  {StreamEntry{id, std::make_shared<events::v1::ArticleEvent>(Event("later"))}}),
              StatusIs(absl::StatusCode::kUnavailable));
  faults_.FailAll(false);
}

}  // namespace
}  // namespace bulletin::notify
