// bulletin-content: the content service binary. Reads flags (BULLETIN_* env equivalents)
// into a validated config, opens the SQLite store, then either loads the demo data
// (--seed-demo: prints "<article_id> <slug>" and exits) or serves ContentService over gRPC
// with the outbox relay and the scheduler running, until SIGTERM/SIGINT (drain, stop the
// scheduler and the relay, exit 0).
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/base/flags.h"
#include "common/base/log.h"
#include "common/base/worker_pool.h"
#include "common/grpc/server.h"
#include "common/redis/redis_client.h"
#include "common/service/service_flags.h"
#include "services/content/core/content_core.h"
#include "services/content/grpc/content_service.h"
#include "services/content/events/outbox_relay.h"
#include "services/content/core/scheduler.h"
#include "services/content/seed_demo.h"
#include "services/content/store/sqlite/sqlite_article_store.h"

namespace bulletin::content {
namespace {

struct Config {
  ServiceFlags service;  // --listen, --redis, --auth-tokens-file, --worker-threads, ...
  std::string db = "sqlite:./var/content.db";
  std::string site_base_url;
  int64_t stream_max_len = 1000000;
  absl::Duration outbox_retention = absl::Hours(24);
  std::string token_key;
  int64_t cache_entries = 10000;
  absl::Duration cache_ttl = absl::Seconds(60);
  bool seed_demo = false;

  // Derived by Validate().
  std::string db_path;
};

absl::Status Validate(Config& c) {
  absl::string_view db = c.db;
  if (!absl::ConsumePrefix(&db, "sqlite:") || db.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--db: expected sqlite:PATH, got \"", c.db, "\""));
  }
  c.db_path = std::string(db);
  if (absl::Status s = ValidateServiceFlags(c.service); !s.ok()) return s;
  while (absl::EndsWith(c.site_base_url, "/")) c.site_base_url.pop_back();
  if (!c.site_base_url.empty() && !absl::StartsWith(c.site_base_url, "https://") &&
      !absl::StartsWith(c.site_base_url, "http://")) {
    return absl::InvalidArgumentError("--site-base-url: expected an http(s):// URL");
  }
  if (c.stream_max_len < 1) return absl::InvalidArgumentError("--stream-max-len: must be >= 1");
  if (c.outbox_retention < absl::Seconds(1)) {
    return absl::InvalidArgumentError("--outbox-retention: must be at least 1s");
  }
  if (!c.token_key.empty() && c.token_key.size() < 16) {
    return absl::InvalidArgumentError("--token-key: at least 16 characters");
  }
  if (c.cache_entries < 0) return absl::InvalidArgumentError("--cache-entries: must be >= 0");
  if (c.cache_ttl < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--cache-ttl: must not be negative");
  }
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(c.db_path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("--db: cannot create ", parent.string(), ": ", ec.message()));
  }
  return absl::OkStatus();
}

int Main(int argc, char** argv) {
  BlockShutdownSignals();
  Config config;
  config.service.server.listen = "127.0.0.1:50051";
  FlagSet flags("bulletin-content",
                "Bulletin content service: articles, translations and categories over gRPC.");
  RegisterServiceFlags(flags, &config.service);
  flags.String("db", &config.db, "database: sqlite:PATH (the parent directory is created)");
  flags.String("site-base-url", &config.site_base_url,
               "public site URL for canonical links, e.g. https://news.example.org");
  flags.Int("stream-max-len", &config.stream_max_len, "approximate cap of the event stream");
  flags.Duration("outbox-retention", &config.outbox_retention,
                 "how long sent events stay in the outbox to re-send after a Redis restart");
  flags.String("token-key", &config.token_key,
               "secret (>= 16 characters) signing page and preview tokens; empty: random per "
               "process, so tokens do not survive a restart or work across replicas");
  flags.Int("cache-entries", &config.cache_entries,
            "published articles kept in the in-process cache (0: no cache)");
  flags.Duration("cache-ttl", &config.cache_ttl,
                 "how long a cached article is served before it is read again (bounds staleness "
                 "after writes by another process)");
  flags.Bool("seed-demo", &config.seed_demo,
             "load the demo article (idempotent), print '<article_id> <slug>' and exit");
  absl::Status s = flags.Parse(argc, argv);
  if (flags.help_requested()) {
    std::fputs(flags.Usage().c_str(), stdout);
    return 0;
  }
  if (s.ok()) s = Validate(config);
  if (!s.ok()) return StartupError("bulletin-content", s);
  absl::StatusOr<std::unique_ptr<metrics::HttpEndpoint>> metrics;
  if (config.seed_demo) {
    s = InitLogging("content", config.service.log_format, config.service.log_level);
  } else {
    metrics = StartService("content", config.service);
    s = metrics.status();
  }
  if (!s.ok()) return StartupError("bulletin-content", s);

  absl::StatusOr<std::unique_ptr<SqliteArticleStore>> store =
      SqliteArticleStore::Open(config.db_path);
  if (!store.ok()) {
    Logger()->error("cannot open the database: {}", store.status().ToString());
    return 1;
  }
  RedisClient redis(config.service.redis_options);
  RelayOptions relay_options;
  relay_options.stream_max_len = config.stream_max_len;
  relay_options.retention = config.outbox_retention;
  OutboxRelay relay(store->get(), &redis, relay_options);
  ContentOptions options;
  options.site_base_url = config.site_base_url;
  options.token_key = config.token_key;
  options.cache_entries = static_cast<size_t>(config.cache_entries);
  options.cache_ttl = config.cache_ttl;
  options.on_event_committed = [&relay] { relay.Notify(); };
  // Set once the scheduler exists (never for --seed-demo); read by RPC threads.
  std::atomic<Scheduler*> scheduler_ptr{nullptr};
  options.on_schedule_changed = [&scheduler_ptr] {
    if (Scheduler* s = scheduler_ptr.load(); s != nullptr) s->Notify();
  };
  ContentCore core(store->get(), options);

  if (config.seed_demo) {
    absl::StatusOr<Article> article = SeedDemo(core, **store);
    if (!article.ok()) {
      Logger()->error("seeding the demo data failed: {}", article.status().ToString());
      return 1;
    }
    std::printf("%s %s\n", article->id.c_str(), article->slug.c_str());
    return 0;
  }

  WorkerPool pool(static_cast<int>(config.service.worker_threads), 1024);
  ContentServiceImpl service(&core, &config.service.tokens, &pool);
  absl::StatusOr<std::unique_ptr<GrpcServer>> server =
      GrpcServer::Start(config.service.server, {{"bulletin.content.v1.ContentService", &service}});
  if (!server.ok()) return StartupError("bulletin-content", server.status());
  Scheduler scheduler(&core, store->get(), SchedulerOptions{});
  scheduler_ptr.store(&scheduler);
  relay.Start();
  scheduler.Start();
  Logger()->info("content service listening on port {} (db {}, redis {}, {} tokens)",
                 (*server)->port(), config.db_path, config.service.redis,
                 config.service.tokens.size());
  int sig = WaitForShutdownSignal();
  Logger()->info("signal {}: draining", sig);
  (*server)->SetServing(false);
  (*server)->Shutdown();
  scheduler_ptr.store(nullptr);
  scheduler.Stop();
  relay.Stop();
  Logger()->info("stopped");
  return 0;
}

}  // namespace
}  // namespace bulletin::content

int main(int argc, char** argv) { return bulletin::content::Main(argc, argv); }
