// StreamFollower: one process's own read of the whole article event stream, for state that
// every replica keeps for itself (content's and web's caches), where a consumer group,
// which shares the stream out among replicas, would be wrong. It starts at the stream's
// tail (only what is added from then on) or at its start (every retained entry first),
// reads with XREAD BLOCK from the last id it saw, and calls `on_entries` for each batch.
// When it could not read (Redis down, restarted, failed over), entries may have passed
// unseen: it calls `on_gap` once it reads again, so the owner can drop what it holds, and
// goes on from the tail, or from the last entry it read (StreamFollowerOptions::resume).
// At-most-once; for caches, not for work. Thread-safe.
#pragma once

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/proto/stream_entry.h"
#include "common/redis/redis_client.h"

namespace bulletin {

struct StreamFollowerOptions {
  std::string stream;                       // default: keys::kEventStream
  absl::Duration block = absl::Seconds(1);  // XREAD BLOCK; bounds Stop()
  int batch = 100;                          // entries per read
  // Read every retained entry first (web learns which slugs were deleted), not only what
  // is added from the start on.
  bool from_start = false;
  // After an outage, go on from the last entry read, so that no retained entry is
  // skipped (or from the stream's newest entry when that is older, as after a Redis that
  // restarted with less); otherwise from the tail.
  bool resume = false;
};

class StreamFollower {
 public:
  using EntriesHandler = std::function<void(const std::vector<StreamEntry>& batch)>;
  using GapHandler = std::function<void()>;

  // `redis` must outlive the follower.
  StreamFollower(RedisClient& redis, StreamFollowerOptions options, EntriesHandler on_entries,
                 GapHandler on_gap);
  ~StreamFollower();  // Stop()
  StreamFollower(const StreamFollower&) = delete;
  StreamFollower& operator=(const StreamFollower&) = delete;

  // Starts the reading thread. Call once.
  void Start();
  // Stops and joins, within about `block`. Idempotent.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

  // For tests that drive the follower step by step (not beside Start()): the first call
  // finds where to start; later calls hand over what was added since, without blocking.
  // Returns how many entries were handled.
  absl::StatusOr<int> Poll();

 private:
  void Run();
  bool Stopping() ABSL_LOCKS_EXCLUDED(mu_);
  // The id of the stream's last entry ("0-0" when empty or missing).
  absl::StatusOr<std::string> Tail();
  // Sets where reading goes on: at the first start, the tail or the stream's start; after
  // an outage, the tail or (resume) the last id read, and reports the gap.
  absl::Status Position(bool after_outage);
  absl::StatusOr<int> Read(bool wait);

  RedisClient& redis_;
  StreamFollowerOptions options_;
  EntriesHandler on_entries_;
  GapHandler on_gap_;
  std::thread thread_;
  // Used by the reading thread (or Poll) only; empty until positioned.
  std::string last_id_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace bulletin
