// The flags every Bulletin service binary takes, and the start-up they drive, so that the
// three mains read, check and report them the same way:
//   --listen, --max-message-bytes, --drain-timeout, --tls-* (RegisterServerFlags),
//   --redis, --auth-tokens-file, --worker-threads, --log-format, --log-level,
//   --metrics-listen, --rate-anonymous, --rate-token, --rate-role, --rate-method.
// Order in a main: RegisterServiceFlags (with the service's defaults set first), parse,
// ValidateServiceFlags (with the service's own checks), StartService, build, serve.
// Errors name the flag; a main prints them with StartupError and exits 2. Not thread-safe:
// configure once, in main.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/base/auth.h"
#include "common/base/flags.h"
#include "common/grpc/rate_limit.h"
#include "common/grpc/server.h"
#include "common/metrics/http_endpoint.h"
#include "common/redis/redis_client.h"

namespace bulletin {

struct ServiceFlags {
  ServerConfig server;  // set server.listen to the service's default before registering
  std::string redis = "redis://127.0.0.1:6379";
  std::string auth_tokens_file;  // empty: no tokens, every write is UNAUTHENTICATED
  int64_t worker_threads = 8;    // threads for blocking store work, 1..256
  std::string log_format = "text";
  std::string log_level = "info";
  std::string metrics_listen;  // HOST:PORT of GET /metrics and /healthz; empty: off
  // Rate limits (common/grpc/rate_limit.h): RPS[:BURST], 0 = off, per peer address for
  // calls without a token, per principal for calls with one; per role and per method lists
  // of NAME=RPS[:BURST].
  std::string rate_anonymous = "1000:2000";
  std::string rate_token = "2000:4000";
  std::string rate_role = "frontend=0,partner=100:500";
  std::string rate_method;

  // Set by ValidateServiceFlags.
  RedisOptions redis_options;
  TokenStore tokens;
  RateLimitConfig rate_limits;  // for a CallLimiter
};

// Adds the flags above to `flags`. The fields' current values are the defaults that
// --help shows, so set the service's own defaults (server.listen, worker_threads) first.
void RegisterServiceFlags(FlagSet& flags, ServiceFlags* config);

// Checks every value (the TLS files too: readable PEM, the key matches), parses --redis
// into redis_options, the --rate-* flags into rate_limits, and loads --auth-tokens-file
// into tokens. InvalidArgument naming the flag (e.g.
// "--worker-threads: must be between 1 and 256"); nothing else happens, so a bad configuration
// exits before anything starts.
absl::Status ValidateServiceFlags(ServiceFlags& config);

// For a validated config: starts logging as `service` (one named spdlog logger), records
// process_start_time_seconds and bulletin_service_info{service} in the default metrics
// registry, warns when there are no tokens, and starts the metrics endpoint. Returns the
// endpoint (keep it alive while serving), or nullptr when --metrics-listen is empty.
// Unavailable naming --metrics-listen when it cannot listen.
absl::StatusOr<std::unique_ptr<metrics::HttpEndpoint>> StartService(const std::string& service,
                                                                    const ServiceFlags& config);

// Prints "PROGRAM: MESSAGE" to stderr and returns 2, the exit code for a bad configuration.
int StartupError(const std::string& program, const absl::Status& status);

}  // namespace bulletin
