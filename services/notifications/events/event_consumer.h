// This replica's share of the event stream for webhooks: the shared consumer-group reader
// (common/redis/stream_reader.h) on `{bulletin}:events`, whose handler durably schedules
// a delivery of each entry to every ACTIVE or PAUSED subscription with a webhook_url whose
// filter matches (and that existed before the entry). The batch is acknowledged only after
// that, and scheduling is idempotent, so re-reading an entry never schedules it twice.
// Thread-safe.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/redis/redis_client.h"
#include "common/redis/stream_reader.h"
#include "services/notifications/core/deliveries/delivery_store.h"
#include "services/notifications/core/subscriptions/subscription_store.h"

namespace bulletin::notify {

struct ConsumerOptions {
  std::string group = "notifications";            // --consumer-group
  std::string consumer;                           // --replica-id
  absl::Duration claim_idle = absl::Seconds(30);  // --claim-idle
  int batch = 100;
  absl::Duration block = absl::Seconds(1);
};

class EventConsumer {
 public:
  // `on_scheduled` (optional) is called after new deliveries were scheduled.
  EventConsumer(RedisClient* redis, SubscriptionStore* subscriptions, DeliveryStore* deliveries,
                ConsumerOptions options, std::function<void()> on_scheduled = nullptr);

  void Start();
  // Stops and joins (within about one block interval).
  void Stop();

 private:
  // Schedules the deliveries of `entries`.
  absl::Status Handle(const std::vector<StreamEntry>& entries);

  const std::string group_;
  SubscriptionStore* const subscriptions_;
  DeliveryStore* const deliveries_;
  std::function<void()> on_scheduled_;
  ConsumerGroupReader reader_;
};

}  // namespace bulletin::notify
