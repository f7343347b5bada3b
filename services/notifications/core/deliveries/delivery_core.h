// The rules of webhook deliveries as partners see them: listing a subscription's
// deliveries, sending one again, and sending a test ping.
//
// Plain C++ over the DeliveryStore; access goes through SubscriptionCore::Get, so a
// partner sees only its own subscriptions' deliveries (another's is NOT_FOUND).
// Thread-safe.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/base/token_bucket.h"
#include "services/notifications/core/deliveries/delivery_store.h"
#include "services/notifications/core/deliveries/delivery_worker.h"
#include "services/notifications/core/subscriptions/subscription_core.h"

namespace bulletin::notify {

struct DeliveryCoreOptions {
  // --redeliver-rate / --redeliver-burst: SendTestEvent and RedeliverEvent calls per second
  // per partner (QuotaKey), and how many may come at once; rate 0: unlimited.
  double send_rate_per_second = 2;
  double send_burst = 20;
};

struct ListDeliveriesResult {
  std::vector<Delivery> deliveries;
  std::string next_page_token;
};

class DeliveryCore {
 public:
  // The collaborators must outlive the core.
  DeliveryCore(SubscriptionCore& subscriptions, DeliveryStore& store, DeliveryWorker& worker,
               DeliveryCoreOptions options = {})
      : subscriptions_(subscriptions),
        store_(store),
        worker_(worker),
        sends_(options.send_rate_per_second, options.send_burst) {}

  // ListDeliveries: newest first; page_size 0 = 50, clamped to 200; `state` and
  // `event_id` filter. INVALID_ARGUMENT (subscription_id, event_id, page_size < 0,
  // page_token), NOT_FOUND (subscription), UNAUTHENTICATED, PERMISSION_DENIED,
  // UNAVAILABLE.
  absl::StatusOr<ListDeliveriesResult> List(const Caller& caller,
                                            const std::string& subscription_id, int page_size,
                                            const std::string& page_token,
                                            std::optional<DeliveryState> state,
                                            const std::string& event_id);

  // RedeliverEvent: the delivery returns to PENDING, due now, with a fresh schedule.
  // NOT_FOUND (subscription, or no delivery of the event to it), FAILED_PRECONDITION (no
  // webhook_url, PAUSED or DISABLED, a test event), RESOURCE_EXHAUSTED with a retry delay
  // (ResourceExhausted of common/base/retry_delay.h) when the caller is over the send rate
  // it shares with SendTest, plus the usual.
  absl::StatusOr<Delivery> Redeliver(const Caller& caller, const std::string& subscription_id,
                                     const std::string& event_id);

  // SendTestEvent: one attempt of an org.bulletin.ping event (id "test_<uuid>"), waited
  // for. FAILED_PRECONDITION (no webhook_url), RESOURCE_EXHAUSTED with a retry delay (the
  // send rate, as Redeliver), plus the usual. A failing receiver is not
  // an error: the delivery is FAILED and its attempt says why.
  absl::StatusOr<Delivery> SendTest(const Caller& caller, const std::string& subscription_id);

 private:
  // UNAUTHENTICATED/PERMISSION_DENIED, or RESOURCE_EXHAUSTED with the wait when the
  // caller's send bucket is empty; otherwise takes a token.
  absl::Status TakeSendToken(const Caller& caller, absl::string_view method);

  SubscriptionCore& subscriptions_;
  DeliveryStore& store_;
  DeliveryWorker& worker_;
  TokenBucketSet sends_;  // per QuotaKey
};

}  // namespace bulletin::notify
