// How the Redis stores spell the core's enums in hashes and Lua scripts: the persisted
// numbers, which are also those of bulletin.notify.v1 (so data written by earlier versions
// reads the same). This header and the scripts that compare them are the only places that
// know the numbers. Pure functions, thread-safe.
#pragma once

#include "services/notifications/core/deliveries/delivery.h"
#include "services/notifications/core/subscriptions/subscription.h"

namespace bulletin::notify::codes {

// Subscription states: "1" active, "2" paused (the hold script compares it), "3" disabled.
inline int Of(SubscriptionState state) {
  switch (state) {
    case SubscriptionState::kActive:
      return 1;
    case SubscriptionState::kPaused:
      return 2;
    case SubscriptionState::kDisabled:
      return 3;
  }
  return 1;
}

// Unknown numbers read as ACTIVE, as they always have.
inline SubscriptionState SubscriptionStateOf(int code) {
  switch (code) {
    case 2:
      return SubscriptionState::kPaused;
    case 3:
      return SubscriptionState::kDisabled;
    default:
      return SubscriptionState::kActive;
  }
}

// Delivery states: "1" pending (the record script compares it), "2" succeeded, "3" dead-
// lettered, "4" failed.
inline int Of(DeliveryState state) {
  switch (state) {
    case DeliveryState::kPending:
      return 1;
    case DeliveryState::kSucceeded:
      return 2;
    case DeliveryState::kDeadLettered:
      return 3;
    case DeliveryState::kFailed:
      return 4;
  }
  return 1;
}

inline DeliveryState DeliveryStateOf(int code) {
  switch (code) {
    case 2:
      return DeliveryState::kSucceeded;
    case 3:
      return DeliveryState::kDeadLettered;
    case 4:
      return DeliveryState::kFailed;
    default:
      return DeliveryState::kPending;
  }
}

}  // namespace bulletin::notify::codes
