#include "common/testing/redis_cluster.h"

#include <signal.h>

#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace bulletin::testing {
namespace {

std::string Binary(const char* env, const char* fallback) {
  const char* value = std::getenv(env);
  return value && *value ? value : fallback;
}

std::string ReadFile(const std::string& path) {
  std::string out;
  if (FILE* f = std::fopen(path.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
    std::fclose(f);
  }
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RedisTestCluster>> RedisTestCluster::Start(int masters,
                                                                          int replicas) {
  if (masters < 3) return absl::InvalidArgumentError("a Redis Cluster needs 3 masters or more");
  std::unique_ptr<RedisTestCluster> cluster(new RedisTestCluster());
  const int total = masters * (1 + replicas);
  for (int i = 0; i < total; ++i) {
    auto node = std::make_unique<Node>();
    if (node->dir.path().empty()) return absl::InternalError("cannot create a temp dir");
    node->port = FreePort();
    do {
      node->bus_port = FreePort();
    } while (node->bus_port == node->port);
    if (absl::Status s = cluster->Launch(*node); !s.ok()) return s;
    cluster->nodes_.push_back(std::move(node));
  }
  if (absl::Status s = cluster->Create(replicas); !s.ok()) return s;
  if (absl::Status s = cluster->WaitHealthy(absl::Seconds(30)); !s.ok()) return s;
  return cluster;
}

RedisTestCluster::~RedisTestCluster() {
  for (auto& node : nodes_) node->process.Stop(SIGTERM, absl::Seconds(5));
}

absl::Status RedisTestCluster::Launch(Node& node) {
  const std::string path = Binary("BULLETIN_REDIS_SERVER", "/usr/bin/redis-server");
  absl::Status s = node.process.Start(path, {"--port",
                                             absl::StrCat(node.port),
                                             "--cluster-port",
                                             absl::StrCat(node.bus_port),
                                             "--bind",
                                             "127.0.0.1",
                                             "--dir",
                                             node.dir.path(),
                                             "--cluster-enabled",
                                             "yes",
                                             "--cluster-config-file",
                                             "nodes.conf",
                                             "--cluster-node-timeout",
                                             absl::StrCat(absl::ToInt64Milliseconds(kNodeTimeout)),
                                             "--appendonly",
                                             "yes",
                                             "--appendfsync",
                                             "everysec",
                                             "--save",
                                             "",
                                             "--daemonize",
                                             "no",
                                             "--logfile",
                                             node.dir.path() + "/redis.log"});
  if (!s.ok()) return s;
  RedisOptions o;
  o.port = node.port;
  RedisClient client(o);
  if (!WaitUntil([&] { return client.Command({"PING"}).ok(); }, absl::Seconds(10))) {
    return absl::UnavailableError(absl::StrCat("redis-server (", path,
                                               ") did not answer PING on port ", node.port,
                                               "; see ", node.dir.path(), "/redis.log"));
  }
  return absl::OkStatus();
}

absl::Status RedisTestCluster::Create(int replicas) {
  const std::string cli = Binary("BULLETIN_REDIS_CLI", "/usr/bin/redis-cli");
  std::vector<std::string> args = {"--cluster", "create"};
  for (const auto& node : nodes_) args.push_back(absl::StrCat("127.0.0.1:", node->port));
  args.insert(args.end(), {"--cluster-replicas", absl::StrCat(replicas), "--cluster-yes"});
  const std::string log = dir_.path() + "/create.log";
  ChildProcess create;
  if (absl::Status s = create.Start(cli, args, {}, log); !s.ok()) return s;
  if (!WaitUntil([&] { return !create.running(); }, absl::Seconds(30))) {
    create.Stop(SIGKILL);
    return absl::UnavailableError("redis-cli --cluster create did not finish; see " + log);
  }
  if (!absl::StrContains(ReadFile(log), "All 16384 slots covered")) {
    return absl::UnavailableError("redis-cli --cluster create failed; see " + log);
  }
  return absl::OkStatus();
}

std::string RedisTestCluster::url() const {
  std::vector<std::string> seeds;
  for (const auto& node : nodes_) seeds.push_back(absl::StrCat("127.0.0.1:", node->port));
  return "redis-cluster://" + absl::StrJoin(seeds, ",");
}

RedisOptions RedisTestCluster::options() const {
  RedisOptions o;
  o.cluster = true;
  for (const auto& node : nodes_) o.seeds.push_back({"127.0.0.1", node->port});
  o.host = "127.0.0.1";
  o.port = nodes_.front()->port;
  return o;
}

RedisOptions RedisTestCluster::NodeOptions(int node) const {
  RedisOptions o;
  o.port = nodes_[node]->port;
  return o;
}

int RedisTestCluster::port(int node) const { return nodes_[node]->port; }

bool RedisTestCluster::alive(int node) const { return nodes_[node]->process.pid() > 0; }

pid_t RedisTestCluster::pid(int node) const { return nodes_[node]->process.pid(); }

absl::StatusOr<int> RedisTestCluster::MasterOfSlot(int slot) const {
  absl::Status last = absl::UnavailableError("no live node");
  for (int i = 0; i < size(); ++i) {
    if (!alive(i)) continue;
    RedisClient client(NodeOptions(i));
    absl::StatusOr<RedisReply> r = client.Command({"CLUSTER", "SLOTS"});
    if (!r.ok()) {
      last = r.status();
      continue;
    }
    for (const RedisReply& range : r->elements) {
      if (range.elements.size() < 3 || range.elements[0].integer > slot ||
          range.elements[1].integer < slot || range.elements[2].elements.size() < 2) {
        continue;
      }
      const long long port = range.elements[2].elements[1].integer;
      for (int n = 0; n < size(); ++n) {
        if (nodes_[n]->port == port) return n;
      }
    }
    return absl::NotFoundError(absl::StrCat("no master serves slot ", slot));
  }
  return last;
}

void RedisTestCluster::Kill(int node) {
  RedisClient client(NodeOptions(node));
  (void)client.Command({"CONFIG", "SET", "appendfsync", "always"});
  nodes_[node]->process.Stop(SIGKILL);
}

absl::Status RedisTestCluster::Restart(int node) {
  nodes_[node]->process.Stop(SIGTERM);
  return Launch(*nodes_[node]);
}

absl::Status RedisTestCluster::WaitHealthy(absl::Duration timeout) const {
  std::string why;
  const bool ok = WaitUntil(
      [&] {
        for (int i = 0; i < size(); ++i) {
          if (!alive(i)) continue;
          RedisClient client(NodeOptions(i));
          absl::StatusOr<RedisReply> info = client.Command({"CLUSTER", "INFO"});
          if (!info.ok() || !absl::StrContains(info->str, "cluster_state:ok")) {
            why = absl::StrCat("node ", i, " (port ", nodes_[i]->port, ") is not ok");
            return false;
          }
          // A replica that has not synced yet could not take over.
          absl::StatusOr<RedisReply> repl = client.Command({"INFO", "replication"});
          if (!repl.ok() || (absl::StrContains(repl->str, "role:slave") &&
                             !absl::StrContains(repl->str, "master_link_status:up"))) {
            why = absl::StrCat("replica ", i, " (port ", nodes_[i]->port, ") has not synced");
            return false;
          }
        }
        return true;
      },
      timeout);
  if (!ok) return absl::UnavailableError("redis cluster not healthy: " + why);
  return absl::OkStatus();
}

absl::StatusOr<int> RedisTestCluster::WaitForNewMaster(int slot, int old_master,
                                                       absl::Duration timeout) {
  int master = -1;
  const bool ok = WaitUntil(
      [&] {
        absl::StatusOr<int> m = MasterOfSlot(slot);
        if (!m.ok() || *m == old_master || !alive(*m)) return false;
        master = *m;
        return true;
      },
      timeout);
  if (!ok) return absl::UnavailableError(absl::StrCat("no new master for slot ", slot));
  RedisClient client(NodeOptions(master));
  if (!WaitUntil(
          [&] {
            absl::StatusOr<RedisReply> info = client.Command({"CLUSTER", "INFO"});
            return info.ok() && absl::StrContains(info->str, "cluster_state:ok");
          },
          timeout)) {
    return absl::UnavailableError("cluster_state not ok after the failover");
  }
  return master;
}

absl::Status RedisTestCluster::FlushAll() const {
  for (int i = 0; i < size(); ++i) {
    if (!alive(i)) continue;
    RedisClient client(NodeOptions(i));
    absl::StatusOr<RedisReply> role = client.Command({"ROLE"});
    if (!role.ok()) return role.status();
    if (role->elements.empty() || role->elements[0].str != "master") continue;
    if (absl::StatusOr<RedisReply> r = client.Command({"FLUSHALL"}); !r.ok()) return r.status();
  }
  return absl::OkStatus();
}

bool TestRedis::ClusterMode() {
  const char* mode = std::getenv("BULLETIN_TEST_REDIS");
  return mode != nullptr && std::string(mode) == "cluster";
}

absl::StatusOr<std::unique_ptr<TestRedis>> TestRedis::Start() {
  auto redis = std::make_unique<TestRedis>();
  if (ClusterMode()) {
    absl::StatusOr<std::unique_ptr<RedisTestCluster>> cluster = RedisTestCluster::Start();
    if (!cluster.ok()) return cluster.status();
    redis->cluster_ = std::move(*cluster);
  } else {
    absl::StatusOr<std::unique_ptr<RedisServer>> server = RedisServer::Start();
    if (!server.ok()) return server.status();
    redis->server_ = std::move(*server);
  }
  return redis;
}

RedisOptions TestRedis::options() const {
  return cluster_ ? cluster_->options() : server_->options();
}

std::string TestRedis::url() const { return cluster_ ? cluster_->url() : server_->url(); }

void TestRedis::Kill() {
  if (server_) return server_->Kill();
  for (int i = 0; i < cluster_->size(); ++i) {
    if (cluster_->alive(i)) cluster_->Kill(i);
  }
}

absl::Status TestRedis::Restart() {
  if (server_) return server_->Restart();
  for (int i = 0; i < cluster_->size(); ++i) {
    if (cluster_->alive(i)) continue;
    if (absl::Status s = cluster_->Restart(i); !s.ok()) return s;
  }
  return cluster_->WaitHealthy(absl::Seconds(30));
}

absl::Status TestRedis::FlushAll() {
  if (cluster_) return cluster_->FlushAll();
  RedisClient client(server_->options());
  return client.Command({"FLUSHALL"}).status();
}

}  // namespace bulletin::testing
