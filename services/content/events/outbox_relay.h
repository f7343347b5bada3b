// The outbox relay: a background thread that moves unsent outbox events, in order, to the
// Redis stream {bulletin}:events and only then marks them sent (at-least-once; consumers
// dedupe by event_id). Woken by Notify() after a commit, it also polls for events written
// by another process and backs off while Redis is down. When Redis restarts (a new
// run_id), it re-sends the retained sent events the new Redis no longer has. When Redis has
// replicas, a batch is marked sent only after one of them has it (WAIT). Replicas that
// share a database run a relay each, but only the one holding the store's relay lease sends;
// the others poll for the lease, so one takes over within `idle_poll` when the sender dies.
// Thread-safe.
#pragma once

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/redis/redis_client.h"
#include "services/content/core/article_store.h"

namespace bulletin::content {

struct RelayOptions {
  int64_t stream_max_len = 1000000;            // XADD MAXLEN ~
  absl::Duration retention = absl::Hours(24);  // keep sent events this long
  absl::Duration idle_poll = absl::Seconds(1);
  absl::Duration min_backoff = absl::Milliseconds(50);
  absl::Duration max_backoff = absl::Seconds(5);
  int batch_size = 100;
  // When the Redis master has replicas, an event counts as sent only once one of them has
  // it (WAIT 1): replication is asynchronous, and a master that fails over right after
  // acknowledging an XADD would otherwise lose it. A batch not replicated within this
  // time is sent again on the next pass (consumers drop the copies by event_id).
  absl::Duration replica_timeout = absl::Seconds(1);
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

class OutboxRelay {
 public:
  // `store` and `redis` must outlive the relay.
  OutboxRelay(OutboxStore& store, RedisClient& redis, RelayOptions options);
  ~OutboxRelay();  // Stop()s
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  // Starts the background thread. Call once.
  void Start();
  // Stops and joins the thread; events not yet sent stay in the outbox. Idempotent.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);
  // Wakes the thread: an event was just committed.
  void Notify() ABSL_LOCKS_EXCLUDED(mu_);

  // One pass, on the calling thread (the background thread calls it; tests may too when
  // the thread is not started): notices a Redis restart and re-sends what it lost, sends
  // every pending event, deletes sent events past the retention. Returns how many
  // pending events were sent (0 when another replica holds the relay lease); UNAVAILABLE
  // while Redis or the database is down.
  absl::StatusOr<int> RunOnce();

 private:
  void Loop() ABSL_LOCKS_EXCLUDED(mu_);
  bool Stopped() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; }
  bool StoppedOrWoken() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_ || wake_; }
  absl::Status CheckRedisRestart();
  absl::Status ResendLost(absl::Time now);
  absl::StatusOr<int> SendPending();
  // XADDs `events` in one round trip and marks each sent; stops at the first failure.
  absl::Status Send(const std::vector<OutboxEvent>& events);

  OutboxStore& store_;
  RedisClient& redis_;
  const RelayOptions options_;

  // Used by the thread running RunOnce only.
  bool run_id_loaded_ = false;
  std::string run_id_;
  int64_t redis_replicas_ = 0;  // connected_slaves of the master, read each pass
  absl::Time last_cleanup_ = absl::InfinitePast();

  absl::Mutex mu_;
  bool wake_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace bulletin::content
