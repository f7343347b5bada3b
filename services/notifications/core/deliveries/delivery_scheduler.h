// Which webhook deliveries an event stream entry makes: one per ACTIVE or PAUSED
// subscription with a webhook_url whose filter matches the event and that existed before
// the entry (its `start`), scheduled durably in the DeliveryStore. The subscriptions are
// as they are when a batch is handled, so a filter change applies to later events: the
// webhook targets are listed again when the store's ChangeCount moved (or it has none),
// and at least every 5 s (a counter lost with Redis' data, or a replica that does not
// move it), not on every batch: listing every subscription per event made each publish
// cost O(subscriptions) Redis reads. Scheduling is idempotent (a delivery is keyed by
// subscription and event id), so handling an entry twice schedules it once. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/proto/stream_entry.h"
#include "services/notifications/core/deliveries/delivery_store.h"
#include "services/notifications/core/subscriptions/subscription_store.h"

namespace bulletin::notify {

class DeliveryScheduler {
 public:
  // Both stores must outlive the scheduler.
  DeliveryScheduler(SubscriptionStore& subscriptions, DeliveryStore& deliveries)
      : subscriptions_(subscriptions), deliveries_(deliveries) {}

  // Schedules the deliveries of `batch` (entries without an event are skipped) and returns
  // how many new ones were created. An error (UNAVAILABLE) leaves the batch to be handled
  // again; what was scheduled before it stays scheduled.
  absl::StatusOr<int> Schedule(const std::vector<StreamEntry>& batch);

 private:
  using Targets = std::shared_ptr<const std::vector<Subscription>>;
  // The subscriptions with a webhook that is not DISABLED, as of now (see above).
  absl::StatusOr<Targets> CurrentTargets() ABSL_LOCKS_EXCLUDED(mu_);

  SubscriptionStore& subscriptions_;
  DeliveryStore& deliveries_;

  absl::Mutex mu_;
  Targets targets_ ABSL_GUARDED_BY(mu_);  // null: not listed yet
  std::optional<uint64_t> listed_at_count_ ABSL_GUARDED_BY(mu_);
  absl::Time listed_at_ ABSL_GUARDED_BY(mu_);
};

}  // namespace bulletin::notify
