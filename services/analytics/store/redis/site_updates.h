// SiteUpdates: folds the deferred side of counted views -- each article's time buckets, the
// site counters and visitor HyperLogLogs, the top-list and trend sorted sets -- into Redis
// every `flush_interval` rather than per view. Each counted batch is journalled in Redis by
// the counting script (view_journal.h) and added here to an in-process aggregate; a flush
// applies the aggregate of some batches and deletes their journal entries in one atomic
// script that first checks the entries are all still there, so a batch is folded exactly
// once. Entries no process holds in memory -- their process was killed, or its fold failed
// -- are folded from the journal by any process once they are older than RecoveryAge().
// On a Redis Cluster (site_updates_cluster.cc) a batch is journalled in its articles' slot,
// and a fold is two atomic steps: the site-wide side, marked folded per batch in
// `{bulletin}`, then per slot the articles' side with the deletion of the entries; a fold
// from the journal takes one batch at a time, so each side is applied once. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/redis/redis_client.h"
#include "services/analytics/store/redis/site_delta.h"
#include "services/analytics/store/redis/view_aggregate.h"

namespace bulletin::analytics {

class SiteUpdates {
 public:
  // `redis` must outlive this. A thread flushes every `flush_interval` (zero: the caller
  // flushes, as RedisViewStore does after every batch) and folds the journal's orphans
  // every second. `spill_file` (empty: none) is where an earlier version spilled updates
  // it could not send; Restore() replays it.
  SiteUpdates(RedisClient& redis, absl::Duration flush_interval, size_t max_members = 1000000,
              std::string spill_file = "");
  ~SiteUpdates();  // Stop()

  // How old a journal entry must be before any process folds it from the journal: long
  // enough that the process that counted it has folded it from memory, if it is alive.
  static absl::Duration RecoveryAge(absl::Duration flush_interval);

  // Adds the batch journalled as `batch_id` (empty: not journalled, e.g. in tests): `fill`
  // adds its deferred updates to the pending aggregate (under its lock: keep it short).
  void Add(const std::string& batch_id, absl::FunctionRef<void(ViewAggregate&)> fill)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Folds everything added so far. On an error (UNAVAILABLE: Redis did not take it) the
  // batches stay in the journal, and the next Recover() folds them from it: nothing is
  // lost, nothing is counted twice.
  absl::Status Flush() ABSL_LOCKS_EXCLUDED(flush_mu_, mu_);

  // Folds the journal entries of this process's failed or stale folds, then those older
  // than `min_age` (by Redis' clock) that this process does not hold; returns how many it
  // folded. Zero age folds every entry (tests).
  absl::StatusOr<size_t> Recover(absl::Duration min_age) ABSL_LOCKS_EXCLUDED(flush_mu_, mu_);

  // Reads the updates an earlier version spilled (and removes the file); they are sent
  // with the next flush. INVALID_ARGUMENT naming --spill-file for a malformed file.
  absl::Status Restore() ABSL_LOCKS_EXCLUDED(flush_mu_);

  // Stops the thread and flushes once more; what Redis does not take stays in the journal
  // for the next start or another replica. Idempotent.
  void Stop() ABSL_LOCKS_EXCLUDED(flush_mu_, mu_);

  absl::Duration flush_interval() const { return flush_interval_; }

 private:
  // The aggregate of some batches, applied by one script call.
  struct Fold {
    explicit Fold(size_t max_members) : views(max_members) {}
    ViewAggregate views;
    std::vector<std::string> ids;
    bool from_journal = false;  // one batch read back from the journal (cluster recovery)
  };

  void Run();
  // Waits up to `timeout` for Stop(); true when it was called.
  bool StopRequested(absl::Duration timeout) ABSL_LOCKS_EXCLUDED(mu_);
  // Applies `fold` and deletes its journal entries, unless one of them is gone (another
  // process folded it): then nothing is applied and *stale is set.
  absl::Status Apply(const Fold& fold, bool* stale) ABSL_EXCLUSIVE_LOCKS_REQUIRED(flush_mu_);
  static const char* ReadJournalScript();
  // Apply() on a Redis Cluster (site_updates_cluster.cc).
  absl::Status ApplyOnCluster(const Fold& fold, bool* stale)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(flush_mu_);
  // RecoverOnce() on a Redis Cluster: the journals of every slot that has one.
  absl::StatusOr<size_t> RecoverOnceOnCluster(absl::Duration min_age, size_t limit, size_t* fetched)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(flush_mu_);
  // HMGET of journal entries by id, from each id's journal; in the order of `ids`.
  absl::StatusOr<std::vector<RedisReply>> ReadEntries(const std::vector<std::string>& ids);
  // HDEL and ZREM of journal entries from each id's journal.
  absl::Status DeleteEntries(const std::vector<std::string>& ids);
  // One round of Recover(): at most `limit` entries; *fetched is how many were old enough.
  absl::StatusOr<size_t> RecoverOnce(absl::Duration min_age, size_t limit, size_t* fetched)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(flush_mu_);
  // Folds the entries this process gave up (dropped_); they stay there if Redis fails.
  absl::StatusOr<size_t> RetryDropped() ABSL_EXCLUSIVE_LOCKS_REQUIRED(flush_mu_);
  // Folds the journal entries `ids` with `payloads` (nil: gone), skipping this process's
  // own; a damaged entry is deleted. Returns how many were folded.
  absl::StatusOr<size_t> FoldEntries(const std::vector<RedisReply>& ids,
                                     const std::vector<RedisReply>& payloads)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(flush_mu_);

  RedisClient& redis_;
  const absl::Duration flush_interval_;
  const size_t max_members_;
  const std::string spill_file_;
  absl::Mutex flush_mu_ ABSL_ACQUIRED_BEFORE(mu_);  // one flush or recovery at a time
  // Spilled calls of an earlier version, sent before the aggregate.
  std::vector<SiteDelta::Call> restored_ ABSL_GUARDED_BY(flush_mu_);
  absl::Mutex mu_;
  std::vector<Fold> folds_ ABSL_GUARDED_BY(mu_);  // added since the last flush; last is open
  // The journalled batches this process holds in memory (added, not folded yet): recovery
  // leaves them to the flush.
  absl::flat_hash_set<std::string> own_ ABSL_GUARDED_BY(mu_);
  // Journalled batches whose fold failed or was stale: no process holds them, so this one
  // folds them from the journal at its next recovery, without waiting for RecoveryAge.
  std::vector<std::string> dropped_ ABSL_GUARDED_BY(flush_mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace bulletin::analytics
