// The response cache in front of every cacheable route: fresh hits on the calling thread,
// stale copies served while a background render refreshes them (stale-while-revalidate, one
// refresh per key at a time), misses rendered on the worker pool, upstream failures answered
// with the stale copy or 503. Entries get their ETag, Last-Modified, Cache-Control and gzip
// variant here, once.
#include <zlib.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/base/crypto.h"
#include "common/base/log.h"
#include "common/base/text_rules.h"
#include "services/web/site/site.h"

namespace bulletin::web {
namespace {

std::string Gzip(const std::string& in) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return "";
  std::string out(deflateBound(&z, in.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? out : "";
}

// 200 and redirects always; 404/410 only with keys an event can invalidate them by.
bool Cacheable(const CachedResponse& r) {
  if (r.status == 200 || r.status == 301 || r.status == 302) return true;
  return (r.status == 404 || r.status == 410) && !r.keys.empty();
}

}  // namespace

absl::StatusOr<std::shared_ptr<const CachedResponse>> Site::RenderAndStore(const std::string& key,
                                                                           const Renderer& render) {
  const uint64_t generation = cache_.generation();
  const absl::Time start = absl::Now();
  absl::StatusOr<CachedResponse> rendered = render();
  metrics_.render_seconds.Observe(absl::ToDoubleSeconds(absl::Now() - start));
  if (!rendered.ok()) return rendered.status();
  auto entry = std::make_shared<CachedResponse>(*std::move(rendered));
  if (entry->etag.empty()) {
    entry->etag =
        absl::StrCat("\"", absl::BytesToHexString(Sha256(entry->body)).substr(0, 24), "\"");
  }
  if (entry->last_modified == absl::UnixEpoch()) {
    entry->last_modified = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()));
  }
  if (entry->cache_control.empty()) {
    entry->cache_control =
        absl::StrCat("public, max-age=", absl::ToInt64Seconds(options_.fresh),
                     ", stale-while-revalidate=", absl::ToInt64Seconds(options_.stale));
  }
  if (entry->body.size() > 1024) entry->gzip_body = Gzip(entry->body);
  entry->fresh_until = absl::Now() + options_.fresh;
  if (Cacheable(*entry)) {
    cache_.Put(key, entry, generation);
    metrics_.cache_bytes.Set(static_cast<double>(cache_.bytes()));
    metrics_.cache_entries.Set(static_cast<double>(cache_.entries()));
  }
  return entry;
}

void Site::Refresh(const std::string& key, Renderer render) {
  {
    absl::MutexLock lock(&mu_);
    if (!refreshing_.insert(key).second) return;
  }
  auto done = [this, key] {
    absl::MutexLock lock(&mu_);
    refreshing_.erase(key);
  };
  if (!pool_.TrySubmit([this, key, render = std::move(render), done] {
        absl::StatusOr<std::shared_ptr<const CachedResponse>> r = RenderAndStore(key, render);
        if (!r.ok())
          Logger()->debug("refresh of {} failed: {}", Excerpt(key, 80), r.status().ToString());
        done();
      })) {
    done();
  }
}

void Site::ServeCached(RequestContext ctx, std::string key, Renderer render, Respond respond) {
  std::shared_ptr<const CachedResponse> cached = cache_.Get(key);
  const absl::Time now = absl::Now();
  if (cached && now < cached->fresh_until) {
    metrics_.cache_hits.Increment();
    return respond(Finish(ctx, *cached));
  }
  if (cached && now < cached->fresh_until + options_.stale) {
    metrics_.stale_served.Increment();
    respond(Finish(ctx, *cached));
    return Refresh(key, std::move(render));
  }
  metrics_.cache_misses.Increment();
  auto job = [this, ctx, key = std::move(key), render = std::move(render)]() {
    absl::StatusOr<std::shared_ptr<const CachedResponse>> entry = RenderAndStore(key, render);
    if (entry.ok()) return Finish(ctx, **entry);
    if (!IsUpstreamFailure(entry.status())) {
      return ErrorResponse(ctx, HttpStatusFor(entry.status()), entry.status());
    }
    Logger()->warn("upstream failure for {}: {}", Excerpt(ctx.request.target, 80),
                   entry.status().ToString());
    return ErrorResponse(ctx, 503, absl::UnavailableError("upstream: unavailable, retry later"));
  };
  RunOnPool(std::move(ctx), std::move(job), std::move(respond));
}

}  // namespace bulletin::web
