// The deferred side of counted views, off the request path: each article's day, hour
// and minute buckets, the site counters and visitor HyperLogLogs, and the top-list and
// trend sorted sets.
//
// Record() adds each batch's views to an in-process ViewAggregate (counts, trend weights
// and deduplicated visitors per article and minute); a thread turns it into Redis updates
// (a SiteDelta: summed increments per key and sorted-set member, HyperLogLog members) and
// sends them every `flush_interval` as a few EVALSHA calls of one Lua script, so
// Redis does one command per key (and sorted-set member) per interval instead of a dozen
// per view. Time buckets, top lists and site counters are therefore up to one interval
// stale; an article's all-time totals are not affected. A flush that fails (Redis down)
// keeps its updates for the next one; members beyond `max_members` are dropped with a
// warning (HyperLogLog estimates only). Stop() (and the destructor) sends what is left,
// or writes it to the spill file when Redis is down; Restore() sends it after a restart.
// The script's keys span several articles (and Redis Cluster slots): a single Redis, as
// the counting script. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/redis/redis_client.h"
#include "services/analytics/store/redis/view_aggregate.h"

namespace bulletin::analytics {

// One interval's deferred updates, aggregated. Not thread-safe.
class SiteDelta {
 public:
  // At most `max_members` HyperLogLog members are kept; the rest are counted as dropped.
  explicit SiteDelta(size_t max_members = std::numeric_limits<size_t>::max())
      : max_members_(max_members) {}

  // Each call also sets the key's time to live (zero: none).
  void ZIncr(const std::string& key, const std::string& member, double by, absl::Duration ttl);
  void Incr(const std::string& key, int64_t by, absl::Duration ttl);
  void PfAdd(const std::string& key, const std::string& member, absl::Duration ttl);
  // The member set of `key`, for many PfAdds to one key with one key lookup; valid until
  // the delta is merged, moved or destroyed.
  using Members = absl::flat_hash_set<std::string>;
  Members& MembersOf(const std::string& key, absl::Duration ttl);
  void AddMember(Members& members, const std::string& member);

  // Adds `other` into this one (members above the limit are dropped).
  void Merge(SiteDelta&& other);
  bool empty() const { return ttl_.empty(); }
  size_t members() const { return members_; }
  size_t dropped() const { return dropped_; }

  // The EVALSHA calls of kSiteScript (keys, args) that apply this delta, each with at
  // most about `max_args` arguments.
  struct Call {
    std::vector<std::string> keys, args;
  };
  std::vector<Call> Calls(size_t max_args) const;
  // The updates of one call (to keep what a failed call did not apply).
  static SiteDelta FromCall(const Call& call);

 private:
  absl::flat_hash_map<std::string, absl::flat_hash_map<std::string, double>> zincr_;
  absl::flat_hash_map<std::string, int64_t> incr_;
  absl::node_hash_map<std::string, Members> pfadd_;  // node: MembersOf references stay valid
  absl::flat_hash_map<std::string, absl::Duration> ttl_;
  size_t max_members_;
  size_t members_ = 0;
  size_t dropped_ = 0;
};

class SiteUpdates {
 public:
  // `redis` must outlive this. A zero `flush_interval` starts no thread: the caller
  // flushes (RedisViewStore does after every batch).
  // `spill_file` (empty: none) is where Stop() writes what Redis did not take.
  SiteUpdates(RedisClient& redis, absl::Duration flush_interval, size_t max_members = 1000000,
              std::string spill_file = "");
  ~SiteUpdates();  // Stop()

  // Runs `fill` on the pending aggregate of views (under its lock: keep it short).
  void Add(absl::FunctionRef<void(ViewAggregate&)> fill);

  // Sends everything added so far. UNAVAILABLE (or the script's error) when Redis did not
  // take it; the updates are then kept for the next flush.
  absl::Status Flush();

  // Reads the updates a previous process spilled (and removes the file); they are sent
  // with the next flush. INVALID_ARGUMENT naming --spill-file for a malformed file.
  absl::Status Restore();

  // Stops the thread and flushes once more; what Redis does not take goes to the spill
  // file (or is logged as lost without one). Idempotent.
  void Stop();

  absl::Duration flush_interval() const { return flush_interval_; }

 private:
  void Run();

  RedisClient& redis_;
  const absl::Duration flush_interval_;
  const size_t max_members_;
  const std::string spill_file_;
  std::mutex flush_mu_;  // one flush at a time, so failed updates go back in order
  // Spilled calls of a previous process, sent before the aggregate.
  std::vector<SiteDelta::Call> restored_ ABSL_GUARDED_BY(flush_mu_);
  std::mutex mu_;
  std::condition_variable cv_;
  ViewAggregate views_ ABSL_GUARDED_BY(mu_);  // added since the last flush
  SiteDelta pending_ ABSL_GUARDED_BY(mu_);    // what earlier flushes could not send
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace bulletin::analytics
