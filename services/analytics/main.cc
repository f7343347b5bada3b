// bulletin-analytics: counts article views in Redis and serves
// bulletin.analytics.v1.AnalyticsService. Configuration (config.h) and wiring only: the
// rules live in AnalyticsCore, group commit and the outage buffer in ViewBatcher, the
// Redis layout in RedisViewStore, the article metadata in events/.
#include <cstdio>

#include "common/base/worker_pool.h"
#include "common/grpc/server.h"
#include "common/redis/redis_client.h"
#include "common/redis/stream_reader.h"
#include "common/service/runner.h"
#include "common/service/service_flags.h"
#include "services/analytics/config.h"
#include "services/analytics/core/analytics_core.h"
#include "services/analytics/core/view_batcher.h"
#include "services/analytics/events/article_events.h"
#include "services/analytics/grpc/analytics_service.h"
#include "services/analytics/store/redis/redis_view_store.h"

namespace bulletin::analytics {
namespace {

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
  ServiceRunner runner("analytics", config.service);
  if (absl::Status s = runner.Init(); !s.ok()) return Fail(s);

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
  runner.AtShutdown([&batcher] { batcher.Stop(); });  // flushes the buffer, or spills it
  AnalyticsCore core(store, batcher, config.filter);
  ConsumerGroupReader consumer(redis, ArticleEventsReaderOptions(config.consumer_name),
                               ArticleEventsHandler(store));
  consumer.Start();
  runner.AtShutdown([&consumer] { consumer.Stop(); });
  runner.WatchRedis(redis);
  WorkerPool pool(static_cast<int>(config.service.worker_threads), /*max_queue=*/4096);
  AnalyticsService service(core, config.service.tokens, pool);
  return runner.Serve({&service});
}

}  // namespace
}  // namespace bulletin::analytics

int main(int argc, char** argv) { return bulletin::analytics::Run(argc, argv); }
