// Which webhook deliveries an event stream entry makes: one per ACTIVE or PAUSED
// subscription with a webhook_url whose filter matches the event and that existed before
// the entry (its `start`), scheduled durably in the DeliveryStore. The subscriptions are
// read as they are when a batch is handled, so a filter change applies to later events.
// Scheduling is idempotent (a delivery is keyed by subscription and event id), so handling
// an entry twice schedules it once. Thread-safe.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
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
  SubscriptionStore& subscriptions_;
  DeliveryStore& deliveries_;
};

}  // namespace bulletin::notify
