// DeliveryStore on Redis, every key under the `{bulletin}` hash tag (keys.h), each verb one
// Lua script so that it is atomic. Final deliveries expire after `retention`. Thread-safe
// (RedisClient is).
#pragma once

#include "common/redis/redis_client.h"
#include "services/notifications/core/deliveries/delivery_store.h"

namespace bulletin::notify {

// Delivery hash fields: id, sub, event_id, type (event type number), article_id, payload,
// state (codes.h), url, count (attempts in the current schedule), create_us, next_us
// (empty: none), test ("0"/"1"), member (its index member), lease (token of the current
// lease, empty when none). Attempts: a list of "<time us>|<status>|<latency us>|<error>".
class RedisDeliveryStore : public DeliveryStore {
 public:
  // `redis` must outlive the store.
  explicit RedisDeliveryStore(RedisClient& redis, absl::Duration retention = absl::Hours(24 * 30))
      : redis_(redis), retention_(retention) {}

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
  RedisClient& redis_;
  const absl::Duration retention_;
};

}  // namespace bulletin::notify
