#include "services/notifications/store/memory/fault_injection.h"

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"

namespace bulletin::notify {

void FaultInjector::FailAll(bool fail) {
  absl::MutexLock lock(&mu_);
  fail_all_ = fail;
}

void FaultInjector::FailNext(absl::string_view method, int times) {
  absl::MutexLock lock(&mu_);
  fail_next_[std::string(method)] += times;
}

absl::Status FaultInjector::Check(absl::string_view method) {
  absl::MutexLock lock(&mu_);
  ++calls_[std::string(method)];
  bool fail = fail_all_;
  auto next = fail_next_.find(method);
  if (next != fail_next_.end() && next->second > 0) {
    --next->second;
    fail = true;
  }
  if (!fail) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat("injected fault: ", method));
}

int FaultInjector::calls(absl::string_view method) {
  absl::MutexLock lock(&mu_);
  auto it = calls_.find(method);
  return it == calls_.end() ? 0 : it->second;
}

// Each wrapper method: the fault first, then the wrapped call.
#define BULLETIN_FAULT_THEN(method, call) \
  RETURN_IF_ERROR(faults_.Check(method)); \
  return base_.call

absl::StatusOr<CreatedSubscription> FaultySubscriptionStore::Create(const Subscription& sub,
                                                                    const std::string& secret,
                                                                    const std::string& request_id,
                                                                    int max_per_owner) {
  BULLETIN_FAULT_THEN("Create", Create(sub, secret, request_id, max_per_owner));
}
absl::StatusOr<Subscription> FaultySubscriptionStore::Get(const std::string& id) {
  BULLETIN_FAULT_THEN("Get", Get(id));
}
absl::StatusOr<SubscriptionPage> FaultySubscriptionStore::List(const std::string& owner,
                                                               const std::string& after,
                                                               int limit) {
  BULLETIN_FAULT_THEN("List", List(owner, after, limit));
}
absl::Status FaultySubscriptionStore::Delete(const std::string& id, const std::string& etag) {
  BULLETIN_FAULT_THEN("Delete", Delete(id, etag));
}
absl::Status FaultySubscriptionStore::Replace(const Subscription& sub,
                                              const std::string& expected_etag,
                                              const std::string& new_secret) {
  BULLETIN_FAULT_THEN("Replace", Replace(sub, expected_etag, new_secret));
}
absl::StatusOr<SigningSecrets> FaultySubscriptionStore::GetSecrets(const std::string& id) {
  BULLETIN_FAULT_THEN("GetSecrets", GetSecrets(id));
}
absl::StatusOr<absl::Time> FaultySubscriptionStore::RecordEndpointFailure(const std::string& id,
                                                                          absl::Time now) {
  BULLETIN_FAULT_THEN("RecordEndpointFailure", RecordEndpointFailure(id, now));
}
absl::Status FaultySubscriptionStore::RecordEndpointSuccess(const std::string& id) {
  BULLETIN_FAULT_THEN("RecordEndpointSuccess", RecordEndpointSuccess(id));
}
absl::StatusOr<StreamId> FaultySubscriptionStore::GetCursor(const std::string& id) {
  BULLETIN_FAULT_THEN("GetCursor", GetCursor(id));
}
absl::Status FaultySubscriptionStore::AdvanceCursor(const std::string& id, const StreamId& pos) {
  BULLETIN_FAULT_THEN("AdvanceCursor", AdvanceCursor(id, pos));
}
absl::StatusOr<std::optional<uint64_t>> FaultySubscriptionStore::ChangeCount() {
  BULLETIN_FAULT_THEN("ChangeCount", ChangeCount());
}

absl::StatusOr<int> FaultyDeliveryStore::Schedule(const ScheduledEvent& event,
                                                  const std::vector<std::string>& subscription_ids,
                                                  absl::Time now) {
  BULLETIN_FAULT_THEN("Schedule", Schedule(event, subscription_ids, now));
}
absl::StatusOr<std::vector<LeasedDelivery>> FaultyDeliveryStore::Claim(absl::Time now,
                                                                       absl::Duration lease,
                                                                       int max) {
  BULLETIN_FAULT_THEN("Claim", Claim(now, lease, max));
}
absl::StatusOr<Delivery> FaultyDeliveryStore::Get(const DeliveryKey& key) {
  BULLETIN_FAULT_THEN("Get", Get(key));
}
absl::StatusOr<bool> FaultyDeliveryStore::RecordAttempt(const DeliveryKey& key,
                                                        const std::string& token,
                                                        const DeliveryAttempt& attempt,
                                                        const AttemptOutcome& outcome) {
  BULLETIN_FAULT_THEN("RecordAttempt", RecordAttempt(key, token, attempt, outcome));
}
absl::Status FaultyDeliveryStore::Hold(const DeliveryKey& key, const std::string& token,
                                       absl::Time now) {
  BULLETIN_FAULT_THEN("Hold", Hold(key, token, now));
}
absl::StatusOr<bool> FaultyDeliveryStore::Extend(const DeliveryKey& key, const std::string& token,
                                                 absl::Time until) {
  BULLETIN_FAULT_THEN("Extend", Extend(key, token, until));
}
absl::StatusOr<bool> FaultyDeliveryStore::Postpone(const DeliveryKey& key, const std::string& token,
                                                   absl::Time until) {
  BULLETIN_FAULT_THEN("Postpone", Postpone(key, token, until));
}
absl::Status FaultyDeliveryStore::ReleaseHeld(const std::string& subscription_id, absl::Time now) {
  BULLETIN_FAULT_THEN("ReleaseHeld", ReleaseHeld(subscription_id, now));
}
absl::Status FaultyDeliveryStore::Remove(const DeliveryKey& key) {
  BULLETIN_FAULT_THEN("Remove", Remove(key));
}
absl::StatusOr<Delivery> FaultyDeliveryStore::Redeliver(const DeliveryKey& key, absl::Time now) {
  BULLETIN_FAULT_THEN("Redeliver", Redeliver(key, now));
}
absl::StatusOr<std::string> FaultyDeliveryStore::CreateTest(const DeliveryKey& key,
                                                            const std::string& webhook_url,
                                                            absl::Time now) {
  BULLETIN_FAULT_THEN("CreateTest", CreateTest(key, webhook_url, now));
}
absl::StatusOr<DeliveryPage> FaultyDeliveryStore::List(const std::string& subscription_id,
                                                       const std::string& after, int limit,
                                                       std::optional<DeliveryState> state) {
  BULLETIN_FAULT_THEN("List", List(subscription_id, after, limit, state));
}

absl::StatusOr<std::vector<StreamEntry>> FaultyEventLog::ReadAfter(const StreamId& after,
                                                                   int count) {
  BULLETIN_FAULT_THEN("ReadAfter", ReadAfter(after, count));
}
absl::StatusOr<std::vector<StreamEntry>> FaultyEventLog::WaitAfter(const StreamId& after, int count,
                                                                   absl::Duration block) {
  BULLETIN_FAULT_THEN("WaitAfter", WaitAfter(after, count, block));
}
absl::StatusOr<StreamBounds> FaultyEventLog::Bounds() { BULLETIN_FAULT_THEN("Bounds", Bounds()); }
absl::StatusOr<bool> FaultyEventLog::Contains(const StreamId& id) {
  BULLETIN_FAULT_THEN("Contains", Contains(id));
}

#undef BULLETIN_FAULT_THEN

}  // namespace bulletin::notify
