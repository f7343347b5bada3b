// bulletin-web: the site over HTTP. Configuration (config.h) and wiring only: the HTTP
// server in http/, routing and caching in site/, pages in pages/, feeds in feeds/, the
// event stream follower that invalidates the cache in events/. The shared runner serves
// gRPC health and reflection on --grpc-listen, the metrics, and the shutdown sequence:
// on SIGTERM the HTTP server stops accepting and finishes in-flight requests first.
#include <openssl/rand.h>

#include <cstdio>

#include "absl/strings/escaping.h"
#include "common/base/log.h"
#include "common/base/worker_pool.h"
#include "common/redis/redis_client.h"
#include "common/service/runner.h"
#include "common/service/service_flags.h"
#include "services/web/config.h"
#include "services/web/core/response_cache.h"
#include "services/web/core/view_token.h"
#include "services/web/events/event_follower.h"
#include "services/web/http/server.h"
#include "services/web/site/backend.h"
#include "services/web/site/site.h"

namespace bulletin::web {
namespace {

int Fail(const absl::Status& status) { return StartupError("bulletin-web", status); }

std::string RandomKey() {
  unsigned char bytes[32];
  RAND_bytes(bytes, sizeof bytes);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
}

int Run(int argc, char** argv) {
  BlockShutdownSignals();
  absl::StatusOr<Config> parsed = ParseConfig(argc, argv);
  if (!parsed.ok()) return Fail(parsed.status());
  Config& config = *parsed;
  if (config.help) {
    std::fputs(config.usage.c_str(), stdout);
    return 0;
  }
  ServiceRunner runner("web", config.service);
  if (absl::Status s = runner.Init(); !s.ok()) return Fail(s);
  if (config.frontend_token.empty()) {
    Logger()->warn(
        "no frontend token in --auth-tokens-file: calls to content and analytics are "
        "anonymous, and RecordView will be refused");
  }
  if (config.view_token_key.empty()) {
    Logger()->warn(
        "no --view-token-key: a random one, so replicas do not accept each other's "
        "view tokens and a restart invalidates the cached pages' tokens");
    config.view_token_key = RandomKey();
  }
  GrpcBackendOptions backend_options;
  backend_options.content = config.content;
  backend_options.analytics = config.analytics;
  backend_options.token = config.frontend_token;
  backend_options.deadline = config.upstream_deadline;
  std::unique_ptr<Backend> backend = MakeGrpcBackend(backend_options);
  ResponseCache cache(static_cast<size_t>(config.cache_bytes));
  ViewTokens tokens(config.view_token_key, config.view_token_ttl);
  // Drained (reset) before the Site goes: queued renders and refreshes use it.
  auto pool = std::make_unique<WorkerPool>(static_cast<int>(config.service.worker_threads),
                                           /*max_queue=*/4096);
  SiteOptions site_options;
  site_options.public_url = config.public_url;
  site_options.cors_origins = config.cors_origins;
  site_options.trusted_proxies = config.trusted_proxies;
  site_options.fresh = config.cache_ttl;
  site_options.stale = config.stale;
  if (!config.media_dir.empty()) {
    absl::StatusOr<std::unique_ptr<MediaFiles>> media = MediaFiles::Open(config.media_dir);
    if (!media.ok()) return Fail(media.status());
    site_options.media = *std::move(media);
  }
  Site site(site_options, *backend, cache, tokens, *pool);

  RedisClient redis(config.service.redis_options);
  std::unique_ptr<StreamFollower> follower = FollowEvents(
      redis,
      [&site, &cache](const events::v1::ArticleEvent& event) {
        if (event.type() == events::v1::ARTICLE_EVENT_TYPE_DELETED) {
          site.MarkGone(SlugsOf(event));
        } else if (event.type() == events::v1::ARTICLE_EVENT_TYPE_PUBLISHED) {
          site.MarkBack(SlugsOf(event));
        }
        cache.Invalidate(KeysOf(event));
      },
      [&cache] { cache.Clear(); });
  follower->Start();
  runner.AtShutdown([&follower] { follower->Stop(); });

  HttpServer http(config.limits, [&site](HttpRequest request, Respond respond) {
    site.Handle(std::move(request), std::move(respond));
  });
  if (absl::Status s = http.Start(config.http_listen, static_cast<int>(config.http_threads));
      !s.ok()) {
    follower->Stop();
    return Fail(s);
  }
  Logger()->info("bulletin-web serving HTTP on port {} (public URL {}, cache {} bytes)",
                 http.port(), config.public_url, config.cache_bytes);
  runner.BeforeDrain([&http] { http.Stop(absl::Seconds(5)); });
  const int rc = runner.Serve({});
  pool.reset();
  return rc;
}

}  // namespace
}  // namespace bulletin::web

int main(int argc, char** argv) { return bulletin::web::Run(argc, argv); }
