// bulletin-content: the content service binary. Reads its Config (config.h), opens the
// store --db names (a SQLite file, or PostgreSQL, whose health is watched), then either
// loads the demo data (--seed-demo: prints "<article_id> <slug>" and exits) or serves
// ContentService over gRPC on the shared ServiceRunner with the outbox relay and the
// scheduler running and its cache following the event stream, until SIGTERM/SIGINT (drain,
// stop the scheduler, the relay and the cache follower, exit 0).
#include <atomic>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "common/base/log.h"
#include "common/base/status_macros.h"
#include "common/base/worker_pool.h"
#include "common/grpc/server.h"
#include "common/redis/redis_client.h"
#include "common/service/runner.h"
#include "common/service/service_flags.h"
#include "services/content/config.h"
#include "services/content/core/content_core.h"
#include "services/content/core/scheduler.h"
#include "services/content/events/cache_invalidation.h"
#include "services/content/events/outbox_relay.h"
#include "services/content/grpc/content_service.h"
#include "services/content/seed_demo.h"
#include "services/content/store/migrate/migrate_command.h"
#include "services/content/store/postgres/postgres_article_store.h"
#include "services/content/store/sqlite/sqlite_article_store.h"

namespace bulletin::content {
namespace {

constexpr char kProgram[] = "bulletin-content";

ContentOptions CoreOptions(const Config& config) {
  ContentOptions options;
  options.site_base_url = config.site_base_url;
  options.token_key = config.token_key;
  options.cache_entries = static_cast<size_t>(config.cache_entries);
  options.cache_ttl = config.cache_ttl;
  return options;
}

// The store --db names, open, and how health sees it.
struct Store {
  std::unique_ptr<ArticleStore> owner;
  ArticleStore* articles = nullptr;
  OutboxStore* outbox = nullptr;
  // SELECT 1 for PostgreSQL; none for a SQLite file, which is there or not.
  std::function<bool()> healthy;
};

absl::StatusOr<Store> OpenStore(const Config& config) {
  Store store;
  if (config.db_kind == DbKind::kPostgres) {
    PostgresStoreOptions options;
    options.uri = config.db_uri;
    options.pool_size = static_cast<int>(config.db_pool_size);
    ASSIGN_OR_RETURN(std::unique_ptr<PostgresArticleStore> postgres,
                     PostgresArticleStore::Open(options));
    store.articles = postgres.get();
    store.outbox = postgres.get();
    store.healthy = [db = postgres.get()] { return db->Healthy(); };
    store.owner = std::move(postgres);
    return store;
  }
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteArticleStore> sqlite,
                   SqliteArticleStore::Open(config.db_path));
  store.articles = sqlite.get();
  store.outbox = sqlite.get();
  store.owner = std::move(sqlite);
  return store;
}

int Main(int argc, char** argv) {
  BlockShutdownSignals();
  absl::StatusOr<Config> parsed = ParseConfig(argc, argv);
  if (!parsed.ok()) return StartupError(kProgram, parsed.status());
  Config& config = *parsed;
  if (config.help) {
    std::fputs(config.usage.c_str(), stdout);
    return 0;
  }
  if (!config.migrate_from.empty()) {
    return RunMigrateFromSqlite(config.migrate_from_path, config.db_uri, RedactedDb(config.db));
  }
  if (absl::Status s = CreateDbDirectory(config); !s.ok()) return StartupError(kProgram, s);
  ServiceRunner runner("content", config.service);
  absl::Status started =
      config.seed_demo ? InitLogging("content", config.service.log_format, config.service.log_level)
                       : runner.Init();
  if (!started.ok()) return StartupError(kProgram, started);

  absl::StatusOr<Store> store = OpenStore(config);
  if (!store.ok()) {
    Logger()->error("cannot open the database {}: {}", RedactedDb(config.db),
                    store.status().ToString());
    return 1;
  }
  RedisClient redis(config.service.redis_options);
  RelayOptions relay_options;
  relay_options.stream_max_len = config.stream_max_len;
  relay_options.retention = config.outbox_retention;
  // Replicas on PostgreSQL share one sender (the relay lease): it polls often, so that an
  // event committed through another replica goes out within about 100 ms.
  if (config.db_kind == DbKind::kPostgres) relay_options.idle_poll = absl::Milliseconds(100);
  OutboxRelay relay(*store->outbox, redis, relay_options);
  ContentOptions options = CoreOptions(config);
  options.on_event_committed = [&relay] { relay.Notify(); };
  // Set once the scheduler exists (never for --seed-demo); read by RPC threads.
  std::atomic<Scheduler*> scheduler_ptr{nullptr};
  options.on_schedule_changed = [&scheduler_ptr] {
    if (Scheduler* s = scheduler_ptr.load(); s != nullptr) s->Notify();
  };
  ContentCore core(*store->articles, options);

  if (config.seed_demo) {
    absl::StatusOr<Article> article = SeedDemo(core, *store->articles);
    if (!article.ok()) {
      Logger()->error("seeding the demo data failed: {}", article.status().ToString());
      return 1;
    }
    std::printf("%s %s\n", article->id.c_str(), article->slug.c_str());
    return 0;
  }

  WorkerPool pool(static_cast<int>(config.service.worker_threads), 1024);
  ContentService service(core, config.service.tokens, pool);
  // Content keeps serving reads while Redis is down (the outbox holds the events), so
  // its health does not follow Redis; it follows PostgreSQL, without which it serves nothing.
  if (store->healthy) runner.Watch("database", store->healthy);
  Scheduler scheduler(core, *store->articles, SchedulerOptions{});
  scheduler_ptr.store(&scheduler);
  std::unique_ptr<StreamFollower> cache_invalidator = CacheInvalidator(redis, core.cache());
  cache_invalidator->Start();
  runner.AtShutdown([&cache_invalidator] { cache_invalidator->Stop(); });
  relay.Start();
  runner.AtShutdown([&relay] { relay.Stop(); });
  scheduler.Start();
  runner.AtShutdown([&scheduler, &scheduler_ptr] {
    scheduler_ptr.store(nullptr);
    scheduler.Stop();
  });
  Logger()->info("content database {}", RedactedDb(config.db));
  return runner.Serve({&service});
}

}  // namespace
}  // namespace bulletin::content

int main(int argc, char** argv) { return bulletin::content::Main(argc, argv); }
