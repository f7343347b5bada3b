#include "services/notifications/core/deliveries/delivery_scheduler.h"

#include <string>

#include "common/base/status_macros.h"
#include "services/notifications/core/subscriptions/event_filter.h"

namespace bulletin::notify {
namespace {

constexpr int kListPage = 200;
// The longest the scheduler keeps a listing while the change counter stays the same.
constexpr absl::Duration kMaxListingAge = absl::Seconds(5);

absl::Time Now() { return absl::FromUnixMicros(absl::ToUnixMicros(absl::Now())); }

}  // namespace

absl::StatusOr<DeliveryScheduler::Targets> DeliveryScheduler::CurrentTargets() {
  // The counter is read before the listing: a change after it moves it again, so the next
  // batch lists anew.
  ASSIGN_OR_RETURN(std::optional<uint64_t> count, subscriptions_.ChangeCount());
  const absl::Time now = absl::Now();
  {
    absl::MutexLock lock(&mu_);
    if (targets_ && count && listed_at_count_ == count && now - listed_at_ < kMaxListingAge) {
      return targets_;
    }
  }
  auto targets = std::make_shared<std::vector<Subscription>>();
  for (std::string after;;) {
    ASSIGN_OR_RETURN(SubscriptionPage page, subscriptions_.List("", after, kListPage));
    for (Subscription& s : page.subscriptions) {
      if (!s.webhook_url.empty() && s.state != SubscriptionState::kDisabled) {
        targets->push_back(std::move(s));
      }
    }
    if (page.next.empty()) break;
    after = page.next;
  }
  absl::MutexLock lock(&mu_);
  targets_ = targets;
  listed_at_count_ = count;
  listed_at_ = now;
  return targets_;
}

absl::StatusOr<int> DeliveryScheduler::Schedule(const std::vector<StreamEntry>& batch) {
  if (batch.empty()) return 0;
  ASSIGN_OR_RETURN(Targets targets, CurrentTargets());
  int created = 0;
  for (const StreamEntry& entry : batch) {
    if (!entry.event) continue;  // undecodable (logged where it was read) or deleted
    std::vector<std::string> ids;
    for (const Subscription& s : *targets) {
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
