// Site: bulletin-web's request handling behind the HTTP server -- routing, the response
// cache and HTTP caching (ETag, Last-Modified, 304, Cache-Control with
// stale-while-revalidate, Surrogate-Key, gzip), bad input answered with the right 4xx in
// the reader's language (JSON under /api/), and upstream outages answered from the cache
// or with 503 + Retry-After. Cache hits are answered on the calling (I/O) thread; misses
// run on the worker pool, which makes the blocking gRPC calls. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/base/worker_pool.h"
#include "common/metrics/metrics.h"
#include "services/web/core/media_files.h"
#include "services/web/core/response_cache.h"
#include "services/web/core/url.h"
#include "services/web/core/view_token.h"
#include "services/web/http/server.h"
#include "services/web/pages/pages.h"
#include "services/web/site/backend.h"

namespace bulletin::web {

struct SiteOptions {
  std::string public_url = "http://127.0.0.1:8080";  // origin, no trailing '/'
  std::vector<std::string> cors_origins;             // exact origins, or "*"
  absl::Duration fresh = absl::Seconds(60);          // max-age and in-process freshness
  absl::Duration stale = absl::Minutes(10);          // stale-while-revalidate / if upstream down
  int retry_after_seconds = 5;                       // on 503
  // Peers (exact addresses) whose X-Forwarded-For is believed: the client is then the
  // rightmost address in it that is not one of them.
  std::vector<std::string> trusted_proxies;
  // The files served at /media/... (--media-dir); null: /media/ answers 404.
  std::shared_ptr<const MediaFiles> media;
};

// What one request is, once parsed.
struct RequestContext {
  HttpRequest request;
  ParsedTarget target;
  std::string locale;  // the page's locale, or the reader's for errors
  bool api = false;    // under /api/: answers are JSON
};

// The worker pool must be destroyed (drained) before the Site: queued renders use it.
class Site {
 public:
  Site(SiteOptions options, Backend& backend, ResponseCache& cache, const ViewTokens& tokens,
       WorkerPool& pool);

  void Handle(HttpRequest request, Respond respond);

  // Slugs of deleted articles (from the event stream): their pages answer 410. A slug
  // published again leaves the set.
  void MarkGone(const std::vector<std::string>& slugs) ABSL_LOCKS_EXCLUDED(mu_);
  void MarkBack(const std::vector<std::string>& slugs) ABSL_LOCKS_EXCLUDED(mu_);
  bool IsGone(const std::string& slug) const ABSL_LOCKS_EXCLUDED(mu_);

  const SiteOptions& options() const { return options_; }
  SiteInfo info() const { return SiteInfo{options_.public_url}; }

  // Renders a cacheable answer; an error is an upstream failure (503 or a stale copy).
  using Renderer = std::function<absl::StatusOr<CachedResponse>()>;

 private:
  void Route(RequestContext ctx, Respond respond);
  void RouteLocale(RequestContext ctx, Respond respond);
  void RouteApi(RequestContext ctx, Respond respond);
  // /media/...: a file of --media-dir, read on the pool (site/routes.cc).
  void ServeMedia(RequestContext ctx, Respond respond);
  // Serves `key` from the cache when fresh; when stale (within --stale) serves the copy and
  // re-renders it in the background (stale-while-revalidate); else renders on the pool and
  // stores the result (site/serve_cached.cc).
  void ServeCached(RequestContext ctx, std::string key, Renderer render, Respond respond);
  // Renders and, when cacheable, stores under `key`; the render's error otherwise.
  absl::StatusOr<std::shared_ptr<const CachedResponse>> RenderAndStore(const std::string& key,
                                                                       const Renderer& render);
  // Re-renders `key` on the pool unless a refresh of it is already running.
  void Refresh(const std::string& key, Renderer render) ABSL_LOCKS_EXCLUDED(mu_);
  void RunOnPool(RequestContext ctx, std::function<HttpResponse()> job, Respond respond);

  HttpResponse Finish(const RequestContext& ctx, const CachedResponse& entry) const;
  HttpResponse ErrorResponse(const RequestContext& ctx, int status, const absl::Status& why) const;
  void AddCors(const RequestContext& ctx, HttpResponse& response) const;

  // Renderers (site/page_routes.cc).
  absl::StatusOr<CachedResponse> ArticlePage(const std::string& locale, const std::string& slug);
  absl::StatusOr<CachedResponse> HomePage(const std::string& locale);
  absl::StatusOr<CachedResponse> CategoryPage(const std::string& locale, const std::string& slug,
                                              const std::string& page_token);
  absl::StatusOr<CachedResponse> SearchPage(const std::string& locale, const std::string& query,
                                            const std::string& page_token);
  absl::StatusOr<CachedResponse> StatsPage(const std::string& locale);
  absl::StatusOr<CachedResponse> FeedDocument(const std::string& locale,
                                              const std::string& category_slug,
                                              const std::string& file_name);
  absl::StatusOr<CachedResponse> SitemapDocument(size_t page);
  CachedResponse RobotsTxt() const;
  // JSON API renderers and the beacon (site/api_routes.cc).
  absl::StatusOr<CachedResponse> ApiGet(const RequestContext& ctx);
  HttpResponse RecordView(const RequestContext& ctx, absl::string_view token,
                          absl::string_view locale, absl::string_view referrer, bool pixel);

  CachedResponse Page(int status, std::string html, std::vector<std::string> keys,
                      absl::Time last_modified) const;
  CachedResponse ErrorPage(const std::string& locale, int status,
                           std::vector<std::string> keys) const;
  CachedResponse Json(int status, std::string json, std::vector<std::string> keys,
                      absl::Time last_modified) const;
  CachedResponse JsonError(const absl::Status& status) const;

  // Metrics in the default registry (served on --metrics-listen).
  struct Metrics {
    metrics::Family<metrics::Counter>& requests;  // bulletin_web_requests_total{status}
    metrics::Counter& cache_hits;
    metrics::Counter& cache_misses;
    metrics::Counter& stale_served;
    metrics::Gauge& cache_bytes;
    metrics::Gauge& cache_entries;
    metrics::Histogram& render_seconds;
  };
  static Metrics MakeMetrics();

  const SiteOptions options_;
  Metrics metrics_;
  Backend& backend_;
  ResponseCache& cache_;
  const ViewTokens& tokens_;
  WorkerPool& pool_;

  mutable absl::Mutex mu_;
  absl::flat_hash_set<std::string> gone_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> refreshing_ ABSL_GUARDED_BY(mu_);
};

// Whether `status` means the upstream is down (the answer is 503 or a stale copy) rather
// than an answer about the request.
bool IsUpstreamFailure(const absl::Status& status);
// The HTTP status for an upstream answer about the request (404, 400, ...).
int HttpStatusFor(const absl::Status& status);
// The client's address: the peer, or behind `trusted` proxies the rightmost untrusted
// address of X-Forwarded-For.
std::string ClientIp(const HttpRequest& request, const std::vector<std::string>& trusted);
// Parses an HTTP-date (RFC 7231 IMF-fixdate).
std::optional<absl::Time> ParseHttpDate(absl::string_view text);
std::string HttpDate(absl::Time t);

}  // namespace bulletin::web
