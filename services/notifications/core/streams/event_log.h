// The article event stream as Subscribe reads it: the EventLog interface (implemented on
// Redis in events/redis_event_log.h and in memory in store/memory/memory_event_log.h) and
// the retention rule that decides when a resume position is too old.
//
// Every read returns entries oldest first; an entry without a decodable event keeps its id
// (so readers move past it) with a null event. A stream that does not exist yet reads as
// empty. Implementations are thread-safe and return UNAVAILABLE when the stream cannot be
// read.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/base/stream_id.h"
#include "common/proto/stream_entry.h"

namespace bulletin::notify {

struct StreamBounds {
  bool exists = false;
  uint64_t length = 0;
  StreamId first_entry;     // valid when length > 0
  StreamId last_generated;  // the newest id ever added
  // The newest id removed by deletion (Redis >= 7: XDEL; trimming does not set it);
  // nullopt when the backend does not say.
  std::optional<StreamId> max_deleted;
  // Entries ever added (Redis >= 7): equal to `length` when nothing was ever removed.
  std::optional<uint64_t> entries_added;
};

class EventLog {
 public:
  virtual ~EventLog() = default;

  // Up to `count` entries strictly after `after`.
  virtual absl::StatusOr<std::vector<StreamEntry>> ReadAfter(const StreamId& after, int count) = 0;

  // Like ReadAfter, but waits up to `block` for the first entry; empty when none arrived
  // in time. The stream need not exist.
  virtual absl::StatusOr<std::vector<StreamEntry>> WaitAfter(const StreamId& after, int count,
                                                             absl::Duration block) = 0;

  // Length, first and last ids, and what was removed.
  virtual absl::StatusOr<StreamBounds> Bounds() = 0;

  // Whether the entry `id` is in the stream.
  virtual absl::StatusOr<bool> Contains(const StreamId& id) = 0;
};

// Whether resuming after `pos` may miss entries the stream has removed (trimmed by
// MAXLEN or deleted), and if so the oldest position from which nothing is missing.
// `pos_exists`: the entry `pos` itself is still in the stream (then nothing after it was
// trimmed, trimming removes the oldest entries first).
std::optional<StreamId> TrimmedPast(const StreamBounds& bounds, const StreamId& pos,
                                    bool pos_exists);

}  // namespace bulletin::notify
