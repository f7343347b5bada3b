// The whole of Bulletin for end-to-end tests: a real redis-server and the three real
// service binaries (from build/bin) on free loopback ports, with a tokens file, each
// stopped by its PID when the System is destroyed. Service logs go to the temp dir and
// are printed when a test fails, so a red test explains itself. For failure drills a
// service or Redis can be SIGKILLed by PID and restarted on the same port, flags and data,
// as a supervisor would. A System can run several replicas of each service, as an operator
// scales them (content then on a PostgreSQL the System starts); every method that names a
// service takes the replica, 0 by default. Redis can be a Redis Cluster (3 masters + 3
// replicas) instead of one server, for failover drills that SIGKILL the master owning a key.
// Not thread-safe: one test thread drives a System.
#pragma once

#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bulletin/analytics/v1/analytics.grpc.pb.h"
#include "bulletin/content/v1/content.grpc.pb.h"
#include "bulletin/notify/v1/notify.grpc.pb.h"
#include "common/redis/redis_client.h"
#include "common/testing/postgres_server.h"
#include "common/testing/process.h"
#include "common/testing/redis_cluster.h"
#include "common/testing/redis_server.h"

namespace bulletin::testing {

inline constexpr char kAdminToken[] = "admin-token-for-tests-0001";
inline constexpr char kEditorToken[] = "editor-token-for-tests-0001";
inline constexpr char kFrontendToken[] = "frontend-token-for-tests-0001";
inline constexpr char kPartnerToken[] = "partner-token-for-tests-0001";
inline constexpr char kOtherPartnerToken[] = "partner-token-for-tests-0002";

// The three services of a System.
enum class Service { kContent, kAnalytics, kNotifications };
inline constexpr Service kAllServices[] = {Service::kContent, Service::kAnalytics,
                                           Service::kNotifications};
// "bulletin-content", "bulletin-analytics", "bulletin-notifications".
const char* BinaryName(Service service);

struct SystemOptions {
  // Flags appended to each service's defaults (a later flag wins over an earlier one).
  std::map<Service, std::vector<std::string>> extra_flags;
  // Redis fsyncs its append-only file before it answers (appendfsync always, set again
  // after every RestartRedis), so a SIGKILL of redis-server loses no acknowledged write.
  // Otherwise Redis runs with everysec, as common/testing starts it.
  bool redis_fsync_always = false;
  // Replicas of each service (1 when absent). Content with more than one runs on
  // PostgreSQL, as it must.
  std::map<Service, int> replicas;
  // Content on a PostgreSQL 15 started by the System (implied by content replicas > 1).
  bool content_on_postgres = false;
  // Redis is a RedisTestCluster (3 masters, each with a replica) and every service gets
  // its redis-cluster:// URL; redis() is then not available (see cluster()).
  // redis_fsync_always does not apply to a cluster.
  bool redis_cluster = false;
};

class System {
 public:
  // Starts Redis (and PostgreSQL when content needs it), seeds the demo data, then starts
  // every replica of content, analytics and notifications and waits until each reports
  // SERVING.
  absl::Status Start(const SystemOptions& options = {});
  ~System();

  // The one redis-server (not with redis_cluster).
  RedisServer& redis() { return *redis_; }
  // The cluster (only with redis_cluster).
  RedisTestCluster& cluster() { return *cluster_; }
  // What the services were given: redis://... or redis-cluster://..., and as options.
  std::string redis_url() const;
  RedisOptions redis_options() const;
  std::string content_addr() const { return addr(Service::kContent); }
  std::string analytics_addr() const { return addr(Service::kAnalytics); }
  std::string notify_addr() const { return addr(Service::kNotifications); }
  // http://127.0.0.1:PORT/metrics of the (first) content replica's Prometheus endpoint.
  std::string content_metrics_url() const {
    return "http://127.0.0.1:" + std::to_string(content_metrics_port_) + "/metrics";
  }
  const std::string& demo_article_id() const { return demo_id_; }
  const std::string& demo_slug() const { return demo_slug_; }
  // How many replicas of `service` run (or ran).
  int replicas(Service service) const;

  std::unique_ptr<content::v1::ContentService::Stub> Content(int replica = 0);
  std::unique_ptr<analytics::v1::AnalyticsService::Stub> Analytics(int replica = 0);
  std::unique_ptr<notify::v1::NotificationService::Stub> Notify(int replica = 0);

  // SIGTERM to each service replica (notifications, analytics, content); returns how each
  // ended, as from waitpid. The destructor does this for services still running.
  std::vector<int> StopServices();

  // The services' logs, for failure messages.
  std::string Logs() const;

  // Failure drills. Every process is addressed by its PID, never by name.
  std::string addr(Service service, int replica = 0) const;
  pid_t pid(Service service, int replica = 0) const;
  // SIGKILL to the replica's PID; returns once it has exited (waitpid status).
  int Kill(Service service, int replica = 0);
  // Starts the replica again on the same port with the same flags and data (content's
  // SQLite file stays in the System's directory); FailedPrecondition if it is running.
  // Does not wait: see WaitServing.
  absl::Status Restart(Service service, int replica = 0);
  // Polls the standard health check of the replica until it answers SERVING; returns how
  // long that took, or DeadlineExceeded after `timeout`.
  absl::StatusOr<absl::Duration> WaitServing(Service service, absl::Duration timeout,
                                             int replica = 0);
  // SIGKILL to redis-server (the acknowledged writes are in its append-only file first),
  // and a restart on the same port and directory that waits for PING; with
  // redis_fsync_always, appendfsync always is set again before RestartRedis returns.
  // One server only: on a cluster, KillMasterOf and RestartRedisNode.
  void KillRedis();
  absl::Status RestartRedis();

  // Cluster drills (redis_cluster only). The cluster node serving `key`'s slot as master.
  absl::StatusOr<int> MasterOf(const std::string& key) const;
  // SIGKILL (by PID) of the master serving `key`'s slot; returns the killed node.
  absl::StatusOr<int> KillMasterOf(const std::string& key);
  // Waits until a node other than `old_master` serves `key`'s slot and the cluster is ok
  // again; returns the new master.
  absl::StatusOr<int> WaitFailover(const std::string& key, int old_master, absl::Duration timeout);
  // Starts a killed cluster node again (it rejoins as a replica of the node that took over)
  // and waits until every node is ok and every replica has synced.
  absl::Status RestartRedisNode(int node);

 private:
  // One running replica of a service.
  struct Instance {
    ChildProcess process;
    int port = 0;
    std::vector<std::string> args;  // as last started, for Restart
    std::string log;
  };

  absl::Status StartInstance(Service service, int replica, std::vector<std::string> extra);
  absl::Status SetRedisFsyncAlways();
  absl::Status Seed(const std::string& db);
  absl::Status WaitDemoEventRelayed();
  Instance& instance(Service service, int replica);
  const Instance& instance(Service service, int replica) const;

  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<RedisTestCluster> cluster_;
  std::unique_ptr<PostgresServer> postgres_;
  TempDir dir_;
  int content_metrics_port_ = 0;
  std::string demo_id_;
  std::string demo_slug_;
  SystemOptions options_;
  std::map<Service, std::vector<std::unique_ptr<Instance>>> instances_;
};

// A client context with `token` as bearer token (none if empty) and a deadline.
std::unique_ptr<grpc::ClientContext> Context(const std::string& token = "",
                                             absl::Duration timeout = absl::Seconds(5));

// The body of an HTTP GET of `url`, or an error.
absl::StatusOr<std::string> HttpGet(const std::string& url);

// Whether `addr` answers the standard health check with SERVING.
bool IsServing(const std::string& addr);

}  // namespace bulletin::testing
