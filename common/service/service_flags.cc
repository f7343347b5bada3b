#include "common/service/service_flags.h"

#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/base/log.h"
#include "common/base/status_macros.h"

namespace bulletin {

void RegisterServiceFlags(FlagSet& flags, ServiceFlags* config) {
  RegisterServerFlags(flags, &config->server);
  flags.String("redis", &config->redis, "Redis URL: redis://HOST:PORT[/DB]");
  flags.String("auth-tokens-file", &config->auth_tokens_file,
               "file of 'ROLE TOKEN [PARTNER_NAME]' lines; empty: no tokens, every write is "
               "UNAUTHENTICATED");
  flags.Int("worker-threads", &config->worker_threads,
            "threads doing the blocking Redis/database work of RPCs (1..256); gRPC callback "
            "threads never block");
  flags.String("log-format", &config->log_format, "text or json");
  flags.String("log-level", &config->log_level, "trace, debug, info, warn or error");
  flags.String("metrics-listen", &config->metrics_listen,
               "HOST:PORT serving Prometheus metrics (GET /metrics) and GET /healthz over "
               "HTTP; empty: off");
  flags.String("rate-anonymous", &config->rate_anonymous,
               "calls without a token: RPS[:BURST] per peer IP address (IPv6: per /64); 0: "
               "unlimited; over it, RESOURCE_EXHAUSTED with a retry-after-ms trailer");
  flags.String("rate-token", &config->rate_token,
               "calls with a token: RPS[:BURST] per principal (a partner's tokens share one); "
               "0: unlimited");
  flags.String("rate-role", &config->rate_role,
               "ROLE=RPS[:BURST],... replacing --rate-token for a role (admin, editor, "
               "frontend, partner); frontend=0 leaves the web tier, which carries every "
               "reader, unlimited");
  flags.String("rate-method", &config->rate_method,
               "METHOD=RPS[:BURST],... per caller for one method (bare name, e.g. "
               "SendTestEvent, or /package.Service/Method), on top of the limits above");
}

namespace {

absl::StatusOr<RateLimitConfig> ParseRateLimitFlags(const ServiceFlags& config) {
  RateLimitConfig limits;
  ASSIGN_OR_RETURN(limits.anonymous, ParseRateLimit(config.rate_anonymous, "rate-anonymous"));
  ASSIGN_OR_RETURN(limits.token, ParseRateLimit(config.rate_token, "rate-token"));
  ASSIGN_OR_RETURN(limits.roles, ParseRateLimitList(config.rate_role, "rate-role"));
  RETURN_IF_ERROR(CheckRateLimitRoles(limits, "rate-role"));
  ASSIGN_OR_RETURN(limits.methods, ParseRateLimitList(config.rate_method, "rate-method"));
  return limits;
}

}  // namespace

absl::Status ValidateServiceFlags(ServiceFlags& config) {
  if (config.worker_threads < 1 || config.worker_threads > 256) {
    return absl::InvalidArgumentError("--worker-threads: must be between 1 and 256");
  }
  if (config.log_format != "text" && config.log_format != "json") {
    return absl::InvalidArgumentError(
        absl::StrCat("--log-format: expected text or json, got \"", config.log_format, "\""));
  }
  spdlog::level::level_enum level = spdlog::level::from_str(config.log_level);
  if (level == spdlog::level::off && config.log_level != "off") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--log-level: expected trace, debug, info, warn or error, got \"", config.log_level, "\""));
  }
  if (!config.metrics_listen.empty()) {
    if (absl::Status s = metrics::CheckListenAddress(config.metrics_listen, "metrics-listen");
        !s.ok()) {
      return s;
    }
  }
  // Per-RPC metrics nobody can scrape are not worth their cost.
  config.server.rpc_metrics = !config.metrics_listen.empty();
  absl::StatusOr<RedisOptions> redis = ParseRedisUrl(config.redis);
  if (!redis.ok()) return redis.status();  // names --redis
  config.redis_options = *redis;
  ASSIGN_OR_RETURN(config.rate_limits, ParseRateLimitFlags(config));
  RETURN_IF_ERROR(CheckServerTls(config.server.tls));
  config.tokens = TokenStore();
  if (!config.auth_tokens_file.empty()) {
    absl::StatusOr<TokenStore> tokens = TokenStore::LoadFile(config.auth_tokens_file);
    if (!tokens.ok()) {
      absl::string_view why = tokens.status().message();
      return absl::InvalidArgumentError(
          absl::StartsWith(why, "--") ? why : absl::StrCat("--auth-tokens-file: ", why));
    }
    config.tokens = *std::move(tokens);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<metrics::HttpEndpoint>> StartService(const std::string& service,
                                                                    const ServiceFlags& config) {
  if (absl::Status s = InitLogging(service, config.log_format, config.log_level); !s.ok()) {
    return s;
  }
  metrics::Registry& registry = metrics::Registry::Default();
  registry
      .AddGauge("process_start_time_seconds",
                "Start time of the process since unix epoch in seconds.")
      .Get()
      .Set(absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()));
  registry.AddGauge("bulletin_service_info", "Always 1; labels name the service.", {"service"})
      .WithLabels({service})
      .Set(1);
  if (config.tokens.size() == 0) {
    Logger()->warn("no --auth-tokens-file: every write will be UNAUTHENTICATED");
  }
  if (config.metrics_listen.empty()) return nullptr;
  absl::StatusOr<std::unique_ptr<metrics::HttpEndpoint>> endpoint =
      metrics::HttpEndpoint::Start(config.metrics_listen, &registry);
  if (!endpoint.ok()) return endpoint.status();
  Logger()->info("metrics on http://{}/metrics (port {})", config.metrics_listen,
                 (*endpoint)->port());
  return endpoint;
}

int StartupError(const std::string& program, const absl::Status& status) {
  std::fprintf(stderr, "%s: %s\n", program.c_str(), std::string(status.message()).c_str());
  return 2;
}

}  // namespace bulletin
