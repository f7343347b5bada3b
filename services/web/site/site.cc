#include "services/web/site/site.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/base/crypto.h"
#include "common/base/log.h"
#include "common/base/text_rules.h"
#include "services/web/core/locale.h"
#include "services/web/pages/html.h"

namespace bulletin::web {
namespace {

bool AcceptsGzip(const HttpRequest& r) {
  std::optional<absl::string_view> ae = r.Header("accept-encoding");
  if (!ae) return false;
  for (absl::string_view part : absl::StrSplit(*ae, ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::StartsWith(part, "gzip"))
      return !absl::StrContains(part, "q=0") || absl::StrContains(part, "q=0.");
  }
  return false;
}

bool EtagMatches(absl::string_view header, const std::string& etag) {
  for (absl::string_view tag : absl::StrSplit(header, ',')) {
    tag = absl::StripAsciiWhitespace(tag);
    absl::ConsumePrefix(&tag, "W/");
    if (tag == "*" || tag == etag) return true;
  }
  return false;
}

}  // namespace

bool IsUpstreamFailure(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      return true;
    default:
      return false;
  }
}

int HttpStatusFor(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kFailedPrecondition:
      return 400;
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kAlreadyExists:
      return 409;
    default:
      return 503;
  }
}

std::string HttpDate(absl::Time t) {
  return absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT", t, absl::UTCTimeZone());
}

std::optional<absl::Time> ParseHttpDate(absl::string_view text) {
  absl::Time t;
  std::string err;
  if (text.size() > 64 || !absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", std::string(text),
                                           absl::UTCTimeZone(), &t, &err)) {
    return std::nullopt;
  }
  return t;
}

Site::Metrics Site::MakeMetrics() {
  metrics::Registry& r = metrics::Registry::Default();
  auto& cache =
      r.AddCounter("bulletin_web_cache_total",
                   "Cacheable requests by how the response cache answered them", {"result"});
  return Metrics{
      r.AddCounter("bulletin_web_requests_total", "HTTP responses by status code", {"status"}),
      cache.WithLabels({"hit"}),
      cache.WithLabels({"miss"}),
      cache.WithLabels({"stale"}),
      r.AddGauge("bulletin_web_cache_bytes", "Bytes held by the response cache").Get(),
      r.AddGauge("bulletin_web_cache_entries", "Responses held by the response cache").Get(),
      r.AddHistogram("bulletin_web_render_seconds",
                     "Time to render a response that was not cached (upstream calls included)")
          .Get()};
}

Site::Site(SiteOptions options, Backend& backend, ResponseCache& cache, const ViewTokens& tokens,
           WorkerPool& pool)
    : options_(std::move(options)),
      metrics_(MakeMetrics()),
      backend_(backend),
      cache_(cache),
      tokens_(tokens),
      pool_(pool) {}

void Site::MarkGone(const std::vector<std::string>& slugs) {
  absl::MutexLock lock(&mu_);
  for (const std::string& s : slugs) {
    if (gone_.size() < 100000) gone_.insert(s);
  }
}

void Site::MarkBack(const std::vector<std::string>& slugs) {
  absl::MutexLock lock(&mu_);
  for (const std::string& s : slugs) gone_.erase(s);
}

bool Site::IsGone(const std::string& slug) const {
  absl::MutexLock lock(&mu_);
  return gone_.contains(slug);
}

CachedResponse Site::Page(int status, std::string html, std::vector<std::string> keys,
                          absl::Time last_modified) const {
  CachedResponse r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(html);
  r.keys = std::move(keys);
  r.last_modified = last_modified;
  return r;
}

CachedResponse Site::ErrorPage(const std::string& locale, int status,
                               std::vector<std::string> keys) const {
  CachedResponse r = Page(status, RenderErrorPage(info(), locale, status, "/" + locale + "/"),
                          std::move(keys), absl::UnixEpoch());
  r.cache_control = status >= 500 ? "no-store" : "public, max-age=30";
  return r;
}

CachedResponse Site::Json(int status, std::string json, std::vector<std::string> keys,
                          absl::Time last_modified) const {
  CachedResponse r;
  r.status = status;
  r.content_type = "application/json; charset=utf-8";
  r.body = std::move(json);
  r.keys = std::move(keys);
  r.last_modified = last_modified;
  return r;
}

CachedResponse Site::JsonError(const absl::Status& status) const {
  std::string message(status.message().substr(0, 512));
  std::string field;
  if (size_t colon = message.find(": ");
      colon != std::string::npos && colon < 100 && message.find(' ') >= colon) {
    field = message.substr(0, colon);
  }
  const std::string code = absl::StatusCodeToString(status.code());  // "NOT_FOUND"
  std::string json =
      absl::StrCat("{\"error\":{\"code\":", JsonString(code), ",\"message\":", JsonString(message));
  if (!field.empty()) absl::StrAppend(&json, ",\"field\":", JsonString(field));
  json += "}}";
  int http = HttpStatusFor(status);
  CachedResponse r = Json(http, std::move(json), {}, absl::UnixEpoch());
  r.cache_control = "no-store";
  return r;
}

HttpResponse Site::ErrorResponse(const RequestContext& ctx, int status,
                                 const absl::Status& why) const {
  CachedResponse entry;
  if (ctx.api) {
    absl::Status s =
        why.ok() ? absl::Status(status == 404 ? absl::StatusCode::kNotFound
                                              : absl::StatusCode::kInvalidArgument,
                                status == 404 ? "path: no such resource" : "request: malformed")
                 : why;
    entry = JsonError(s);
    entry.status = status;
  } else {
    entry = ErrorPage(ctx.locale, status, {});
  }
  entry.cache_control = "no-store";
  HttpResponse r = Finish(ctx, entry);
  if (status == 503) r.Set("Retry-After", std::to_string(options_.retry_after_seconds));
  return r;
}

void Site::AddCors(const RequestContext& ctx, HttpResponse& response) const {
  std::optional<absl::string_view> origin = ctx.request.Header("origin");
  if (!ctx.api || !origin) return;
  for (const std::string& allowed : options_.cors_origins) {
    if (allowed == "*" || allowed == *origin) {
      response.Set("Access-Control-Allow-Origin", allowed == "*" ? "*" : std::string(*origin));
      response.Set("Access-Control-Expose-Headers", "ETag, Last-Modified, Retry-After");
      if (allowed != "*") response.Set("Vary", "Origin, Accept-Encoding");
      return;
    }
  }
}

HttpResponse Site::Finish(const RequestContext& ctx, const CachedResponse& entry) const {
  HttpResponse r;
  r.status = entry.status;
  const HttpRequest& req = ctx.request;
  r.Set("Content-Type", entry.content_type);
  if (!entry.etag.empty()) r.Set("ETag", entry.etag);
  r.Set("Last-Modified", HttpDate(entry.last_modified));
  r.Set("Cache-Control", entry.cache_control);
  if (!entry.keys.empty()) r.Set("Surrogate-Key", absl::StrJoin(entry.keys, " "));
  if (!entry.location.empty()) r.Set("Location", entry.location);
  r.Set("Vary", "Accept-Encoding");
  r.Set("X-Content-Type-Options", "nosniff");
  AddCors(ctx, r);
  const bool conditional = entry.status == 200 && (req.method == "GET" || req.method == "HEAD");
  if (conditional) {
    std::optional<absl::string_view> inm = req.Header("if-none-match");
    bool not_modified = false;
    if (inm) {
      not_modified = !entry.etag.empty() && EtagMatches(*inm, entry.etag);
    } else if (std::optional<absl::string_view> ims = req.Header("if-modified-since")) {
      std::optional<absl::Time> since = ParseHttpDate(*ims);
      not_modified =
          since && absl::ToUnixSeconds(entry.last_modified) <= absl::ToUnixSeconds(*since);
    }
    if (not_modified) {
      r.status = 304;
      return r;
    }
  }
  if (!entry.gzip_body.empty() && AcceptsGzip(req)) {
    r.Set("Content-Encoding", "gzip");
    r.body = entry.gzip_body;
  } else {
    r.body = entry.body;
  }
  return r;
}

void Site::Handle(HttpRequest request, Respond done) {
  Respond respond = [this, method = request.method, target = Excerpt(request.target, 80),
                     done = std::move(done)](HttpResponse response) {
    metrics_.requests.WithLabels({std::to_string(response.status)}).Increment();
    Logger()->debug("{} {} -> {}", method, target, response.status);
    done(std::move(response));
  };
  RequestContext ctx;
  ctx.api = absl::StartsWith(request.target, "/api/");
  ctx.locale = PreferredLocale(request.Header("accept-language"), request.Header("cookie"));
  // A path under a served locale is in that language, even when it is malformed.
  for (const std::string& l : SiteLocales()) {
    if (absl::StartsWith(request.target, "/" + l + "/") || request.target == "/" + l)
      ctx.locale = l;
  }
  ctx.request = std::move(request);
  if (ctx.request.refused != 0) {
    const int status = ctx.request.refused;
    return respond(
        ErrorResponse(ctx, status,
                      absl::InvalidArgumentError(status == 413   ? "body: too large"
                                                 : status == 414 ? "path: URL too long"
                                                 : status == 431 ? "headers: too large"
                                                                 : "request: malformed")));
  }
  absl::StatusOr<ParsedTarget> target = ParseTarget(ctx.request.target);
  if (!target.ok()) return respond(ErrorResponse(ctx, 400, target.status()));
  ctx.target = *std::move(target);
  Route(std::move(ctx), std::move(respond));
}

void Site::RunOnPool(RequestContext ctx, std::function<HttpResponse()> job, Respond respond) {
  auto shared =
      std::make_shared<std::tuple<RequestContext, std::function<HttpResponse()>, Respond>>(
          std::move(ctx), std::move(job), respond);
  if (!pool_.TrySubmit([shared] { std::get<2> (*shared)(std::get<1>(*shared)()); })) {
    respond(ErrorResponse(std::get<0>(*shared), 503, absl::UnavailableError("server: busy")));
  }
}

}  // namespace bulletin::web
