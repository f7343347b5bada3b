#include "services/notifications/store/memory/memory_subscription_store.h"

#include <algorithm>
#include <iterator>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/base/etag.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"

namespace bulletin::notify {
namespace {

constexpr absl::Duration kRequestTtl = absl::Hours(24);

// The page token and index member of the Redis store: sorts by creation.
std::string IndexMember(const Subscription& s) {
  return absl::StrFormat("%016d:%s", absl::ToUnixMicros(s.create_time), s.id);
}

bool IsMember(absl::string_view m) {
  if (m.size() < 18 || m[16] != ':') return false;
  return std::all_of(m.begin(), m.begin() + 16, [](char c) { return c >= '0' && c <= '9'; });
}

absl::Status NotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("subscription \"", Excerpt(id), "\" not found"));
}

}  // namespace

Subscription MemorySubscriptionStore::Read(const Stored& s) {
  Subscription sub = s.sub;
  if (s.previous_secret.empty()) sub.previous_secret_expire_time = absl::InfinitePast();
  return sub;
}

absl::StatusOr<CreatedSubscription> MemorySubscriptionStore::Create(const Subscription& sub,
                                                                    const std::string& secret,
                                                                    const std::string& request_id,
                                                                    int max_per_owner) {
  absl::MutexLock lock(&mu_);
  const std::string request_key = absl::StrCat(sub.owner, ":", request_id);
  if (!request_id.empty()) {
    auto req = requests_.find(request_key);
    if (req != requests_.end() && req->second.expires > absl::Now()) {
      auto first = subs_.find(req->second.id);
      if (first != subs_.end()) {
        return CreatedSubscription{Read(first->second), first->second.secret, true};
      }
    }
  }
  std::set<std::string>& owned = by_owner_[sub.owner];
  if (static_cast<int>(owned.size()) >= max_per_owner) {
    return absl::ResourceExhaustedError(
        absl::StrCat("owner \"", Excerpt(sub.owner), "\" already has ", max_per_owner,
                     " subscriptions, its quota: delete one first"));
  }
  StreamId cursor;
  if (log_ != nullptr) {
    ASSIGN_OR_RETURN(StreamBounds bounds, log_->Bounds());
    if (bounds.exists) cursor = bounds.last_generated;
  }
  Stored stored{sub, secret, "", cursor, std::nullopt};
  stored.sub.start = cursor;
  subs_[sub.id] = stored;
  owned.insert(IndexMember(sub));
  all_.insert(IndexMember(sub));
  ++changes_;
  if (!request_id.empty()) requests_[request_key] = Request{sub.id, absl::Now() + kRequestTtl};
  return CreatedSubscription{stored.sub, secret, false};
}

absl::StatusOr<Subscription> MemorySubscriptionStore::Get(const std::string& id) {
  absl::MutexLock lock(&mu_);
  auto it = subs_.find(id);
  if (it == subs_.end()) return NotFound(id);
  return Read(it->second);
}

absl::StatusOr<SubscriptionPage> MemorySubscriptionStore::List(const std::string& owner,
                                                               const std::string& after,
                                                               int limit) {
  if (!after.empty() && !IsMember(after)) {
    return absl::InvalidArgumentError("page_token: malformed (use next_page_token as given)");
  }
  absl::MutexLock lock(&mu_);
  static const std::set<std::string> kNone;
  const std::set<std::string>* index = &all_;
  if (!owner.empty()) {
    auto it = by_owner_.find(owner);
    index = it == by_owner_.end() ? &kNone : &it->second;
  }
  // Newest first, strictly before `after`, one more than a page to know whether one follows.
  std::vector<std::string> members;
  auto end = after.empty() ? index->end() : index->lower_bound(after);
  for (auto it = std::make_reverse_iterator(end);
       it != index->rend() && static_cast<int>(members.size()) <= limit; ++it) {
    members.push_back(*it);
  }
  SubscriptionPage page;
  for (size_t i = 0; i < members.size() && static_cast<int>(i) < limit; ++i) {
    auto sub = subs_.find(members[i].substr(17));
    if (sub != subs_.end()) page.subscriptions.push_back(Read(sub->second));
  }
  if (static_cast<int>(members.size()) > limit && limit > 0) page.next = members[limit - 1];
  return page;
}

absl::StatusOr<std::optional<uint64_t>> MemorySubscriptionStore::ChangeCount() {
  absl::MutexLock lock(&mu_);
  return changes_;
}

absl::Status MemorySubscriptionStore::Delete(const std::string& id, const std::string& etag) {
  absl::MutexLock lock(&mu_);
  auto it = subs_.find(id);
  if (it == subs_.end()) return NotFound(id);
  const Subscription& sub = it->second.sub;
  if (!etag.empty() && etag != sub.etag) return StaleEtag("etag", etag, sub.etag);
  by_owner_[sub.owner].erase(IndexMember(sub));
  all_.erase(IndexMember(sub));
  subs_.erase(it);
  ++changes_;
  return absl::OkStatus();
}

absl::Status MemorySubscriptionStore::Replace(const Subscription& sub,
                                              const std::string& expected_etag,
                                              const std::string& new_secret) {
  absl::MutexLock lock(&mu_);
  auto it = subs_.find(sub.id);
  if (it == subs_.end()) return NotFound(sub.id);
  Stored& stored = it->second;
  if (expected_etag != stored.sub.etag) return StaleEtag("etag", expected_etag, stored.sub.etag);
  if (!new_secret.empty()) {
    stored.previous_secret = stored.secret;
    stored.secret = new_secret;
  }
  // Everything but the id, owner, creation time, secrets and cursors.
  Subscription& s = stored.sub;
  s.display_name = sub.display_name;
  s.filter = sub.filter;
  s.webhook_url = sub.webhook_url;
  s.state = sub.state;
  s.state_reason = sub.state_reason;
  s.update_time = sub.update_time;
  s.etag = sub.etag;
  s.previous_secret_expire_time = sub.previous_secret_expire_time;
  ++changes_;
  return absl::OkStatus();
}

absl::StatusOr<SigningSecrets> MemorySubscriptionStore::GetSecrets(const std::string& id) {
  absl::MutexLock lock(&mu_);
  auto it = subs_.find(id);
  if (it == subs_.end()) return NotFound(id);
  SigningSecrets secrets;
  secrets.current = it->second.secret;
  secrets.previous = it->second.previous_secret;
  if (!secrets.previous.empty()) {
    secrets.previous_expire_time = it->second.sub.previous_secret_expire_time;
  }
  return secrets;
}

absl::StatusOr<absl::Time> MemorySubscriptionStore::RecordEndpointFailure(const std::string& id,
                                                                          absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto it = subs_.find(id);
  if (it == subs_.end()) return NotFound(id);
  if (!it->second.failing_since) it->second.failing_since = now;
  return *it->second.failing_since;
}

absl::Status MemorySubscriptionStore::RecordEndpointSuccess(const std::string& id) {
  absl::MutexLock lock(&mu_);
  auto it = subs_.find(id);
  if (it != subs_.end()) it->second.failing_since.reset();
  return absl::OkStatus();
}

absl::StatusOr<StreamId> MemorySubscriptionStore::GetCursor(const std::string& id) {
  absl::MutexLock lock(&mu_);
  auto it = subs_.find(id);
  if (it == subs_.end()) return NotFound(id);
  return it->second.cursor;
}

absl::Status MemorySubscriptionStore::AdvanceCursor(const std::string& id, const StreamId& pos) {
  absl::MutexLock lock(&mu_);
  auto it = subs_.find(id);
  if (it != subs_.end() && pos > it->second.cursor) it->second.cursor = pos;
  return absl::OkStatus();
}

}  // namespace bulletin::notify
