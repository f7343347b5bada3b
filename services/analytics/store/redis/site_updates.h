// SiteUpdates: the deferred side of counted views -- each article's time buckets, the site
// counters and visitor HyperLogLogs, the top-list and trend sorted sets -- sent to Redis
// every `flush_interval` rather than per view. Record() adds each batch to an in-process
// ViewAggregate; a flush turns it into a SiteDelta sent as a few calls of one script. A
// flush Redis does not take keeps its updates for the next; Stop() sends what is left or
// spills it to a file that Restore() replays after a restart. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/redis/redis_client.h"
#include "services/analytics/store/redis/site_delta.h"
#include "services/analytics/store/redis/view_aggregate.h"

namespace bulletin::analytics {

class SiteUpdates {
 public:
  // `redis` must outlive this. A zero `flush_interval` starts no thread: the caller
  // flushes (RedisViewStore does after every batch).
  // `spill_file` (empty: none) is where Stop() writes what Redis did not take.
  SiteUpdates(RedisClient& redis, absl::Duration flush_interval, size_t max_members = 1000000,
              std::string spill_file = "");
  ~SiteUpdates();  // Stop()

  // Runs `fill` on the pending aggregate of views (under its lock: keep it short).
  void Add(absl::FunctionRef<void(ViewAggregate&)> fill) ABSL_LOCKS_EXCLUDED(mu_);

  // Sends everything added so far. UNAVAILABLE (or the script's error) when Redis did not
  // take it; the updates are then kept for the next flush.
  absl::Status Flush() ABSL_LOCKS_EXCLUDED(flush_mu_, mu_);

  // Reads the updates a previous process spilled (and removes the file); they are sent
  // with the next flush. INVALID_ARGUMENT naming --spill-file for a malformed file.
  absl::Status Restore() ABSL_LOCKS_EXCLUDED(flush_mu_);

  // Stops the thread and flushes once more; what Redis does not take goes to the spill
  // file (or is logged as lost without one). Idempotent.
  void Stop() ABSL_LOCKS_EXCLUDED(flush_mu_, mu_);

  absl::Duration flush_interval() const { return flush_interval_; }

 private:
  void Run();
  // Waits up to `timeout` for Stop(); true when it was called.
  bool StopRequested(absl::Duration timeout) ABSL_LOCKS_EXCLUDED(mu_);

  RedisClient& redis_;
  const absl::Duration flush_interval_;
  const size_t max_members_;
  const std::string spill_file_;
  absl::Mutex flush_mu_ ABSL_ACQUIRED_BEFORE(mu_);  // one flush at a time, in order
  // Spilled calls of a previous process, sent before the aggregate.
  std::vector<SiteDelta::Call> restored_ ABSL_GUARDED_BY(flush_mu_);
  absl::Mutex mu_;
  ViewAggregate views_ ABSL_GUARDED_BY(mu_);  // added since the last flush
  SiteDelta pending_ ABSL_GUARDED_BY(mu_);    // what earlier flushes could not send
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace bulletin::analytics
