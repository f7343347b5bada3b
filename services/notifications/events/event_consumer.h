// This replica's share of the event stream for webhooks: a consumer group on
// `{bulletin}:events` (XREADGROUP). For each entry it durably schedules a delivery to
// every ACTIVE or PAUSED subscription with a webhook_url whose filter matches (and that
// existed before the entry), and only then acknowledges it (XACK).
//
// Recovery: on start (and after losing the group) it first re-reads its own pending
// entries (id 0); every claim_idle/2 it takes over entries pending longer than
// claim_idle on a consumer that is gone (XAUTOCLAIM); if the group or the stream
// vanished (NOGROUP: Redis restarted empty) it recreates them (XGROUP CREATE ... 0
// MKSTREAM) and carries on. Scheduling is idempotent, so re-reading an entry never
// schedules it twice. Thread-safe.
#pragma once

#include <functional>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "common/redis/redis_client.h"
#include "services/notifications/core/deliveries/delivery_store.h"
#include "services/notifications/core/streams/event_log.h"
#include "services/notifications/core/subscriptions/subscription_store.h"

namespace bulletin::notify {

struct ConsumerOptions {
  std::string group = "notifications";              // --consumer-group
  std::string consumer;                             // --replica-id
  absl::Duration claim_idle = absl::Seconds(30);    // --claim-idle
  int batch = 100;
  absl::Duration block = absl::Seconds(1);
};

class EventConsumer {
 public:
  // `on_scheduled` (optional) is called after new deliveries were scheduled.
  EventConsumer(RedisClient* redis, SubscriptionStore* subscriptions, DeliveryStore* deliveries,
                ConsumerOptions options, std::function<void()> on_scheduled = nullptr);
  ~EventConsumer();

  void Start();
  // Stops and joins (within about one block interval).
  void Stop();

 private:
  void Run();
  bool Stopping();
  absl::Status EnsureGroup();
  // Reads with XREADGROUP from `id` ("0": own pending, ">": new); returns how many.
  absl::StatusOr<size_t> ReadGroup(const std::string& id);
  absl::Status AutoClaim();
  // Schedules and acknowledges `entries`.
  absl::Status Handle(const std::vector<StreamEntry>& entries);

  RedisClient* const redis_;
  SubscriptionStore* const subscriptions_;
  DeliveryStore* const deliveries_;
  const ConsumerOptions options_;
  std::function<void()> on_scheduled_;
  std::thread thread_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace bulletin::notify
