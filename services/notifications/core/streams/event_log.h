// Reading the article event stream `{bulletin}:events` (written by content's relay:
// XADD ... event <serialized ArticleEvent> event_id <id> type <name> article_id <id>).
//
// Every read returns decoded entries oldest first; an entry whose "event" field is
// missing or does not parse keeps its id (so readers move past it) with a null event.
// A stream that does not exist yet reads as empty. Thread-safe (RedisClient is).
#pragma once

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bulletin/events/v1/events.pb.h"
#include "common/base/stream_id.h"
#include "common/redis/redis_client.h"
#include "common/redis/stream_reader.h"

namespace bulletin::notify {

struct StreamBounds {
  bool exists = false;
  uint64_t length = 0;
  StreamId first_entry;     // valid when length > 0
  StreamId last_generated;  // the newest id ever added
  // The newest id removed by XDEL (Redis >= 7; trimming does not set it); nullopt on
  // older servers.
  std::optional<StreamId> max_deleted;
  // Entries ever added (Redis >= 7): equal to `length` when nothing was ever removed.
  std::optional<uint64_t> entries_added;
};

class EventLog {
 public:
  explicit EventLog(RedisClient* redis) : redis_(redis) {}

  // Up to `count` entries strictly after `after` (XRANGE with an exclusive start).
  absl::StatusOr<std::vector<StreamEntry>> ReadAfter(const StreamId& after, int count);

  // Like ReadAfter, but waits up to `block` for the first entry (XREAD BLOCK); empty when
  // none arrived in time. The stream need not exist.
  absl::StatusOr<std::vector<StreamEntry>> WaitAfter(const StreamId& after, int count,
                                                     absl::Duration block);

  // XINFO STREAM.
  absl::StatusOr<StreamBounds> Bounds();

  // Whether the entry `id` is in the stream.
  absl::StatusOr<bool> Contains(const StreamId& id);

 private:
  RedisClient* redis_;  // not owned
};

// Whether resuming after `pos` may miss entries the stream has removed (trimmed by
// MAXLEN or deleted), and if so the oldest position from which nothing is missing.
// `pos_exists`: the entry `pos` itself is still in the stream (then nothing after it was
// trimmed, trimming removes the oldest entries first).
std::optional<StreamId> TrimmedPast(const StreamBounds& bounds, const StreamId& pos,
                                    bool pos_exists);

}  // namespace bulletin::notify
