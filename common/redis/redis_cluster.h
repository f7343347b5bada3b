// The Redis Cluster side of RedisClient (internal to common/redis): the slot map read
// with CLUSTER SLOTS from the seed nodes, a RedisNodePool per master, and the routing of
// every command to the master of its keys' slot (redis_slot.h). MOVED updates the map and
// resends; ASK resends once to the named node after ASKING; TRYAGAIN, CLUSTERDOWN,
// READONLY and a node that refuses connections are retried with back-off and a fresh
// map (how a failover is followed) for at most RedisOptions::cluster_retry, unless no node
// answers CLUSTER SLOTS (the whole cluster is down: UNAVAILABLE at once). Only what
// cannot have run is resent: a connection lost after sending is UNAVAILABLE, as with one
// node. A pipeline is split per node, each part in one round trip on one connection,
// and the replies are put back in the caller's order; a command without keys follows
// the one before it (WAIT after XADD), and goes again with it to the node it is redirected
// to; CROSSSLOT is answered without sending.
// Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/redis/redis_client.h"
#include "common/redis/redis_node_pool.h"

namespace bulletin {

class RedisCluster {
 public:
  explicit RedisCluster(const RedisOptions& options);

  // As RedisNodePool::Run, routed: the replies in the order of `commands`. A command
  // without keys and none before it goes to the master of `keyless_slot` (-1: any).
  absl::StatusOr<std::vector<RedisReply>> Run(const std::vector<RedisArgv>& commands,
                                              absl::Duration timeout, int keyless_slot = -1);

  // Reads the slot map again now (tests; Run does so on its own when needed).
  absl::Status Refresh() { return RefreshMap(/*force=*/true); }
  // "host:port" of the master the map names for `slot` ("" when unknown).
  std::string MasterOf(int slot) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  using PoolPtr = std::shared_ptr<RedisNodePool>;
  struct Pending;

  PoolPtr Pool(const std::string& host, int port) ABSL_LOCKS_EXCLUDED(mu_);
  // The master of `slot`, or any known master for slot -1; null when the map is empty.
  PoolPtr NodeOf(int slot) ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status RefreshMap(bool force) ABSL_LOCKS_EXCLUDED(mu_, refresh_mu_);
  absl::Status LoadMap(RedisNodePool& from) ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::vector<RedisReply>> Broadcast(const RedisArgv& argv, absl::Duration timeout);

  const RedisOptions options_;
  absl::Mutex refresh_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  absl::Time last_refresh_ ABSL_GUARDED_BY(refresh_mu_) = absl::InfinitePast();
  absl::Mutex mu_;
  std::map<std::string, PoolPtr> pools_ ABSL_GUARDED_BY(mu_);  // by "host:port"
  std::vector<PoolPtr> slots_ ABSL_GUARDED_BY(mu_);            // kClusterSlots masters
};

}  // namespace bulletin
