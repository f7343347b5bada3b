// Reading the article event stream `{bulletin}:events` (common/redis/keys.h), once for every
// service: decoding entries, and ConsumerGroupReader, a replica's share of the stream in a
// Redis consumer group. At-least-once: a batch is acknowledged (one XACK) only after the
// handler returned OK; a handler error leaves the batch pending, to be read again. Handlers
// must therefore be idempotent (dedupe by event_id or by revision). Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bulletin/events/v1/events.pb.h"
#include "common/base/stream_id.h"
#include "common/proto/stream_entry.h"
#include "common/redis/redis_client.h"

namespace bulletin {

// Decodes an entry list as XRANGE, XREAD, XREADGROUP and XAUTOCLAIM return it. INTERNAL for
// a reply that is not an entry list; an undecodable event is logged and kept with a null
// event, so readers move past it.
absl::StatusOr<std::vector<StreamEntry>> DecodeStreamEntries(const RedisReply& list);

struct ConsumerGroupOptions {
  std::string stream;                             // default: keys::kEventStream
  std::string group;                              // required, e.g. "analytics"
  std::string consumer;                           // this replica; empty: "<host>-<pid>"
  absl::Duration block = absl::Seconds(1);        // XREADGROUP BLOCK; bounds Stop()
  absl::Duration claim_idle = absl::Seconds(30);  // XAUTOCLAIM entries idle this long
  int batch = 100;                                // entries per read and per XACK
};

class ConsumerGroupReader {
 public:
  // Handles one batch, oldest first. OK: the batch is acknowledged. Any error: nothing of
  // it is, and the reader backs off, then reads its own pending entries again.
  using Handler = std::function<absl::Status(const std::vector<StreamEntry>& batch)>;

  // `redis` must outlive the reader.
  ConsumerGroupReader(RedisClient& redis, ConsumerGroupOptions options, Handler handler);
  ~ConsumerGroupReader();  // Stop()

  // Starts the reading thread: creates the group if needed (from the start of the stream,
  // MKSTREAM), re-reads this consumer's own pending entries (id 0) -- after a restart,
  // after a handler error, after the group was recreated -- then blocks in XREADGROUP for
  // new ones, and every claim_idle/2 takes over entries another consumer left pending for
  // claim_idle (XAUTOCLAIM). NOGROUP (Redis restarted empty) recreates the group.
  void Start();
  // Stops and joins, within about `block`. Idempotent.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

  // For tests that drive the reader step by step (not beside Start()): ensures the group,
  // claims stale entries, handles own pending and then new entries without blocking.
  // Returns how many entries were handled; the first error otherwise.
  absl::StatusOr<int> ProcessAvailable();

  const std::string& consumer() const { return options_.consumer; }

 private:
  void Run();
  bool Stopping() ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status EnsureGroup();
  // XREADGROUP from `id` ("0": own pending; ">": new, blocking when `wait`); handles and
  // acknowledges what it read. Returns how many entries.
  absl::StatusOr<int> Read(const std::string& id, bool wait);
  absl::StatusOr<int> ClaimStale();
  absl::Status HandleAndAck(const std::vector<StreamEntry>& batch);

  RedisClient& redis_;
  ConsumerGroupOptions options_;
  Handler handler_;
  std::thread thread_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace bulletin
