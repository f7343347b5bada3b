// ServiceRunner: the life of a service process once its config is parsed, the same for every
// service, so that each main.cc is config plus wiring. It starts logging and the metrics
// endpoint, serves the gRPC services, keeps health honest (NOT_SERVING while any watched
// dependency is down, and from the first shutdown signal on), waits for SIGTERM/SIGINT,
// drains in-flight calls, then stops the service's components in reverse order of
// registration. Configure it from main's thread before Serve(); ReportHealth may be called
// from any thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/grpc/decoded_service.h"
#include "common/grpc/rate_limit.h"
#include "common/grpc/server.h"
#include "common/metrics/http_endpoint.h"
#include "common/metrics/metrics.h"
#include "common/redis/redis_client.h"
#include "common/service/service_flags.h"

namespace bulletin {

class ServiceRunner {
 public:
  // `service` is the short name ("content"): the logger's name, the bulletin_service_info
  // label and "bulletin-<service>" in messages. `flags` must be validated and outlive this.
  ServiceRunner(std::string service, const ServiceFlags& flags);
  ~ServiceRunner();

  // Starts logging and the metrics endpoint (StartService). UNAVAILABLE naming
  // --metrics-listen when it cannot listen.
  absl::Status Init();

  // Polls `probe` every `interval` on the runner's health thread while serving; its
  // result feeds ReportHealth(dependency, ...). The gauge `bulletin_<dependency>_up` shows
  // it (1 up, 0 down).
  void Watch(const std::string& dependency, std::function<bool()> probe,
             absl::Duration interval = absl::Seconds(2));
  // Watch("redis", PING answered).
  void WatchRedis(RedisClient& redis, absl::Duration interval = absl::Seconds(2));

  // For dependencies that report themselves (e.g. a stream reader that notices Redis is
  // gone): the server is SERVING only while every dependency reported up. Thread-safe.
  void ReportHealth(const std::string& dependency, bool up) ABSL_LOCKS_EXCLUDED(mu_);

  // Runs after the shutdown signal, before the drain (e.g. end long-lived streams).
  void BeforeDrain(std::function<void()> fn);
  // Runs after the drain, in reverse order of registration (e.g. stop consumers, then
  // flush batchers). Also runs when Serve fails to start the server.
  void AtShutdown(std::function<void()> fn);

  // Starts the gRPC server with `services` (each must be Complete(); every call passes the
  // runner's gate), then the health watch; waits for SIGTERM or
  // SIGINT (main must have called BlockShutdownSignals() first); turns NOT_SERVING, runs
  // the BeforeDrain hooks, drains, runs the AtShutdown hooks. Returns main's exit code:
  // 0 after a clean stop, 2 when the server could not start (the reason on stderr).
  int Serve(const std::vector<DecodedService*>& services);

  // The port the server listens on, once Serve has started it (0 before). Thread-safe.
  int port() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Probe {
    std::string dependency;
    std::function<bool()> check;
    absl::Duration interval;
    absl::Time next = absl::InfinitePast();
  };

  void RunHealthWatch() ABSL_LOCKS_EXCLUDED(mu_);
  void ApplyHealth() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RunShutdownHooks();

  const std::string service_;
  const ServiceFlags& flags_;
  std::unique_ptr<metrics::HttpEndpoint> metrics_endpoint_;
  std::unique_ptr<CallLimiter> limiter_;  // the gate of every call (--rate-* flags)
  std::vector<Probe> probes_;
  std::vector<std::function<void()>> before_drain_;
  std::vector<std::function<void()>> at_shutdown_;
  std::thread health_thread_;

  mutable absl::Mutex mu_;
  GrpcServer* server_ ABSL_GUARDED_BY(mu_) = nullptr;
  int port_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_map<std::string, bool> up_ ABSL_GUARDED_BY(mu_);
};

}  // namespace bulletin
