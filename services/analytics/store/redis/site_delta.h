// SiteDelta: one interval's deferred Redis updates, aggregated -- summed INCRBY and ZINCRBY
// amounts per key and member, PFADD members, and each key's time to live -- and turned into
// the argument lists of one Lua script that applies them (Calls, Script), or back
// (FromCall, for what a failed call did not apply). Past `max_members` HyperLogLog members
// the rest are dropped and counted. Not thread-safe.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/time/time.h"

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

  // The calls of Script() (keys, args) that apply this delta, each with at most about
  // `max_args` arguments.
  struct Call {
    std::vector<std::string> keys, args;
  };
  std::vector<Call> Calls(size_t max_args) const;
  // The updates of one call (to keep what a failed call did not apply).
  static SiteDelta FromCall(const Call& call);
  // The Lua script that applies a call (one atomic step; keys under "{bulletin}").
  static const char* Script();

 private:
  absl::flat_hash_map<std::string, absl::flat_hash_map<std::string, double>> zincr_;
  absl::flat_hash_map<std::string, int64_t> incr_;
  absl::node_hash_map<std::string, Members> pfadd_;  // node: MembersOf references stay valid
  absl::flat_hash_map<std::string, absl::Duration> ttl_;
  size_t max_members_;
  size_t members_ = 0;
  size_t dropped_ = 0;
};

}  // namespace bulletin::analytics
