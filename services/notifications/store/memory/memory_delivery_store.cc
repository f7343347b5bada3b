#include "services/notifications/store/memory/memory_delivery_store.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/base/ids.h"
#include "common/base/text_rules.h"

namespace bulletin::notify {
namespace {

constexpr int kChunk = 200;
constexpr int kMaxScanned = 5000;  // a state filter may leave a page short, with a token

std::string IndexMember(absl::Time create, const std::string& event_id) {
  return absl::StrFormat("%016d:%s", absl::ToUnixMicros(create), event_id);
}

bool IsMember(absl::string_view m) {
  if (m.size() < 18 || m[16] != ':') return false;
  return std::all_of(m.begin(), m.begin() + 16, [](char c) { return c >= '0' && c <= '9'; });
}

absl::Status NotFound(const DeliveryKey& key) {
  return absl::NotFoundError(absl::StrCat("no delivery of event \"", Excerpt(key.event_id),
                                          "\" to subscription \"", Excerpt(key.subscription_id),
                                          "\""));
}

}  // namespace

MemoryDeliveryStore::Stored* MemoryDeliveryStore::Find(const std::string& ref) {
  auto it = deliveries_.find(ref);
  if (it == deliveries_.end()) return nullptr;
  if (it->second.expires && *it->second.expires <= absl::Now()) {
    deliveries_.erase(it);
    return nullptr;
  }
  return &it->second;
}

absl::StatusOr<int> MemoryDeliveryStore::Schedule(const ScheduledEvent& event,
                                                  const std::vector<std::string>& subscription_ids,
                                                  absl::Time now) {
  absl::MutexLock lock(&mu_);
  int created = 0;
  for (const std::string& sub : subscription_ids) {
    const std::string ref = DeliveryKey{sub, event.event_id}.ToString();
    if (Find(ref) != nullptr) continue;
    Stored s;
    s.member = IndexMember(now, event.event_id);
    Delivery& d = s.delivery;
    d.id = NewId();
    d.subscription_id = sub;
    d.event_id = event.event_id;
    d.event_type = event.type;
    d.article_id = event.article_id;
    d.payload = event.payload;
    d.state = DeliveryState::kPending;
    d.create_time = now;
    d.next_attempt_time = now;
    index_[sub].insert(s.member);
    due_[ref] = now;
    deliveries_[ref] = std::move(s);
    ++created;
  }
  return created;
}

absl::StatusOr<std::vector<LeasedDelivery>> MemoryDeliveryStore::Claim(absl::Time now,
                                                                       absl::Duration lease,
                                                                       int max) {
  absl::MutexLock lock(&mu_);
  std::vector<std::pair<absl::Time, std::string>> ready;  // ordered as a sorted set
  for (const auto& [ref, due] : due_) {
    if (due <= now) ready.emplace_back(due, ref);
  }
  std::sort(ready.begin(), ready.end());
  if (static_cast<int>(ready.size()) > max) ready.resize(std::max(max, 0));
  const std::string prefix = RandomHex(8) + ".";
  std::vector<LeasedDelivery> out;
  for (size_t i = 0; i < ready.size(); ++i) {
    const std::string& ref = ready[i].second;
    Stored* s = Find(ref);
    if (s == nullptr) {
      due_.erase(ref);
      continue;
    }
    s->lease = absl::StrCat(prefix, i + 1);
    due_[ref] = now + lease;
    out.push_back({{s->delivery.subscription_id, s->delivery.event_id}, s->lease});
  }
  return out;
}

absl::StatusOr<Delivery> MemoryDeliveryStore::Get(const DeliveryKey& key) {
  absl::MutexLock lock(&mu_);
  Stored* s = Find(key.ToString());
  if (s == nullptr) return NotFound(key);
  return s->delivery;
}

absl::StatusOr<bool> MemoryDeliveryStore::RecordAttempt(const DeliveryKey& key,
                                                        const std::string& token,
                                                        const DeliveryAttempt& attempt,
                                                        const AttemptOutcome& outcome) {
  absl::MutexLock lock(&mu_);
  const std::string ref = key.ToString();
  Stored* s = Find(ref);
  if (s == nullptr || s->lease != token) return false;
  Delivery& d = s->delivery;
  DeliveryAttempt kept = attempt;
  kept.error = kept.error.substr(0, kMaxAttemptError);
  d.attempts.push_back(std::move(kept));
  if (d.attempts.size() > static_cast<size_t>(kMaxAttemptsKept)) {
    d.attempts.erase(d.attempts.begin(), d.attempts.end() - kMaxAttemptsKept);
  }
  d.state = outcome.state;
  d.next_attempt_time = outcome.state == DeliveryState::kPending && outcome.next_attempt_time
                            ? *outcome.next_attempt_time
                            : absl::InfinitePast();
  d.webhook_url = outcome.webhook_url;
  d.attempt_count = outcome.attempt_count;
  s->lease.clear();
  if (d.next_attempt_time != absl::InfinitePast()) {
    due_[ref] = d.next_attempt_time;
  } else {
    due_.erase(ref);
  }
  if (d.state == DeliveryState::kPending) {
    s->expires.reset();
  } else {
    s->expires = absl::Now() + retention_;
  }
  return true;
}

absl::Status MemoryDeliveryStore::Hold(const DeliveryKey& key, const std::string& token,
                                       absl::Time now) {
  absl::MutexLock lock(&mu_);
  const std::string ref = key.ToString();
  Stored* s = Find(ref);
  if (s == nullptr || s->lease != token) return absl::OkStatus();
  // Decided under the lock, so a Resume (state first, then ReleaseHeld) cannot strand it.
  absl::StatusOr<Subscription> sub = subscriptions_.Get(key.subscription_id);
  if (!sub.ok() && !absl::IsNotFound(sub.status())) return sub.status();
  s->lease.clear();
  if (sub.ok() && sub->state == SubscriptionState::kPaused) {
    due_.erase(ref);
    held_[key.subscription_id].insert(ref);
    s->delivery.next_attempt_time = absl::InfinitePast();
  } else {
    due_[ref] = now;
    s->delivery.next_attempt_time = now;
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> MemoryDeliveryStore::Extend(const DeliveryKey& key, const std::string& token,
                                                 absl::Time until) {
  absl::MutexLock lock(&mu_);
  const std::string ref = key.ToString();
  Stored* s = Find(ref);
  if (s == nullptr || s->lease != token) return false;
  if (auto due = due_.find(ref); due != due_.end()) due->second = until;
  return true;
}

absl::StatusOr<bool> MemoryDeliveryStore::Postpone(const DeliveryKey& key, const std::string& token,
                                                   absl::Time until) {
  absl::MutexLock lock(&mu_);
  const std::string ref = key.ToString();
  Stored* s = Find(ref);
  if (s == nullptr || s->lease != token) return false;
  s->lease.clear();
  due_[ref] = until;
  s->delivery.next_attempt_time = until;
  return true;
}

absl::Status MemoryDeliveryStore::ReleaseHeld(const std::string& subscription_id, absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto held = held_.find(subscription_id);
  if (held == held_.end()) return absl::OkStatus();
  for (const std::string& ref : held->second) {
    if (Stored* s = Find(ref)) {
      due_[ref] = now;
      s->delivery.next_attempt_time = now;
    }
  }
  held_.erase(held);
  return absl::OkStatus();
}

absl::Status MemoryDeliveryStore::Remove(const DeliveryKey& key) {
  absl::MutexLock lock(&mu_);
  const std::string ref = key.ToString();
  auto it = deliveries_.find(ref);
  if (it != deliveries_.end()) {
    index_[key.subscription_id].erase(it->second.member);
    deliveries_.erase(it);
  }
  due_.erase(ref);
  return absl::OkStatus();
}

absl::StatusOr<Delivery> MemoryDeliveryStore::Redeliver(const DeliveryKey& key, absl::Time now) {
  absl::MutexLock lock(&mu_);
  const std::string ref = key.ToString();
  Stored* s = Find(ref);
  if (s == nullptr) return NotFound(key);
  s->delivery.state = DeliveryState::kPending;
  s->delivery.attempt_count = 0;
  s->delivery.next_attempt_time = now;
  s->lease.clear();
  s->expires.reset();
  due_[ref] = now;
  return s->delivery;
}

absl::StatusOr<std::string> MemoryDeliveryStore::CreateTest(const DeliveryKey& key,
                                                            const std::string& webhook_url,
                                                            absl::Time now) {
  absl::MutexLock lock(&mu_);
  Stored s;
  s.member = IndexMember(now, key.event_id);
  s.lease = RandomHex(8);
  Delivery& d = s.delivery;
  d.id = NewId();
  d.subscription_id = key.subscription_id;
  d.event_id = key.event_id;
  d.state = DeliveryState::kPending;
  d.webhook_url = webhook_url;
  d.create_time = now;
  d.test = true;
  index_[key.subscription_id].insert(s.member);
  std::string token = s.lease;
  deliveries_[key.ToString()] = std::move(s);
  return token;
}

absl::StatusOr<DeliveryPage> MemoryDeliveryStore::List(const std::string& subscription_id,
                                                       const std::string& after, int limit,
                                                       std::optional<DeliveryState> state) {
  if (!after.empty() && !IsMember(after)) {
    return absl::InvalidArgumentError("page_token: malformed (use next_page_token as given)");
  }
  absl::MutexLock lock(&mu_);
  DeliveryPage page;
  auto index = index_.find(subscription_id);
  if (index == index_.end()) return page;
  const std::set<std::string>& members = index->second;
  // Newest first from `after`, in the Redis store's chunks (so a filtered scan stops after
  // the same number of entries and leaves the same token).
  auto it = std::make_reverse_iterator(after.empty() ? members.end() : members.lower_bound(after));
  std::string cursor = after;
  int scanned = 0;
  for (;;) {
    int in_chunk = 0;
    for (; it != members.rend() && in_chunk < kChunk; ++it, ++in_chunk) {
      Stored* s = Find(DeliveryKey{subscription_id, it->substr(17)}.ToString());
      bool wanted = s != nullptr && (!state || s->delivery.state == *state);
      if (wanted && static_cast<int>(page.deliveries.size()) == limit) {
        page.next = cursor;  // the page is full and another one follows
        return page;
      }
      cursor = *it;
      ++scanned;
      if (wanted) page.deliveries.push_back(s->delivery);
    }
    if (in_chunk < kChunk) return page;
    if (scanned >= kMaxScanned) {
      page.next = cursor;
      return page;
    }
  }
}

}  // namespace bulletin::notify
