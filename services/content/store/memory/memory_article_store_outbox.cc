// MemoryArticleStore: the outbox and the relay's state.
#include "absl/strings/str_cat.h"
#include "services/content/store/memory/memory_article_store.h"
#include "services/content/store/memory/memory_internal.h"

namespace bulletin::content {

using memory_internal::Micros;

absl::Status MemoryArticleStore::CheckEvent(const OutboxEvent& event) const {
  for (const auto& [seq, e] : outbox_) {
    if (e.event_id == event.event_id) {
      return absl::AlreadyExistsError(
          absl::StrCat("outbox: event \"", Excerpt(event.event_id), "\" is already there"));
    }
  }
  return absl::OkStatus();
}

void MemoryArticleStore::InsertEvent(const OutboxEvent& event) {
  OutboxEvent e = event;
  e.seq = next_seq_++;
  e.create_time = Micros(e.create_time);
  e.sent_time.reset();
  e.stream_id.clear();
  outbox_[e.seq] = std::move(e);
}

absl::StatusOr<std::vector<OutboxEvent>> MemoryArticleStore::PendingEvents(int limit) {
  absl::MutexLock lock(&mu_);
  std::vector<OutboxEvent> out;
  for (const auto& [seq, e] : outbox_) {
    if (static_cast<int>(out.size()) >= limit) break;
    if (!e.sent_time) out.push_back(e);
  }
  return out;
}

absl::Status MemoryArticleStore::MarkEventSent(int64_t seq, const std::string& stream_id,
                                               absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto it = outbox_.find(seq);
  if (it == outbox_.end()) return absl::OkStatus();  // deleted meanwhile, as UPDATE of no row
  it->second.sent_time = Micros(now);
  it->second.stream_id = stream_id;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<OutboxEvent>> MemoryArticleStore::SentEventsSince(absl::Time since,
                                                                             int64_t after_seq,
                                                                             int limit) {
  absl::MutexLock lock(&mu_);
  std::vector<OutboxEvent> out;
  for (auto it = outbox_.upper_bound(after_seq);
       it != outbox_.end() && static_cast<int>(out.size()) < limit; ++it) {
    if (it->second.sent_time && *it->second.sent_time >= Micros(since)) out.push_back(it->second);
  }
  return out;
}

absl::StatusOr<int64_t> MemoryArticleStore::DeleteSentEventsBefore(absl::Time cutoff) {
  absl::MutexLock lock(&mu_);
  int64_t deleted = 0;
  for (auto it = outbox_.begin(); it != outbox_.end();) {
    if (it->second.sent_time && *it->second.sent_time < Micros(cutoff)) {
      it = outbox_.erase(it);
      ++deleted;
    } else {
      ++it;
    }
  }
  return deleted;
}

absl::StatusOr<std::string> MemoryArticleStore::LoadRelayRunId() {
  absl::MutexLock lock(&mu_);
  return relay_run_id_;
}

absl::Status MemoryArticleStore::SaveRelayRunId(const std::string& run_id) {
  absl::MutexLock lock(&mu_);
  relay_run_id_ = run_id;
  return absl::OkStatus();
}

absl::StatusOr<int64_t> MemoryArticleStore::CountOutboxEvents() {
  absl::MutexLock lock(&mu_);
  return static_cast<int64_t>(outbox_.size());
}

}  // namespace bulletin::content
