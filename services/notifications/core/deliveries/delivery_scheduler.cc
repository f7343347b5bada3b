#include "services/notifications/core/deliveries/delivery_scheduler.h"

#include <string>

#include "common/base/status_macros.h"
#include "services/notifications/core/subscriptions/event_filter.h"

namespace bulletin::notify {
namespace {

constexpr int kListPage = 200;

absl::Time Now() { return absl::FromUnixMicros(absl::ToUnixMicros(absl::Now())); }

}  // namespace

absl::StatusOr<int> DeliveryScheduler::Schedule(const std::vector<StreamEntry>& batch) {
  if (batch.empty()) return 0;
  std::vector<Subscription> targets;
  for (std::string after;;) {
    ASSIGN_OR_RETURN(SubscriptionPage page, subscriptions_.List("", after, kListPage));
    for (Subscription& s : page.subscriptions) {
      if (!s.webhook_url.empty() && s.state != SubscriptionState::kDisabled) {
        targets.push_back(std::move(s));
      }
    }
    if (page.next.empty()) break;
    after = page.next;
  }
  int created = 0;
  for (const StreamEntry& entry : batch) {
    if (!entry.event) continue;  // undecodable (logged where it was read) or deleted
    std::vector<std::string> ids;
    for (const Subscription& s : targets) {
      if (entry.id > s.start && Matches(s.filter, *entry.event)) ids.push_back(s.id);
    }
    if (ids.empty()) continue;
    ScheduledEvent event{entry.event->event_id(), entry.event->type(), entry.event->article().id(),
                         entry.event->SerializeAsString()};
    ASSIGN_OR_RETURN(int n, deliveries_.Schedule(event, ids, Now()));
    created += n;
  }
  return created;
}

}  // namespace bulletin::notify
