#include "services/notifications/store/memory/memory_event_log.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <utility>

namespace bulletin::notify {

StreamId MemoryEventLog::Append(std::shared_ptr<const events::v1::ArticleEvent> event) {
  absl::MutexLock lock(&mu_);
  const uint64_t ms = static_cast<uint64_t>(std::max<int64_t>(0, absl::ToUnixMillis(absl::Now())));
  StreamId id{std::max(ms, last_generated_.ms), 0};
  if (exists_ && id.ms == last_generated_.ms) id.seq = last_generated_.seq + 1;
  entries_[id] = std::move(event);
  exists_ = true;
  last_generated_ = id;
  ++entries_added_;
  return id;
}

StreamId MemoryEventLog::Append(const events::v1::ArticleEvent& event) {
  return Append(std::make_shared<const events::v1::ArticleEvent>(event));
}

void MemoryEventLog::Trim(size_t max_len) {
  absl::MutexLock lock(&mu_);
  while (entries_.size() > max_len) entries_.erase(entries_.begin());
}

void MemoryEventLog::Delete(const StreamId& id) {
  absl::MutexLock lock(&mu_);
  if (entries_.erase(id) > 0) max_deleted_ = std::max(max_deleted_, id);
}

std::vector<StreamEntry> MemoryEventLog::After(const StreamId& after, int count) {
  std::vector<StreamEntry> out;
  for (auto it = entries_.upper_bound(after);
       it != entries_.end() && static_cast<int>(out.size()) < count; ++it) {
    out.push_back(StreamEntry{it->first, it->second});
  }
  return out;
}

absl::StatusOr<std::vector<StreamEntry>> MemoryEventLog::ReadAfter(const StreamId& after,
                                                                   int count) {
  absl::MutexLock lock(&mu_);
  return After(after, count);
}

absl::StatusOr<std::vector<StreamEntry>> MemoryEventLog::WaitAfter(const StreamId& after, int count,
                                                                   absl::Duration block) {
  absl::MutexLock lock(&mu_);
  auto arrived = [this, &after]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return entries_.upper_bound(after) != entries_.end();
  };
  mu_.AwaitWithTimeout(absl::Condition(&arrived), block);
  return After(after, count);
}

absl::StatusOr<StreamBounds> MemoryEventLog::Bounds() {
  absl::MutexLock lock(&mu_);
  StreamBounds b;
  b.exists = exists_;
  if (!exists_) return b;
  b.length = entries_.size();
  if (!entries_.empty()) b.first_entry = entries_.begin()->first;
  b.last_generated = last_generated_;
  b.max_deleted = max_deleted_;
  b.entries_added = entries_added_;
  return b;
}

absl::StatusOr<bool> MemoryEventLog::Contains(const StreamId& id) {
  absl::MutexLock lock(&mu_);
  return entries_.count(id) > 0;
}

}  // namespace bulletin::notify
