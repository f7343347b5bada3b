// A real Redis Cluster for tests: `masters` redis-server processes plus `replicas` of
// each (default 3 + 3), on free loopback ports (client and cluster bus), each in its own
// temporary directory with `--cluster-enabled yes` and a short cluster-node-timeout
// (1000 ms), joined by `redis-cli --cluster create ... --cluster-replicas N --cluster-yes`;
// Start() returns once every node reports cluster_state:ok and every replica has synced. Every
// process is stopped by its PID. Kill/Restart and MasterOfSlot drive failover drills. Not
// thread-safe: one test thread drives it (the cluster itself is used from any thread through
// RedisClient).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/redis/redis_client.h"
#include "common/testing/process.h"
#include "common/testing/redis_server.h"

namespace bulletin::testing {

class RedisTestCluster {
 public:
  static constexpr absl::Duration kNodeTimeout = absl::Milliseconds(1000);

  // Unavailable when redis-server ($BULLETIN_REDIS_SERVER, else /usr/bin/redis-server) or
  // redis-cli ($BULLETIN_REDIS_CLI, else /usr/bin/redis-cli) is missing or the cluster
  // does not form within 30 s (the message names the log files).
  static absl::StatusOr<std::unique_ptr<RedisTestCluster>> Start(int masters = 3, int replicas = 1);
  ~RedisTestCluster();
  RedisTestCluster(const RedisTestCluster&) = delete;
  RedisTestCluster& operator=(const RedisTestCluster&) = delete;

  // redis-cluster://127.0.0.1:P1,... (every node a seed) and its options.
  std::string url() const;
  RedisOptions options() const;
  // One node reached directly (no routing), e.g. for CLUSTER KEYSLOT or INFO.
  RedisOptions NodeOptions(int node) const;
  int size() const { return static_cast<int>(nodes_.size()); }
  int port(int node) const;
  bool alive(int node) const;
  // The node's redis-server PID (0 when it is not running).
  pid_t pid(int node) const;

  // The node serving `slot` as master, asked of a live node (CLUSTER SLOTS).
  absl::StatusOr<int> MasterOfSlot(int slot) const;
  // SIGKILL, like a crashed machine (after making its append-only file current).
  void Kill(int node);
  // Starts a killed node again on its port, directory and nodes.conf; it rejoins (as a
  // replica if it was failed over). Waits for PING.
  absl::Status Restart(int node);
  // Waits until a live node other than `old_master` serves `slot` and the cluster is ok;
  // returns the new master.
  absl::StatusOr<int> WaitForNewMaster(int slot, int old_master, absl::Duration timeout);
  // Waits until every live node reports cluster_state:ok and every replica has synced.
  absl::Status WaitHealthy(absl::Duration timeout) const;
  // FLUSHALL on every master (between test cases).
  absl::Status FlushAll() const;

 private:
  struct Node {
    TempDir dir;
    int port = 0;
    int bus_port = 0;
    ChildProcess process;
  };
  RedisTestCluster() = default;
  absl::Status Launch(Node& node);
  absl::Status Create(int replicas);

  std::vector<std::unique_ptr<Node>> nodes_;
  TempDir dir_;  // redis-cli's log
};

// The Redis of a redis-tier test: one redis-server, or a RedisTestCluster when the
// environment has BULLETIN_TEST_REDIS=cluster -- how the redis-cluster label runs the same
// tests again (bulletin_redis_cluster_tests in common/testing/CMakeLists.txt).
class TestRedis {
 public:
  static bool ClusterMode();
  static absl::StatusOr<std::unique_ptr<TestRedis>> Start();

  bool is_cluster() const { return cluster_ != nullptr; }
  RedisOptions options() const;
  std::string url() const;
  // SIGKILL of the server, or of every node of the cluster.
  void Kill();
  // Starts what Kill stopped; waits until it serves again (a cluster: cluster_state:ok).
  absl::Status Restart();
  absl::Status FlushAll();
  RedisServer* server() { return server_.get(); }
  RedisTestCluster* cluster() { return cluster_.get(); }

 private:
  std::unique_ptr<RedisServer> server_;
  std::unique_ptr<RedisTestCluster> cluster_;
};

}  // namespace bulletin::testing
