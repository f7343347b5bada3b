#include "services/notifications/events/event_consumer.h"

#include "common/base/log.h"
#include "services/notifications/core/subscriptions/event_filter.h"

namespace bulletin::notify {
namespace {

constexpr int kListPage = 200;

absl::Time Now() { return absl::FromUnixMicros(absl::ToUnixMicros(absl::Now())); }

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

EventConsumer::EventConsumer(RedisClient* redis, SubscriptionStore* subscriptions,
                             DeliveryStore* deliveries, ConsumerOptions options,
                             std::function<void()> on_scheduled)
    : group_(options.group),
      subscriptions_(subscriptions),
      deliveries_(deliveries),
      on_scheduled_(std::move(on_scheduled)),
      reader_(*redis, GroupOptions(options),
              [this](const std::vector<StreamEntry>& batch) { return Handle(batch); }) {}

void EventConsumer::Start() {
  Logger()->info("webhook consumer {} in group {}", reader_.consumer(), group_);
  reader_.Start();
}

void EventConsumer::Stop() { reader_.Stop(); }

absl::Status EventConsumer::Handle(const std::vector<StreamEntry>& entries) {
  if (entries.empty()) return absl::OkStatus();
  // The webhook subscriptions as they are now: filter changes apply to later events.
  std::vector<Subscription> targets;
  for (std::string after;;) {
    absl::StatusOr<SubscriptionPage> page = subscriptions_->List("", after, kListPage);
    if (!page.ok()) return page.status();
    for (Subscription& s : page->subscriptions) {
      if (!s.webhook_url.empty() && s.state != SubscriptionState::kDisabled) {
        targets.push_back(std::move(s));
      }
    }
    if (page->next.empty()) break;
    after = page->next;
  }
  int created = 0;
  for (const StreamEntry& entry : entries) {
    if (!entry.event) continue;  // undecodable (logged by DecodeStreamEntries) or deleted
    std::vector<std::string> ids;
    for (const Subscription& s : targets) {
      if (entry.id > s.start && Matches(s.filter, *entry.event)) ids.push_back(s.id);
    }
    if (ids.empty()) continue;
    ScheduledEvent event{entry.event->event_id(), entry.event->type(), entry.event->article().id(),
                         entry.event->SerializeAsString()};
    absl::StatusOr<int> n = deliveries_->Schedule(event, ids, Now());
    if (!n.ok()) return n.status();
    created += *n;
  }
  // The reader acknowledges the batch only now that every delivery is durably scheduled.
  if (created > 0 && on_scheduled_) on_scheduled_();
  return absl::OkStatus();
}

}  // namespace bulletin::notify
