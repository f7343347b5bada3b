// bulletin-analytics: counts article views in Redis and serves
// bulletin.analytics.v1.AnalyticsService. Flags and wiring only; the rules live in
// AnalyticsCore, group commit and the outage buffer in ViewBatcher, the Redis layout in
// RedisViewStore, the article metadata in EventConsumer.
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "common/base/flags.h"
#include "common/base/log.h"
#include "common/base/worker_pool.h"
#include "common/grpc/server.h"
#include "common/redis/redis_client.h"
#include "common/service/service_flags.h"
#include "services/analytics/core/analytics_core.h"
#include "services/analytics/core/view_batcher.h"
#include "services/analytics/core/view_filter.h"
#include "services/analytics/events/event_consumer.h"
#include "services/analytics/grpc/analytics_service.h"
#include "services/analytics/store/redis/redis_view_store.h"

namespace bulletin::analytics {
namespace {

struct Config {
  ServiceFlags service;  // --listen, --redis, --auth-tokens-file, --worker-threads, ...
  absl::Duration count_window = absl::Minutes(30);
  std::string bot_patterns_file;
  std::string exclude_addresses;
  int64_t buffer_limit = 100000;
  std::string spill_file;
  int64_t batch_max_views = 512;
  absl::Duration batch_max_delay = absl::ZeroDuration();
  std::string consumer_name;
};

metrics::Gauge& RedisUpGauge() {
  return metrics::Registry::Default()
      .AddGauge("bulletin_redis_up", "1 while Redis answered the last health check, else 0.")
      .Get();
}

// Reports NOT_SERVING while Redis does not answer PING, SERVING again when it does.
class RedisHealthWatch {
 public:
  RedisHealthWatch(RedisClient& redis, GrpcServer& server)
      : thread_([this, &redis, &server] {
          bool serving = true;
          metrics::Gauge& redis_up = RedisUpGauge();
          std::unique_lock<std::mutex> lock(mu_);
          do {
            lock.unlock();
            bool up = redis.Command({"PING"}).ok();
            redis_up.Set(up ? 1 : 0);
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

int Fail(const absl::Status& status) { return StartupError("bulletin-analytics", status); }

int Run(int argc, char** argv) {
  BlockShutdownSignals();
  Config config;
  config.service.server.listen = "127.0.0.1:50052";
  FlagSet flags("bulletin-analytics", "Counts article views and serves the analytics API.");
  RegisterServiceFlags(flags, &config.service);
  flags.Duration("count-window", &config.count_window,
                 "a visitor's views of one article within this window count once (0: off)");
  flags.String("bot-patterns-file", &config.bot_patterns_file,
               "extra user-agent substrings (one per line, case-insensitive) that mark bots");
  flags.String("exclude-addresses", &config.exclude_addresses,
               "comma-separated addresses and CIDR ranges whose views never count "
               "(e.g. 10.0.0.0/8,192.0.2.7)");
  flags.Int("buffer-limit", &config.buffer_limit,
            "views held in memory while Redis is unreachable; more are UNAVAILABLE");
  flags.String("spill-file", &config.spill_file,
               "where buffered views (and, in <file>.updates, aggregated updates) are written "
               "at shutdown if Redis is down, and replayed from at start (empty: they are lost)");
  flags.Int("batch-max-views", &config.batch_max_views, "most views per Redis pipeline");
  flags.Duration("batch-max-delay", &config.batch_max_delay,
                 "how long a batch waits for more views (0: send when the previous returned)");
  int64_t batch_workers = 2;
  absl::Duration aggregate_flush_interval = absl::Seconds(1);
  flags.Int("batch-workers", &batch_workers, "Redis batches in flight at once (1-64)");
  flags.Duration("aggregate-flush-interval", &aggregate_flush_interval,
                 "how often time buckets, site counters and top lists get the aggregated "
                 "views (0: every batch; at most 1m): they trail by up to this");
  flags.String("consumer-name", &config.consumer_name,
               "this replica's name in the event stream's consumer group (default host-pid)");
  if (absl::Status s = flags.Parse(argc, argv); !s.ok()) return Fail(s);
  if (flags.help_requested()) {
    std::fputs(flags.Usage().c_str(), stdout);
    return 0;
  }
  if (config.count_window > absl::Hours(24)) {
    return Fail(absl::InvalidArgumentError("--count-window: must be at most 24h"));
  }
  if (config.buffer_limit < 1) {
    return Fail(absl::InvalidArgumentError("--buffer-limit: must be at least 1"));
  }
  if (config.batch_max_views < 1 || config.batch_max_views > 10000) {
    return Fail(absl::InvalidArgumentError("--batch-max-views: must be between 1 and 10000"));
  }
  if (config.batch_max_delay < absl::ZeroDuration() ||
      config.batch_max_delay > absl::Milliseconds(100)) {
    return Fail(absl::InvalidArgumentError("--batch-max-delay: must be between 0 and 100ms"));
  }
  std::vector<std::string> bot_patterns;
  if (!config.bot_patterns_file.empty()) {
    absl::StatusOr<std::vector<std::string>> loaded =
        ViewFilter::LoadPatterns(config.bot_patterns_file);
    if (!loaded.ok()) return Fail(loaded.status());
    bot_patterns = std::move(*loaded);
  }
  absl::StatusOr<ViewFilter> filter = ViewFilter::Create(bot_patterns, config.exclude_addresses);
  if (!filter.ok()) return Fail(filter.status());
  if (absl::Status s = ValidateServiceFlags(config.service); !s.ok()) return Fail(s);
  absl::StatusOr<std::unique_ptr<metrics::HttpEndpoint>> metrics =
      StartService("analytics", config.service);
  if (!metrics.ok()) return Fail(metrics.status());

  RedisClient redis(config.service.redis_options);
  if (batch_workers < 1 || batch_workers > 64) {
    return Fail(absl::InvalidArgumentError("--batch-workers: must be between 1 and 64"));
  }
  if (aggregate_flush_interval < absl::ZeroDuration() ||
      aggregate_flush_interval > absl::Minutes(1)) {
    return Fail(absl::InvalidArgumentError("--aggregate-flush-interval: must be between 0 and 1m"));
  }
  RedisViewStore store(redis, {config.count_window, aggregate_flush_interval,
                               config.spill_file.empty() ? "" : config.spill_file + ".updates"});
  if (absl::Status s = store.RestoreSpilledUpdates(); !s.ok()) return Fail(s);
  BatcherOptions batcher_options;
  batcher_options.workers = static_cast<int>(batch_workers);
  batcher_options.max_batch = static_cast<size_t>(config.batch_max_views);
  batcher_options.max_delay = config.batch_max_delay;
  batcher_options.buffer_limit = static_cast<size_t>(config.buffer_limit);
  batcher_options.spill_file = config.spill_file;
  batcher_options.request_ids_for_all = config.count_window == absl::ZeroDuration();
  ViewBatcher batcher(store, batcher_options);
  if (absl::Status s = batcher.Start(); !s.ok()) return Fail(s);
  AnalyticsCore core(store, batcher, *filter);
  EventConsumer consumer(redis, store, {config.consumer_name});
  consumer.Start();
  WorkerPool pool(static_cast<int>(config.service.worker_threads), /*max_queue=*/4096);
  AnalyticsService service(core, config.service.tokens, pool);
  absl::StatusOr<std::unique_ptr<GrpcServer>> server = GrpcServer::Start(
      config.service.server, {{std::string(v1::AnalyticsService::service_full_name()), &service}});
  if (!server.ok()) return Fail(server.status());
  Logger()->info("bulletin-analytics listening on port {} (redis {}, {} tokens)", (*server)->port(),
                 config.service.redis, config.service.tokens.size());
  {
    RedisHealthWatch watch(redis, **server);
    int sig = WaitForShutdownSignal();
    Logger()->info("signal {}: draining", sig);
  }
  (*server)->Shutdown();
  consumer.Stop();
  batcher.Stop();  // flushes the buffer, or spills it
  Logger()->info("bulletin-analytics stopped");
  return 0;
}

}  // namespace
}  // namespace bulletin::analytics

int main(int argc, char** argv) { return bulletin::analytics::Run(argc, argv); }
