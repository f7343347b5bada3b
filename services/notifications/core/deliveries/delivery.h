// The domain of webhook deliveries: one event sent to one subscription's webhook, with
// the log of its HTTP attempts.
//
// A delivery is identified by (subscription id, event id): scheduling the same event
// twice for a subscription yields one delivery. Plain values, copied freely.
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/notifications/core/subscriptions/subscription.h"

namespace bulletin::notify {

// Where a delivery stands (the adapter maps it to bulletin.notify.v1.DeliveryState).
enum class DeliveryState { kPending, kSucceeded, kDeadLettered, kFailed };

inline constexpr int kMaxAttemptsKept = 20;  // the contract keeps the 20 most recent
inline constexpr int kMaxAttemptError = 500;

struct DeliveryAttempt {
  absl::Time time;         // when the request was sent
  int http_status = 0;     // 0: no response
  absl::Duration latency;  // sending to full response (or failure)
  std::string error;       // empty on success
};

struct Delivery {
  std::string id;  // opaque, for the partner's logs
  std::string subscription_id;
  std::string event_id;
  EventType event_type = events::v1::ARTICLE_EVENT_TYPE_UNSPECIFIED;
  std::string article_id;
  DeliveryState state = DeliveryState::kPending;
  std::string webhook_url;                // where the last attempt went
  std::vector<DeliveryAttempt> attempts;  // oldest first
  // When the next attempt is due; InfinitePast when none is scheduled (final, or held
  // while the subscription is paused).
  absl::Time next_attempt_time = absl::InfinitePast();
  absl::Time create_time;
  bool test = false;
  int attempt_count = 0;  // attempts made in the current retry schedule
  std::string payload;    // the serialized ArticleEvent (empty for test events)
};

// Which delivery: "<subscription id>:<event id>" names it in the stores (subscription ids
// contain no ':').
struct DeliveryKey {
  std::string subscription_id;
  std::string event_id;

  std::string ToString() const { return subscription_id + ":" + event_id; }
};

}  // namespace bulletin::notify
