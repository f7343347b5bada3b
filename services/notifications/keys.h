// Redis key names of the notifications service: subscriptions and their indexes.
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
inline std::string OwnerIndex(const std::string& owner) {
  return "{bulletin}:subs:owner:" + owner;
}

// The same index over every subscription, for admins.
inline constexpr char kAllIndex[] = "{bulletin}:subs:all";

// String holding the subscription id created by an owner's request_id (expires in 24 h).
inline std::string CreateRequest(const std::string& owner, const std::string& request_id) {
  return "{bulletin}:subreq:" + owner + ":" + request_id;
}

}  // namespace bulletin::notify::keys
