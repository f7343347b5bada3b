// bulletin-analytics: counts article views in Redis and serves
// bulletin.analytics.v1.AnalyticsService. Configuration (config.h) and wiring only: the
// rules live in AnalyticsCore, group commit and the outage buffer in ViewBatcher, the
// Redis layout in RedisViewStore, the article metadata in events/.
#include <cstdio>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "common/base/log.h"
#include "common/base/worker_pool.h"
#include "common/grpc/server.h"
#include "common/metrics/metrics.h"
#include "common/redis/redis_client.h"
#include "common/redis/stream_reader.h"
#include "common/service/service_flags.h"
#include "services/analytics/config.h"
#include "services/analytics/core/analytics_core.h"
#include "services/analytics/core/view_batcher.h"
#include "services/analytics/events/article_events.h"
#include "services/analytics/grpc/analytics_service.h"
#include "services/analytics/store/redis/redis_view_store.h"

namespace bulletin::analytics {
namespace {

metrics::Gauge& RedisUpGauge() {
  return metrics::Registry::Default()
      .AddGauge("bulletin_redis_up", "1 while Redis answered the last health check, else 0.")
      .Get();
}

// Reports NOT_SERVING while Redis does not answer PING, SERVING again when it does.
// (Moves to the shared service runner.)
class RedisHealthWatch {
 public:
  RedisHealthWatch(RedisClient& redis, GrpcServer& server)
      : thread_([this, &redis, &server] { Run(redis, server); }) {}
  ~RedisHealthWatch() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    thread_.join();
  }

 private:
  void Run(RedisClient& redis, GrpcServer& server) ABSL_LOCKS_EXCLUDED(mu_) {
    bool serving = true;
    metrics::Gauge& redis_up = RedisUpGauge();
    do {
      const bool up = redis.Command({"PING"}).ok();
      redis_up.Set(up ? 1 : 0);
      if (up != serving) {
        Logger()->warn("redis is {}: health {}", up ? "back" : "unreachable",
                       up ? "SERVING" : "NOT_SERVING");
        server.SetServing(up);
        serving = up;
      }
    } while (!StopRequested(absl::Seconds(2)));
  }
  // Waits up to `timeout` for the destructor; true when it asked to stop.
  bool StopRequested(absl::Duration timeout) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&stop_), timeout);
  }

  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: starts once the rest is initialised
};

int Fail(const absl::Status& status) { return StartupError("bulletin-analytics", status); }

int Run(int argc, char** argv) {
  BlockShutdownSignals();
  absl::StatusOr<Config> parsed = ParseConfig(argc, argv);
  if (!parsed.ok()) return Fail(parsed.status());
  Config& config = *parsed;
  if (config.help) {
    std::fputs(config.usage.c_str(), stdout);
    return 0;
  }
  absl::StatusOr<std::unique_ptr<metrics::HttpEndpoint>> metrics =
      StartService("analytics", config.service);
  if (!metrics.ok()) return Fail(metrics.status());

  RedisClient redis(config.service.redis_options);
  RedisViewStore store(redis, {config.count_window, config.aggregate_flush_interval,
                               config.spill_file.empty() ? "" : config.spill_file + ".updates"});
  if (absl::Status s = store.RestoreSpilledUpdates(); !s.ok()) return Fail(s);
  BatcherOptions batcher_options;
  batcher_options.workers = static_cast<int>(config.batch_workers);
  batcher_options.max_batch = static_cast<size_t>(config.batch_max_views);
  batcher_options.max_delay = config.batch_max_delay;
  batcher_options.buffer_limit = static_cast<size_t>(config.buffer_limit);
  batcher_options.spill_file = config.spill_file;
  batcher_options.request_ids_for_all = config.count_window == absl::ZeroDuration();
  ViewBatcher batcher(store, batcher_options);
  if (absl::Status s = batcher.Start(); !s.ok()) return Fail(s);
  AnalyticsCore core(store, batcher, config.filter);
  ConsumerGroupReader consumer(redis, ArticleEventsReaderOptions(config.consumer_name),
                               ArticleEventsHandler(store));
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
