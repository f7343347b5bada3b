// EventLog in memory: a working fake of the article event stream with the Redis stream's
// rules (ids "<ms>-<seq>" from the clock, strictly increasing; MAXLEN trimming that is not
// counted as a deletion; deletions that are), for unit tests of Subscribe streams and of
// anything that needs "the stream's last entry". Thread-safe; WaitAfter blocks on a
// condition, not in a sleep loop.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "bulletin/events/v1/events.pb.h"
#include "services/notifications/core/streams/event_log.h"

namespace bulletin::notify {

class MemoryEventLog : public EventLog {
 public:
  // Appends an entry and returns its id. A null `event` is an entry without a decodable
  // event (readers skip it).
  StreamId Append(std::shared_ptr<const events::v1::ArticleEvent> event) ABSL_LOCKS_EXCLUDED(mu_);
  StreamId Append(const events::v1::ArticleEvent& event) ABSL_LOCKS_EXCLUDED(mu_);
  // Keeps the newest `max_len` entries (XTRIM MAXLEN).
  void Trim(size_t max_len) ABSL_LOCKS_EXCLUDED(mu_);
  // Removes one entry (XDEL); Bounds().max_deleted records the newest removed this way.
  void Delete(const StreamId& id) ABSL_LOCKS_EXCLUDED(mu_);

  absl::StatusOr<std::vector<StreamEntry>> ReadAfter(const StreamId& after, int count) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::vector<StreamEntry>> WaitAfter(const StreamId& after, int count,
                                                     absl::Duration block) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<StreamBounds> Bounds() override ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<bool> Contains(const StreamId& id) override ABSL_LOCKS_EXCLUDED(mu_);

 private:
  std::vector<StreamEntry> After(const StreamId& after, int count)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::map<StreamId, std::shared_ptr<const events::v1::ArticleEvent>> entries_ ABSL_GUARDED_BY(mu_);
  bool exists_ ABSL_GUARDED_BY(mu_) = false;
  StreamId last_generated_ ABSL_GUARDED_BY(mu_);
  StreamId max_deleted_ ABSL_GUARDED_BY(mu_);  // "0-0" until a deletion, as Redis 7 says
  uint64_t entries_added_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace bulletin::notify
