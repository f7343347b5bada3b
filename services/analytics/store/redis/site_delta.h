// SiteDelta: the deferred Redis updates of some batches, aggregated -- summed INCRBY and
// ZINCRBY amounts per key and member, PFADD members, and each key's time to live -- and
// turned into the arguments of the one Lua script that applies them (Calls, Script). The
// script first checks that the batches' journal entries are all still there and deletes
// them with the updates, so a batch is applied once (site_updates.h). Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/time/time.h"

namespace bulletin::analytics {

class SiteDelta {
 public:
  // Each call also sets the key's time to live (zero: none).
  void ZIncr(const std::string& key, const std::string& member, double by, absl::Duration ttl);
  void Incr(const std::string& key, int64_t by, absl::Duration ttl);
  // The PFADD member set of `key` (one key lookup for many members); valid until the
  // delta is moved or destroyed.
  using Members = absl::flat_hash_set<std::string>;
  Members& MembersOf(const std::string& key, absl::Duration ttl);

  bool empty() const { return ttl_.empty(); }

  // The updates (keys, args) of this delta in Script()'s operation format, each call with
  // at most about `max_args` arguments.
  struct Call {
    std::vector<std::string> keys, args;
  };
  std::vector<Call> Calls(size_t max_args) const;
  // The Lua script that applies one call in one atomic step, guarded by journal entries:
  //   KEYS: the journal hash and its sorted set of times (view_keys.h), then the call's.
  //   ARGV: n, n journal ids, then the call's operations (key indexes count from the
  //         call's first key).
  // Returns 0 and changes nothing when one of the ids is not in the journal (already
  // folded); else applies the operations, deletes the ids and returns 1. n = 0 applies
  // the call unguarded.
  static const char* Script();
  // The same for the site-wide side of batches on a Redis Cluster: KEYS[1..2] are the
  // folded markers (view_keys.h site::Folded); returns 0 and changes nothing when one of
  // the ids is marked folded already; else applies, marks the ids and returns 1.
  static const char* MarkedScript();

  // The delta split by the Redis Cluster slot of its keys.
  std::map<int, SiteDelta> BySlot() const;

 private:
  absl::flat_hash_map<std::string, absl::flat_hash_map<std::string, double>> zincr_;
  absl::flat_hash_map<std::string, int64_t> incr_;
  absl::node_hash_map<std::string, Members> pfadd_;  // node: MembersOf references stay valid
  absl::flat_hash_map<std::string, absl::Duration> ttl_;
};

}  // namespace bulletin::analytics
