// SubscriptionStore on Redis: one hash per subscription plus sorted-set indexes, all under
// the `{bulletin}` hash tag (keys.h) so the multi-key scripts stay in one slot; each write
// is one Lua script, so it is atomic. Thread-safe (RedisClient is).
#pragma once

#include "common/redis/redis_client.h"
#include "services/notifications/core/subscriptions/subscription_store.h"

namespace bulletin::notify {

// Hash fields: id, owner, display_name, event_types (comma-separated numbers),
// category_ids (comma-separated), include_subcategories ("0"/"1"), locales
// (comma-separated), webhook_url, state (codes.h), state_reason, create_us and update_us
// (Unix microseconds), etag, secret, prev_secret, prev_expire_us, cursor (stream entry id),
// start (the stream's last entry at creation), failing_since_us.
class RedisSubscriptionStore : public SubscriptionStore {
 public:
  // `redis` must outlive the store.
  explicit RedisSubscriptionStore(RedisClient& redis) : redis_(redis) {}

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

 private:
  RedisClient& redis_;
};

}  // namespace bulletin::notify
