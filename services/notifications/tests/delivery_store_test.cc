// The behavioural suite of DeliveryStore: what every implementation must do, run against
// the in-memory fake (label unit) and Redis (label redis) by instantiating it with a
// backend (memory_backend.cc, redis_backend.cc).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/base/ids.h"
#include "common/testing/process.h"
#include "common/testing/status_matchers.h"
#include "services/notifications/tests/store_backend.h"

namespace bulletin::notify::testing {
namespace {

using ::bulletin::testing::StatusIs;

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(DeliveryStoreTest);

TEST_P(DeliveryStoreTest, ScheduledOncePerSubscriptionAndEvent) {
  const absl::Time now = NowMicros();
  ASSERT_OK_AND_ASSIGN(int created, store().Schedule(Event("e1"), {"s1", "s2"}, now));
  EXPECT_EQ(created, 2);
  ASSERT_OK_AND_ASSIGN(created, store().Schedule(Event("e1"), {"s1", "s2", "s3"}, now));
  EXPECT_EQ(created, 1);
  ASSERT_OK_AND_ASSIGN(created, store().Schedule(Event("e2"), {}, now));
  EXPECT_EQ(created, 0);

  ASSERT_OK_AND_ASSIGN(Delivery d, store().Get({"s1", "e1"}));
  EXPECT_FALSE(d.id.empty());
  EXPECT_EQ(d.subscription_id, "s1");
  EXPECT_EQ(d.event_id, "e1");
  EXPECT_EQ(d.event_type, events::v1::ARTICLE_EVENT_TYPE_UPDATED);
  EXPECT_EQ(d.article_id, "article-e1");
  EXPECT_EQ(d.payload, "payload of e1");
  EXPECT_EQ(d.state, DeliveryState::kPending);
  EXPECT_EQ(d.next_attempt_time, now);
  EXPECT_EQ(d.create_time, now);
  EXPECT_TRUE(d.attempts.empty());
  EXPECT_EQ(d.attempt_count, 0);
  EXPECT_FALSE(d.test);
  EXPECT_THAT(store().Get({"s1", "e9"}), StatusIs(absl::StatusCode::kNotFound, "e9"));
}

TEST_P(DeliveryStoreTest, ClaimLeasesWhatIsDueOnceUntilTheLeaseRunsOut) {
  const absl::Time t0 = NowMicros();
  ASSERT_OK(store().Schedule(Event("e1"), {"s1"}, t0));
  EXPECT_EQ(Due(t0 - absl::Seconds(1)), 0u);
  ASSERT_OK_AND_ASSIGN(std::vector<LeasedDelivery> first, store().Claim(t0, absl::Seconds(10), 10));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].key.subscription_id, "s1");
  EXPECT_EQ(first[0].key.event_id, "e1");
  EXPECT_FALSE(first[0].token.empty());
  EXPECT_EQ(Due(t0 + absl::Seconds(5)), 0u);  // leased
  LeasedDelivery second = ClaimOne(t0 + absl::Seconds(11));
  EXPECT_NE(second.token, first[0].token);
  // The first sender's lease is gone: its late record changes nothing.
  DeliveryAttempt attempt{t0, 200, absl::Milliseconds(5), ""};
  ASSERT_OK_AND_ASSIGN(bool recorded, store().RecordAttempt({"s1", "e1"}, first[0].token, attempt,
                                                            Outcome(DeliveryState::kSucceeded)));
  EXPECT_FALSE(recorded);
  ASSERT_OK_AND_ASSIGN(Delivery d, store().Get({"s1", "e1"}));
  EXPECT_EQ(d.state, DeliveryState::kPending);
  EXPECT_TRUE(d.attempts.empty());
}

TEST_P(DeliveryStoreTest, ClaimTakesTheOldestFirstUpToMax) {
  const absl::Time t0 = NowMicros();
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(store().Schedule(Event("e" + std::to_string(i)), {"s1"}, t0 + absl::Seconds(i)));
  }
  ASSERT_OK_AND_ASSIGN(std::vector<LeasedDelivery> claimed,
                       store().Claim(t0 + absl::Seconds(10), absl::Minutes(1), 2));
  ASSERT_EQ(claimed.size(), 2u);
  EXPECT_EQ(claimed[0].key.event_id, "e0");
  EXPECT_EQ(claimed[1].key.event_id, "e1");
  EXPECT_EQ(ClaimOne(t0 + absl::Seconds(10)).key.event_id, "e2");
}

TEST_P(DeliveryStoreTest, RecordAttemptAppliesTheOutcomeUnderTheLease) {
  const absl::Time t0 = NowMicros();
  ASSERT_OK(store().Schedule(Event("e1"), {"s1"}, t0));
  LeasedDelivery lease = ClaimOne(t0);
  DeliveryAttempt failed{t0, 500, absl::Milliseconds(12), "HTTP 500"};
  const absl::Time retry = t0 + absl::Seconds(30);
  ASSERT_OK_AND_ASSIGN(bool recorded,
                       store().RecordAttempt({"s1", "e1"}, "not-the-token", failed,
                                             Outcome(DeliveryState::kPending, retry)));
  EXPECT_FALSE(recorded);
  ASSERT_OK_AND_ASSIGN(recorded, store().RecordAttempt({"s1", "e1"}, lease.token, failed,
                                                       Outcome(DeliveryState::kPending, retry)));
  EXPECT_TRUE(recorded);
  ASSERT_OK_AND_ASSIGN(Delivery d, store().Get({"s1", "e1"}));
  EXPECT_EQ(d.state, DeliveryState::kPending);
  EXPECT_EQ(d.next_attempt_time, retry);
  EXPECT_EQ(d.webhook_url, "https://hooks.example.org/h");
  EXPECT_EQ(d.attempt_count, 1);
  ASSERT_EQ(d.attempts.size(), 1u);
  EXPECT_EQ(d.attempts[0].time, t0);
  EXPECT_EQ(d.attempts[0].http_status, 500);
  EXPECT_EQ(d.attempts[0].latency, absl::Milliseconds(12));
  EXPECT_EQ(d.attempts[0].error, "HTTP 500");
  // The lease is used up; the retry is due at its time, not before.
  EXPECT_EQ(Due(retry - absl::Seconds(1)), 0u);
  LeasedDelivery again = ClaimOne(retry);
  ASSERT_OK_AND_ASSIGN(recorded,
                       store().RecordAttempt({"s1", "e1"}, again.token,
                                             DeliveryAttempt{retry, 200, absl::Milliseconds(3), ""},
                                             Outcome(DeliveryState::kSucceeded, retry, 2)));
  EXPECT_TRUE(recorded);
  ASSERT_OK_AND_ASSIGN(d, store().Get({"s1", "e1"}));
  EXPECT_EQ(d.state, DeliveryState::kSucceeded);
  EXPECT_EQ(d.next_attempt_time, absl::InfinitePast());  // final: nothing scheduled
  EXPECT_EQ(d.attempts.size(), 2u);
  EXPECT_EQ(Due(retry + absl::Hours(48)), 0u);
}

TEST_P(DeliveryStoreTest, KeepsTheNewestTwentyAttemptsAndShortErrors) {
  const absl::Time t0 = NowMicros();
  ASSERT_OK(store().Schedule(Event("e1"), {"s1"}, t0));
  for (int i = 1; i <= 25; ++i) {
    LeasedDelivery lease = ClaimOne(t0);
    DeliveryAttempt attempt{t0 + absl::Seconds(i), 500, absl::Milliseconds(1),
                            i == 25 ? std::string(600, 'x') : "HTTP 500 #" + std::to_string(i)};
    ASSERT_OK(store().RecordAttempt({"s1", "e1"}, lease.token, attempt,
                                    Outcome(DeliveryState::kPending, t0, i)));
  }
  ASSERT_OK_AND_ASSIGN(Delivery d, store().Get({"s1", "e1"}));
  ASSERT_EQ(d.attempts.size(), static_cast<size_t>(kMaxAttemptsKept));
  EXPECT_EQ(d.attempts.front().error, "HTTP 500 #6");
  EXPECT_EQ(d.attempts.back().error, std::string(kMaxAttemptError, 'x'));
  EXPECT_EQ(d.attempt_count, 25);
}

TEST_P(DeliveryStoreTest, HoldParksWhileThePausedAndReleaseMakesDue) {
  // A PAUSED subscription in the same backend.
  Subscription sub;
  sub.id = NewId();
  sub.owner = "partner:acme";
  sub.display_name = "paused";
  sub.create_time = sub.update_time = NowMicros();
  sub.etag = "e1";
  ASSERT_OK(backend_->subscriptions().Create(sub, "whsec_a", "", 100));
  Subscription paused = sub;
  paused.state = SubscriptionState::kPaused;
  paused.etag = "e2";
  ASSERT_OK(backend_->subscriptions().Replace(paused, "e1", ""));

  const absl::Time t0 = NowMicros();
  ASSERT_OK(store().Schedule(Event("e1"), {sub.id}, t0));
  LeasedDelivery lease = ClaimOne(t0);
  ASSERT_OK(store().Hold(lease.key, "not-the-token", t0));  // ignored
  ASSERT_OK(store().Hold(lease.key, lease.token, t0));
  ASSERT_OK_AND_ASSIGN(Delivery held, store().Get(lease.key));
  EXPECT_EQ(held.state, DeliveryState::kPending);
  EXPECT_EQ(held.next_attempt_time, absl::InfinitePast());
  EXPECT_EQ(Due(t0 + absl::Hours(1)), 0u);

  const absl::Time released = t0 + absl::Seconds(5);
  ASSERT_OK(store().ReleaseHeld(sub.id, released));
  ASSERT_OK_AND_ASSIGN(Delivery due, store().Get(lease.key));
  EXPECT_EQ(due.next_attempt_time, released);
  LeasedDelivery again = ClaimOne(released);

  // Not paused (any more): holding makes it due at once.
  ASSERT_OK(backend_->subscriptions().Replace(sub, "e2", ""));
  ASSERT_OK(store().Hold(again.key, again.token, released));
  EXPECT_EQ(ClaimOne(released).key.event_id, "e1");
}

TEST_P(DeliveryStoreTest, ExtendKeepsTheLeaseOnlyForItsHolder) {
  const absl::Time t0 = NowMicros();
  ASSERT_OK(store().Schedule(Event("e1"), {"sub-1"}, t0));
  ASSERT_OK_AND_ASSIGN(std::vector<LeasedDelivery> claimed,
                       store().Claim(t0, absl::Seconds(2), 10));
  ASSERT_EQ(claimed.size(), 1u);
  const LeasedDelivery lease = claimed.front();
  ASSERT_OK_AND_ASSIGN(bool stale, store().Extend(lease.key, "not-the-token", t0 + absl::Hours(1)));
  EXPECT_FALSE(stale);
  ASSERT_OK_AND_ASSIGN(bool renewed,
                       store().Extend(lease.key, lease.token, t0 + absl::Seconds(10)));
  EXPECT_TRUE(renewed);
  // Past the 2 s claimed, within the renewal: nobody else gets it.
  EXPECT_EQ(Due(t0 + absl::Seconds(3)), 0u);
  EXPECT_EQ(Due(t0 + absl::Seconds(9)), 0u);
  LeasedDelivery next = ClaimOne(t0 + absl::Seconds(10));  // the renewed lease ran out
  EXPECT_EQ(next.key.event_id, "e1");
  ASSERT_OK_AND_ASSIGN(bool old, store().Extend(lease.key, lease.token, t0 + absl::Hours(1)));
  EXPECT_FALSE(old);
  // A test delivery's lease is kept without making it due.
  ASSERT_OK_AND_ASSIGN(std::string test_token,
                       store().CreateTest({"sub-1", "test-1"}, "https://partner.example/hook", t0));
  ASSERT_OK_AND_ASSIGN(bool kept, store().Extend({"sub-1", "test-1"}, test_token, t0));
  EXPECT_TRUE(kept);
  EXPECT_EQ(Due(t0 + absl::Seconds(60)), 0u);  // (e1 is still leased by the ClaimOne above)
}

TEST_P(DeliveryStoreTest, PostponeGivesTheLeaseBackUntilLaterWithoutAnAttempt) {
  const absl::Time t0 = NowMicros();
  ASSERT_OK(store().Schedule(Event("e1"), {"sub-1"}, t0));
  LeasedDelivery lease = ClaimOne(t0);
  const absl::Time later = t0 + absl::Milliseconds(700);
  ASSERT_OK_AND_ASSIGN(bool stale, store().Postpone(lease.key, "not-the-token", later));
  EXPECT_FALSE(stale);
  ASSERT_OK_AND_ASSIGN(bool done, store().Postpone(lease.key, lease.token, later));
  EXPECT_TRUE(done);
  ASSERT_OK_AND_ASSIGN(Delivery d, store().Get(lease.key));
  EXPECT_EQ(d.state, DeliveryState::kPending);
  EXPECT_EQ(d.next_attempt_time, later);
  EXPECT_TRUE(d.attempts.empty());
  EXPECT_EQ(d.attempt_count, 0);
  EXPECT_EQ(Due(later - absl::Milliseconds(1)), 0u);  // not due before, lease or not
  LeasedDelivery again = ClaimOne(later);
  EXPECT_EQ(again.key.event_id, "e1");
  // The old token no longer holds the lease.
  ASSERT_OK_AND_ASSIGN(bool old, store().Postpone(lease.key, lease.token, later));
  EXPECT_FALSE(old);
}

TEST_P(DeliveryStoreTest, RemoveForgetsIt) {
  const absl::Time t0 = NowMicros();
  ASSERT_OK(store().Schedule(Event("e1"), {"s1"}, t0));
  ASSERT_OK(store().Remove({"s1", "e1"}));
  EXPECT_THAT(store().Get({"s1", "e1"}), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(Due(t0), 0u);
  ASSERT_OK_AND_ASSIGN(DeliveryPage page, store().List("s1", "", 10, std::nullopt));
  EXPECT_TRUE(page.deliveries.empty());
  ASSERT_OK(store().Remove({"s1", "e1"}));  // again: nothing to do
}

TEST_P(DeliveryStoreTest, RedeliverStartsAFreshSchedule) {
  const absl::Time t0 = NowMicros();
  ASSERT_OK(store().Schedule(Event("e1"), {"s1"}, t0));
  LeasedDelivery lease = ClaimOne(t0);
  ASSERT_OK(store().RecordAttempt(lease.key, lease.token, DeliveryAttempt{t0, 0, {}, "timeout"},
                                  Outcome(DeliveryState::kDeadLettered, std::nullopt, 8)));
  EXPECT_EQ(Due(t0 + absl::Hours(1)), 0u);
  const absl::Time t1 = t0 + absl::Minutes(1);
  ASSERT_OK_AND_ASSIGN(Delivery d, store().Redeliver(lease.key, t1));
  EXPECT_EQ(d.state, DeliveryState::kPending);
  EXPECT_EQ(d.attempt_count, 0);
  EXPECT_EQ(d.next_attempt_time, t1);
  EXPECT_EQ(d.attempts.size(), 1u);  // the log is kept
  EXPECT_EQ(ClaimOne(t1).key.event_id, "e1");
  EXPECT_THAT(store().Redeliver({"s1", "nope"}, t1), StatusIs(absl::StatusCode::kNotFound));
}

TEST_P(DeliveryStoreTest, ATestDeliveryIsLeasedAtCreationAndNeverDue) {
  const absl::Time t0 = NowMicros();
  const DeliveryKey key{"s1", "test_" + NewId()};
  ASSERT_OK_AND_ASSIGN(std::string token, store().CreateTest(key, "https://h.example.org/", t0));
  ASSERT_OK_AND_ASSIGN(Delivery d, store().Get(key));
  EXPECT_TRUE(d.test);
  EXPECT_EQ(d.state, DeliveryState::kPending);
  EXPECT_EQ(d.webhook_url, "https://h.example.org/");
  EXPECT_EQ(d.next_attempt_time, absl::InfinitePast());
  EXPECT_EQ(d.create_time, t0);
  EXPECT_EQ(Due(t0 + absl::Hours(1)), 0u);
  ASSERT_OK_AND_ASSIGN(bool recorded,
                       store().RecordAttempt(key, token, DeliveryAttempt{t0, 503, {}, "HTTP 503"},
                                             Outcome(DeliveryState::kFailed)));
  EXPECT_TRUE(recorded);
  ASSERT_OK_AND_ASSIGN(d, store().Get(key));
  EXPECT_EQ(d.state, DeliveryState::kFailed);
  ASSERT_OK_AND_ASSIGN(DeliveryPage page, store().List("s1", "", 10, std::nullopt));
  ASSERT_EQ(page.deliveries.size(), 1u);
  EXPECT_EQ(page.deliveries[0].event_id, key.event_id);
}

TEST_P(DeliveryStoreTest, ListsNewestFirstInPagesWithAStateFilter) {
  const absl::Time t0 = NowMicros();
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK(store().Schedule(Event("e" + std::to_string(i)), {"s1"}, t0 + absl::Seconds(i)));
  }
  ASSERT_OK(store().Schedule(Event("other"), {"s2"}, t0));
  std::vector<std::string> seen;
  std::string after;
  int pages = 0;
  do {
    ASSERT_OK_AND_ASSIGN(DeliveryPage page, store().List("s1", after, 2, std::nullopt));
    ASSERT_LE(page.deliveries.size(), 2u);
    for (const Delivery& d : page.deliveries) seen.push_back(d.event_id);
    after = page.next;
    ASSERT_LT(++pages, 10);
  } while (!after.empty());
  EXPECT_EQ(seen, (std::vector<std::string>{"e4", "e3", "e2", "e1", "e0"}));

  // e1 succeeds; the filter finds only it.
  std::vector<LeasedDelivery> all;
  ASSERT_OK_AND_ASSIGN(all, store().Claim(t0 + absl::Minutes(1), absl::Minutes(1), 10));
  for (const LeasedDelivery& l : all) {
    if (l.key.event_id != "e1") continue;
    ASSERT_OK(store().RecordAttempt(l.key, l.token, DeliveryAttempt{t0, 200, {}, ""},
                                    Outcome(DeliveryState::kSucceeded)));
  }
  ASSERT_OK_AND_ASSIGN(DeliveryPage ok, store().List("s1", "", 10, DeliveryState::kSucceeded));
  ASSERT_EQ(ok.deliveries.size(), 1u);
  EXPECT_EQ(ok.deliveries[0].event_id, "e1");
  EXPECT_TRUE(ok.next.empty());
  ASSERT_OK_AND_ASSIGN(DeliveryPage none, store().List("s9", "", 10, std::nullopt));
  EXPECT_TRUE(none.deliveries.empty());
  EXPECT_THAT(store().List("s1", "junk", 2, std::nullopt),
              StatusIs(absl::StatusCode::kInvalidArgument, "page_token"));
}

TEST_P(DeliveryStoreTest, FinalDeliveriesAreForgottenAfterTheRetention) {
  Boot(absl::Seconds(1));
  const absl::Time t0 = NowMicros();
  ASSERT_OK(store().Schedule(Event("done"), {"s1"}, t0));
  ASSERT_OK(store().Schedule(Event("pending"), {"s1"}, t0));
  ASSERT_OK_AND_ASSIGN(std::vector<LeasedDelivery> leases, store().Claim(t0, absl::Minutes(1), 10));
  for (const LeasedDelivery& l : leases) {
    bool done = l.key.event_id == "done";
    ASSERT_OK(store().RecordAttempt(
        l.key, l.token, DeliveryAttempt{t0, done ? 200 : 500, {}, ""},
        Outcome(done ? DeliveryState::kSucceeded : DeliveryState::kPending, t0 + absl::Hours(1))));
  }
  EXPECT_TRUE(bulletin::testing::WaitUntil(
      [&] {
        return absl::IsNotFound(store().Get({"s1", "done"}).status());
      },
      absl::Seconds(5)));
  EXPECT_OK(store().Get({"s1", "pending"}));
}

TEST_P(DeliveryStoreTest, UnreachableIsUnavailable) {
  const absl::Time t0 = NowMicros();
  ASSERT_OK(store().Schedule(Event("e1"), {"s1"}, t0));
  backend_->GoDown();
  EXPECT_THAT(store().Schedule(Event("e2"), {"s1"}, t0), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(store().Claim(t0, absl::Minutes(1), 10), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(store().Get({"s1", "e1"}), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(store().List("s1", "", 10, std::nullopt), StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace bulletin::notify::testing
