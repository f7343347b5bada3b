#include "services/notifications/events/webhook_consumer.h"

#include "common/base/log.h"
#include "common/base/status_macros.h"

namespace bulletin::notify {
namespace {

ConsumerGroupOptions GroupOptions(const ConsumerOptions& o) {
  ConsumerGroupOptions g;
  g.group = o.group;
  g.consumer = o.consumer;
  g.block = o.block;
  g.claim_idle = o.claim_idle;
  g.batch = o.batch;
  return g;
}

}  // namespace

WebhookConsumer::WebhookConsumer(RedisClient& redis, DeliveryScheduler& scheduler,
                                 ConsumerOptions options, std::function<void()> on_scheduled)
    : group_(options.group),
      scheduler_(scheduler),
      on_scheduled_(std::move(on_scheduled)),
      reader_(redis, GroupOptions(options),
              [this](const std::vector<StreamEntry>& batch) { return Handle(batch); }) {}

void WebhookConsumer::Start() {
  Logger()->info("webhook consumer {} in group {}", reader_.consumer(), group_);
  reader_.Start();
}

void WebhookConsumer::Stop() { reader_.Stop(); }

absl::Status WebhookConsumer::Handle(const std::vector<StreamEntry>& batch) {
  ASSIGN_OR_RETURN(int created, scheduler_.Schedule(batch));
  if (created > 0 && on_scheduled_) on_scheduled_();
  return absl::OkStatus();
}

}  // namespace bulletin::notify
