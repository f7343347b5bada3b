// This replica's share of the event stream for webhooks: the shared consumer-group reader
// (common/redis/stream_reader.h) on `{bulletin}:events` with the DeliveryScheduler as its
// handler. A batch is acknowledged only after its deliveries are durably scheduled; a
// crashed replica's pending entries are claimed by another after `claim_idle`. Thread-safe.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/redis/redis_client.h"
#include "common/redis/stream_reader.h"
#include "services/notifications/core/deliveries/delivery_scheduler.h"

namespace bulletin::notify {

struct ConsumerOptions {
  std::string group = "notifications";            // --consumer-group
  std::string consumer;                           // --replica-id
  absl::Duration claim_idle = absl::Seconds(30);  // --claim-idle
  int batch = 100;
  absl::Duration block = absl::Seconds(1);
};

class WebhookConsumer {
 public:
  // `redis` and `scheduler` must outlive the consumer. `on_scheduled` (optional) is called
  // after new deliveries were scheduled.
  WebhookConsumer(RedisClient& redis, DeliveryScheduler& scheduler, ConsumerOptions options,
                  std::function<void()> on_scheduled = nullptr);

  void Start();
  // Stops and joins (within about one block interval). What is not acknowledged stays
  // pending for the next start.
  void Stop();

 private:
  absl::Status Handle(const std::vector<StreamEntry>& batch);

  const std::string group_;
  DeliveryScheduler& scheduler_;
  std::function<void()> on_scheduled_;
  ConsumerGroupReader reader_;  // last: its thread stops before the rest goes
};

}  // namespace bulletin::notify
