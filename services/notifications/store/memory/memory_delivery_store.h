// DeliveryStore in memory: a working fake with the Redis store's behaviour (scheduling
// once per subscription and event, leases, the attempt log of the newest 20, holding while
// a subscription is PAUSED, final deliveries forgotten after `retention`, page tokens), for
// unit tests; the same behavioural suite runs against both. Nothing persists. Thread-safe:
// every call is atomic under one mutex (Hold reads the SubscriptionStore under it, after
// it in lock order).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/notifications/core/deliveries/delivery_store.h"
#include "services/notifications/core/subscriptions/subscription_store.h"

namespace bulletin::notify {

class MemoryDeliveryStore : public DeliveryStore {
 public:
  // `subscriptions` (whose state Hold reads) must outlive the store.
  explicit MemoryDeliveryStore(SubscriptionStore& subscriptions,
                               absl::Duration retention = absl::Hours(24 * 30))
      : subscriptions_(subscriptions), retention_(retention) {}

  absl::StatusOr<int> Schedule(const ScheduledEvent& event,
                               const std::vector<std::string>& subscription_ids,
                               absl::Time now) override ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::vector<LeasedDelivery>> Claim(absl::Time now, absl::Duration lease,
                                                    int max) override ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<Delivery> Get(const DeliveryKey& key) override ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<bool> RecordAttempt(const DeliveryKey& key, const std::string& token,
                                     const DeliveryAttempt& attempt,
                                     const AttemptOutcome& outcome) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status Hold(const DeliveryKey& key, const std::string& token, absl::Time now) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<bool> Extend(const DeliveryKey& key, const std::string& token,
                              absl::Time until) override;
  absl::StatusOr<bool> Postpone(const DeliveryKey& key, const std::string& token,
                                absl::Time until) override ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status ReleaseHeld(const std::string& subscription_id, absl::Time now) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status Remove(const DeliveryKey& key) override ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<Delivery> Redeliver(const DeliveryKey& key, absl::Time now) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::string> CreateTest(const DeliveryKey& key, const std::string& webhook_url,
                                         absl::Time now) override ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<DeliveryPage> List(const std::string& subscription_id, const std::string& after,
                                    int limit, std::optional<DeliveryState> state) override
      ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Stored {
    Delivery delivery;
    std::string member;  // in the subscription's index
    std::string lease;   // token of the current lease; empty when none
    std::optional<absl::Time> expires;
  };

  // The live delivery of `ref`, or null (absent, or expired and then forgotten).
  Stored* Find(const std::string& ref) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  SubscriptionStore& subscriptions_;
  const absl::Duration retention_;
  absl::Mutex mu_;
  std::map<std::string, Stored> deliveries_ ABSL_GUARDED_BY(mu_);  // by DeliveryKey::ToString
  // Index members ("<16-digit create us>:<event id>") per subscription; outlive expiry.
  std::map<std::string, std::set<std::string>> index_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, absl::Time> due_ ABSL_GUARDED_BY(mu_);  // ref -> due (or lease end)
  std::map<std::string, std::set<std::string>> held_ ABSL_GUARDED_BY(mu_);  // per subscription
};

}  // namespace bulletin::notify
