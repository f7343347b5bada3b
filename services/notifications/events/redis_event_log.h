// EventLog on Redis: reads the article event stream `{bulletin}:events` (written by
// content's relay: XADD ... event <serialized ArticleEvent> event_id <id> type <name>
// article_id <id>) with XRANGE, XREAD BLOCK and XINFO STREAM for Subscribe replay and the
// live fan-out. Entries are decoded by the shared DecodeStreamEntries. Thread-safe
// (RedisClient is).
#pragma once

#include <vector>

#include "common/redis/redis_client.h"
#include "services/notifications/core/streams/event_log.h"

namespace bulletin::notify {

class RedisEventLog : public EventLog {
 public:
  // `redis` must outlive the log.
  explicit RedisEventLog(RedisClient& redis) : redis_(redis) {}

  // XRANGE with an exclusive start.
  absl::StatusOr<std::vector<StreamEntry>> ReadAfter(const StreamId& after, int count) override;
  // XREAD BLOCK.
  absl::StatusOr<std::vector<StreamEntry>> WaitAfter(const StreamId& after, int count,
                                                     absl::Duration block) override;
  // XINFO STREAM.
  absl::StatusOr<StreamBounds> Bounds() override;
  absl::StatusOr<bool> Contains(const StreamId& id) override;

 private:
  RedisClient& redis_;
};

}  // namespace bulletin::notify
