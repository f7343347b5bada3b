// Fault injection for the error paths (leveldb's ErrorEnv): wrappers of SubscriptionStore,
// DeliveryStore and EventLog that pass every call to the wrapped implementation unless a
// FaultInjector says it fails, and then answer UNAVAILABLE (what a real backend says when
// it cannot be reached) without calling it. A call is named by its method ("Create",
// "Claim", "Bounds", ...). Thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "services/notifications/core/deliveries/delivery_store.h"
#include "services/notifications/core/streams/event_log.h"
#include "services/notifications/core/subscriptions/subscription_store.h"

namespace bulletin::notify {

class FaultInjector {
 public:
  // While on, every call fails (the backend is down).
  void FailAll(bool fail) ABSL_LOCKS_EXCLUDED(mu_);
  // The next `times` calls of `method` fail.
  void FailNext(absl::string_view method, int times = 1) ABSL_LOCKS_EXCLUDED(mu_);
  // Counts the call; UNAVAILABLE "injected fault: METHOD" when it is to fail.
  absl::Status Check(absl::string_view method) ABSL_LOCKS_EXCLUDED(mu_);
  // How many calls of `method` were made (failed ones included).
  int calls(absl::string_view method) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  absl::Mutex mu_;
  bool fail_all_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, int, std::less<>> fail_next_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int, std::less<>> calls_ ABSL_GUARDED_BY(mu_);
};

class FaultySubscriptionStore : public SubscriptionStore {
 public:
  // `base` and `faults` must outlive the wrapper.
  FaultySubscriptionStore(SubscriptionStore& base, FaultInjector& faults)
      : base_(base), faults_(faults) {}

  absl::StatusOr<CreatedSubscription> Create(const Subscription& sub, const std::string& secret,
                                             const std::string& request_id,
                                             int max_per_owner) override;
  absl::StatusOr<Subscription> Get(const std::string& id) override;
  absl::StatusOr<SubscriptionPage> List(const std::string& owner, const std::string& after,
                                        int limit) override;
  absl::Status Delete(const std::string& id, const std::string& etag) override;
  absl::Status Replace(const Subscription& sub, const std::string& expected_etag,
                       const std::string& new_secret) override;
  absl::StatusOr<SigningSecrets> GetSecrets(const std::string& id) override;
  absl::StatusOr<absl::Time> RecordEndpointFailure(const std::string& id, absl::Time now) override;
  absl::Status RecordEndpointSuccess(const std::string& id) override;
  absl::StatusOr<StreamId> GetCursor(const std::string& id) override;
  absl::Status AdvanceCursor(const std::string& id, const StreamId& pos) override;
  absl::StatusOr<std::optional<uint64_t>> ChangeCount() override;

 private:
  SubscriptionStore& base_;
  FaultInjector& faults_;
};

class FaultyDeliveryStore : public DeliveryStore {
 public:
  // `base` and `faults` must outlive the wrapper.
  FaultyDeliveryStore(DeliveryStore& base, FaultInjector& faults) : base_(base), faults_(faults) {}

  absl::StatusOr<int> Schedule(const ScheduledEvent& event,
                               const std::vector<std::string>& subscription_ids,
                               absl::Time now) override;
  absl::StatusOr<std::vector<LeasedDelivery>> Claim(absl::Time now, absl::Duration lease,
                                                    int max) override;
  absl::StatusOr<Delivery> Get(const DeliveryKey& key) override;
  absl::StatusOr<bool> RecordAttempt(const DeliveryKey& key, const std::string& token,
                                     const DeliveryAttempt& attempt,
                                     const AttemptOutcome& outcome) override;
  absl::Status Hold(const DeliveryKey& key, const std::string& token, absl::Time now) override;
  absl::StatusOr<bool> Extend(const DeliveryKey& key, const std::string& token,
                              absl::Time until) override;
  absl::StatusOr<bool> Postpone(const DeliveryKey& key, const std::string& token,
                                absl::Time until) override;
  absl::Status ReleaseHeld(const std::string& subscription_id, absl::Time now) override;
  absl::Status Remove(const DeliveryKey& key) override;
  absl::StatusOr<Delivery> Redeliver(const DeliveryKey& key, absl::Time now) override;
  absl::StatusOr<std::string> CreateTest(const DeliveryKey& key, const std::string& webhook_url,
                                         absl::Time now) override;
  absl::StatusOr<DeliveryPage> List(const std::string& subscription_id, const std::string& after,
                                    int limit, std::optional<DeliveryState> state) override;

 private:
  DeliveryStore& base_;
  FaultInjector& faults_;
};

class FaultyEventLog : public EventLog {
 public:
  // `base` and `faults` must outlive the wrapper.
  FaultyEventLog(EventLog& base, FaultInjector& faults) : base_(base), faults_(faults) {}

  absl::StatusOr<std::vector<StreamEntry>> ReadAfter(const StreamId& after, int count) override;
  absl::StatusOr<std::vector<StreamEntry>> WaitAfter(const StreamId& after, int count,
                                                     absl::Duration block) override;
  absl::StatusOr<StreamBounds> Bounds() override;
  absl::StatusOr<bool> Contains(const StreamId& id) override;

 private:
  EventLog& base_;
  FaultInjector& faults_;
};

}  // namespace bulletin::notify
