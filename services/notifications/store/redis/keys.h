// Redis key names of the notifications service: subscriptions, webhook deliveries and
// their indexes.
//
// Every key carries the `{bulletin}` hash tag, the same as the event stream, so that a
// Lua script may read the stream and write a subscription atomically (one Redis Cluster
// slot). This header is the only place that spells these names.
#pragma once

#include <string>

namespace bulletin::notify::keys {

// Hash holding one subscription (fields: see redis_subscription_store.cc).
inline std::string Subscription(const std::string& id) { return "{bulletin}:sub:" + id; }

// Sorted set (all scores 0, members = subscription ids, lexicographic = creation order
// because ids are UUIDv7) of one owner's subscriptions.
inline std::string OwnerIndex(const std::string& owner) { return "{bulletin}:subs:owner:" + owner; }

// The subscription id in an index member ("<16-digit create us>:<id>").
inline std::string IdOfIndexMember(const std::string& member) {
  return member.substr(member.find(':') + 1);
}

// The same index over every subscription, for admins.
inline constexpr char kAllIndex[] = "{bulletin}:subs:all";

// Counter moved by every create, replace and delete of a subscription
// (SubscriptionStore::ChangeCount).
inline constexpr char kChanges[] = "{bulletin}:subs:changes";

// String holding the subscription id created by an owner's request_id (expires in 24 h).
inline std::string CreateRequest(const std::string& owner, const std::string& request_id) {
  return "{bulletin}:subreq:" + owner + ":" + request_id;
}

// Hash of one delivery; `ref` is DeliveryKey::ToString() ("<subscription>:<event id>").
inline std::string Delivery(const std::string& ref) { return "{bulletin}:dlv:" + ref; }

// List of a delivery's attempts (oldest first, at most the newest 20).
inline std::string DeliveryAttempts(const std::string& ref) { return "{bulletin}:dlva:" + ref; }

// Sorted set (scores 0, members "<16-digit create us>:<event id>") of a subscription's
// deliveries.
inline std::string DeliveryIndex(const std::string& subscription_id) {
  return "{bulletin}:dlvs:" + subscription_id;
}

// Set of the delivery refs held while a subscription is paused.
inline std::string HeldDeliveries(const std::string& subscription_id) {
  return "{bulletin}:dlv-held:" + subscription_id;
}

// Sorted set of due delivery refs, scored by due time (Unix microseconds); a leased one
// is scored at its lease's end.
inline constexpr char kDueDeliveries[] = "{bulletin}:dlv-due";

}  // namespace bulletin::notify::keys
