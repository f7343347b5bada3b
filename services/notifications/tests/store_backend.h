// The behavioural store suites (tests in subscription_store_test.cc, delivery_store_test.cc,
// event_log_test.cc; fixtures here) and what they run against: one backend's
// SubscriptionStore, DeliveryStore and EventLog over the same data, plus the few things a
// test does to the stream or the backend directly. memory_backend.cc (label unit) and
// redis_backend.cc (label redis) instantiate the suites; each test gets a fresh backend.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "bulletin/events/v1/events.pb.h"
#include "common/base/ids.h"
#include "common/testing/status_matchers.h"
#include "services/notifications/core/deliveries/delivery_store.h"
#include "services/notifications/core/streams/event_log.h"
#include "services/notifications/core/subscriptions/subscription_store.h"

namespace bulletin::notify::testing {

class StoreBackend {
 public:
  virtual ~StoreBackend() = default;

  virtual SubscriptionStore& subscriptions() = 0;
  virtual DeliveryStore& deliveries() = 0;
  virtual EventLog& log() = 0;

  // Adds an entry to the event stream as content's relay writes it; returns its id.
  virtual StreamId Append(const events::v1::ArticleEvent& event) = 0;
  // Adds an entry without a decodable event.
  virtual StreamId AppendUndecodable() = 0;
  // Keeps the newest `max_len` entries (XTRIM MAXLEN).
  virtual void Trim(size_t max_len) = 0;
  // Deletes one entry (XDEL).
  virtual void Delete(const StreamId& id) = 0;
  // From now on the backend is unreachable: every call answers UNAVAILABLE.
  virtual void GoDown() = 0;
};

struct BackendParam {
  std::string name;
  // A fresh backend whose final deliveries are forgotten after `retention`.
  std::function<std::unique_ptr<StoreBackend>(absl::Duration retention)> make;

  friend std::ostream& operator<<(std::ostream& out, const BackendParam& p) {
    return out << p.name;
  }
};

inline std::string BackendName(const ::testing::TestParamInfo<BackendParam>& info) {
  return info.param.name;
}

// A time the Redis stores keep exactly (they store microseconds).
inline absl::Time Micros(absl::Time t) { return absl::FromUnixMicros(absl::ToUnixMicros(t)); }
inline absl::Time NowMicros() { return Micros(absl::Now()); }

// The fixtures of the three suites (their tests are in the *_test.cc files of the same
// names); declared here so that each backend's file can instantiate them.

class SubscriptionStoreTest : public ::testing::TestWithParam<BackendParam> {
 protected:
  void SetUp() override {
    backend_ = GetParam().make(absl::Hours(24));
    ASSERT_NE(backend_, nullptr);
  }

  SubscriptionStore& store() { return backend_->subscriptions(); }

  // A subscription as the core hands it to Create.
  Subscription Sample(const std::string& owner = "partner:acme", absl::Time created = NowMicros()) {
    Subscription s;
    s.id = NewId();
    s.owner = owner;
    s.display_name = "feed " + s.id.substr(0, 8);
    s.filter.event_types = {events::v1::ARTICLE_EVENT_TYPE_PUBLISHED,
                            events::v1::ARTICLE_EVENT_TYPE_DELETED};
    s.filter.category_ids = {"news", "sports"};
    s.filter.include_subcategories = true;
    s.filter.locales = {"en", "zh-CN"};
    s.webhook_url = "https://hooks.example.org/h?x=1";
    s.state = SubscriptionState::kActive;
    s.create_time = s.update_time = created;
    s.etag = RandomHex(8);
    return s;
  }

  CreatedSubscription MustCreate(const Subscription& s, const std::string& secret = "whsec_a",
                                 const std::string& request_id = "", int max = 100) {
    absl::StatusOr<CreatedSubscription> c = store().Create(s, secret, request_id, max);
    EXPECT_OK(c);
    return c.ok() ? *c : CreatedSubscription{};
  }

  std::unique_ptr<StoreBackend> backend_;
};

class DeliveryStoreTest : public ::testing::TestWithParam<BackendParam> {
 protected:
  void SetUp() override { Boot(absl::Hours(24)); }

  void Boot(absl::Duration retention) {
    backend_ = GetParam().make(retention);
    ASSERT_NE(backend_, nullptr);
  }

  DeliveryStore& store() { return backend_->deliveries(); }

  static ScheduledEvent Event(const std::string& id) {
    return ScheduledEvent{id, events::v1::ARTICLE_EVENT_TYPE_UPDATED, "article-" + id,
                          "payload of " + id};
  }

  // Claims everything due at `now`; exactly one lease is expected.
  LeasedDelivery ClaimOne(absl::Time now) {
    absl::StatusOr<std::vector<LeasedDelivery>> claimed = store().Claim(now, absl::Minutes(1), 10);
    EXPECT_OK(claimed);
    EXPECT_EQ(claimed.ok() ? claimed->size() : 0u, 1u);
    return claimed.ok() && !claimed->empty() ? claimed->front() : LeasedDelivery{};
  }

  size_t Due(absl::Time now) {
    absl::StatusOr<std::vector<LeasedDelivery>> claimed = store().Claim(now, absl::Minutes(1), 100);
    EXPECT_OK(claimed);
    return claimed.ok() ? claimed->size() : 0;
  }

  static AttemptOutcome Outcome(DeliveryState state, std::optional<absl::Time> next = std::nullopt,
                                int count = 1) {
    return AttemptOutcome{state, next, "https://hooks.example.org/h", count};
  }

  std::unique_ptr<StoreBackend> backend_;
};

class EventLogTest : public ::testing::TestWithParam<BackendParam> {
 protected:
  void SetUp() override {
    backend_ = GetParam().make(absl::Hours(24));
    ASSERT_NE(backend_, nullptr);
  }

  EventLog& log() { return backend_->log(); }

  std::unique_ptr<StoreBackend> backend_;
};

}  // namespace bulletin::notify::testing
