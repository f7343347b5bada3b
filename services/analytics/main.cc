// bulletin-analytics: counts article views in Redis and serves
// bulletin.analytics.v1.AnalyticsService. Flags and wiring only; the rules live in
// AnalyticsCore, the Redis layout in RedisViewStore.
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/auth.h"
#include "common/base/flags.h"
#include "common/base/log.h"
#include "common/base/worker_pool.h"
#include "common/grpc/server.h"
#include "common/redis/redis_client.h"
#include "services/analytics/analytics_core.h"
#include "services/analytics/analytics_service.h"
#include "services/analytics/redis_view_store.h"

namespace bulletin::analytics {
namespace {

struct Config {
  ServerConfig server;
  std::string redis = "redis://127.0.0.1:6379";
  std::string auth_tokens_file;
  absl::Duration count_window = absl::Minutes(30);
  int64_t workers = 8;
  std::string log_format = "text";
  std::string log_level = "info";
};

// Reports NOT_SERVING while Redis does not answer PING, SERVING again when it does.
class RedisHealthWatch {
 public:
  RedisHealthWatch(RedisClient& redis, GrpcServer& server)
      : thread_([this, &redis, &server] {
          bool serving = true;
          std::unique_lock<std::mutex> lock(mu_);
          do {
            lock.unlock();
            bool up = redis.Command({"PING"}).ok();
            if (up != serving) {
              Logger()->warn("redis is {}: health {}", up ? "back" : "unreachable",
                             up ? "SERVING" : "NOT_SERVING");
              server.SetServing(up);
              serving = up;
            }
            lock.lock();
          } while (!cv_.wait_for(lock, std::chrono::seconds(2), [this] { return stop_; }));
        }) {}
  ~RedisHealthWatch() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "bulletin-analytics: %s\n", std::string(status.message()).c_str());
  return 2;
}

int Run(int argc, char** argv) {
  BlockShutdownSignals();
  Config config;
  config.server.listen = "127.0.0.1:50052";
  FlagSet flags("bulletin-analytics", "Counts article views and serves the analytics API.");
  RegisterServerFlags(flags, &config.server);
  flags.String("redis", &config.redis, "Redis address, redis://HOST:PORT[/DB]");
  flags.String("auth-tokens-file", &config.auth_tokens_file,
               "file of `ROLE TOKEN [PARTNER]` lines; empty: every write is UNAUTHENTICATED");
  flags.Duration("count-window", &config.count_window,
                 "a visitor's views of one article within this window count once (0: off)");
  flags.Int("workers", &config.workers, "worker threads for Redis calls");
  flags.String("log-format", &config.log_format, "text or json");
  flags.String("log-level", &config.log_level, "trace, debug, info, warn or error");
  if (absl::Status s = flags.Parse(argc, argv); !s.ok()) return Fail(s);
  if (flags.help_requested()) {
    std::fputs(flags.Usage().c_str(), stdout);
    return 0;
  }
  if (config.count_window > absl::Hours(24)) {
    return Fail(absl::InvalidArgumentError("--count-window: must be at most 24h"));
  }
  if (config.workers < 1 || config.workers > 256) {
    return Fail(absl::InvalidArgumentError("--workers: must be between 1 and 256"));
  }
  absl::StatusOr<RedisOptions> redis_options = ParseRedisUrl(config.redis);
  if (!redis_options.ok()) return Fail(redis_options.status());
  TokenStore tokens;
  if (!config.auth_tokens_file.empty()) {
    absl::StatusOr<TokenStore> loaded = TokenStore::LoadFile(config.auth_tokens_file);
    if (!loaded.ok()) {
      absl::string_view why = loaded.status().message();
      return Fail(absl::InvalidArgumentError(
          absl::StartsWith(why, "--") ? why : absl::StrCat("--auth-tokens-file: ", why)));
    }
    tokens = std::move(*loaded);
  }
  if (absl::Status s = InitLogging("analytics", config.log_format, config.log_level); !s.ok()) {
    return Fail(s);
  }

  RedisClient redis(*redis_options);
  RedisViewStore store(redis, {config.count_window});
  AnalyticsCore core(store);
  WorkerPool pool(static_cast<int>(config.workers), /*max_queue=*/4096);
  AnalyticsService service(core, tokens, pool);
  absl::StatusOr<std::unique_ptr<GrpcServer>> server = GrpcServer::Start(
      config.server, {{std::string(v1::AnalyticsService::service_full_name()), &service}});
  if (!server.ok()) return Fail(server.status());
  Logger()->info("bulletin-analytics listening on port {} (redis {}, {} tokens)", (*server)->port(),
                 config.redis, tokens.size());
  {
    RedisHealthWatch watch(redis, **server);
    int sig = WaitForShutdownSignal();
    Logger()->info("signal {}: draining", sig);
  }
  (*server)->Shutdown();
  Logger()->info("bulletin-analytics stopped");
  return 0;
}

}  // namespace
}  // namespace bulletin::analytics

int main(int argc, char** argv) { return bulletin::analytics::Run(argc, argv); }
