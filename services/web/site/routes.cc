// The route table of bulletin-web: which path answers what, before any upstream call.
//   /                         302 to /{locale}/ by cookie or Accept-Language (?lang= sets it)
//   /robots.txt, /sitemap.xml, /sitemaps/{n}.xml
//   /media/...                a file of --media-dir (images), see core/media_files.h
//   /{locale}/ (home), /{locale}/articles/{slug}, /{locale}/categories/{slug}[/feed.*],
//   /{locale}/feed.rss|feed.atom|feed.json, /{locale}/search?q=, /{locale}/stats
//   /api/v1/...               the JSON API and the view beacon (site/api_routes.cc)
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/base/text_rules.h"
#include "services/web/core/locale.h"
#include "services/web/site/site.h"

namespace bulletin::web {
namespace {

std::string Param(const ParsedTarget& t, const std::string& name) {
  auto it = t.query.find(name);
  return it == t.query.end() ? "" : it->second;
}

bool IsSlug(absl::string_view s) {
  if (s.empty() || s.size() > 100) return false;
  for (char c : s) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-')) return false;
  }
  return true;
}

}  // namespace

void Site::Route(RequestContext ctx, Respond respond) {
  const std::vector<std::string>& seg = ctx.target.segments;
  const std::string& method = ctx.request.method;
  if (ctx.api) return RouteApi(std::move(ctx), std::move(respond));
  if (method != "GET" && method != "HEAD") {
    HttpResponse r = ErrorResponse(ctx, 405, absl::InvalidArgumentError("method: not allowed"));
    r.Set("Allow", "GET, HEAD");
    return respond(std::move(r));
  }
  if (seg.empty()) {
    HttpResponse r;
    r.status = 302;
    std::string chosen = Param(ctx.target, "lang");
    std::string locale = ctx.locale;
    if (std::optional<std::string> l = SiteLocale(chosen)) {
      locale = *l;
      r.Set("Set-Cookie",
            absl::StrCat(kLangCookie, "=", locale, "; Path=/; Max-Age=31536000; SameSite=Lax"));
    }
    r.Set("Location", absl::StrCat("/", locale, "/"));
    r.Set("Vary", "Accept-Language, Cookie");
    r.Set("Cache-Control", "private, no-cache");
    r.Set("Content-Type", "text/plain; charset=utf-8");
    return respond(std::move(r));
  }
  if (seg[0] == "media") return ServeMedia(std::move(ctx), std::move(respond));
  if (seg.size() == 1 && seg[0] == "robots.txt") {
    return ServeCached(
        std::move(ctx), "/robots.txt",
        [this] { return absl::StatusOr<CachedResponse>(RobotsTxt()); }, std::move(respond));
  }
  if (seg.size() == 1 && seg[0] == "sitemap.xml") {
    return ServeCached(
        std::move(ctx), "/sitemap.xml", [this] { return SitemapDocument(0); }, std::move(respond));
  }
  if (seg.size() == 2 && seg[0] == "sitemaps") {
    absl::string_view file = seg[1];
    size_t page = 0;
    if (absl::ConsumeSuffix(&file, ".xml") && absl::SimpleAtoi(file, &page) && page >= 1 &&
        page <= 100000) {
      return ServeCached(
          std::move(ctx), absl::StrCat("/sitemaps/", page),
          [this, page] { return SitemapDocument(page); }, std::move(respond));
    }
  }
  if (!SiteLocale(seg[0])) return respond(ErrorResponse(ctx, 404, absl::OkStatus()));
  RouteLocale(std::move(ctx), std::move(respond));
}

void Site::ServeMedia(RequestContext ctx, Respond respond) {
  if (options_.media == nullptr) return respond(ErrorResponse(ctx, 404, absl::OkStatus()));
  auto job = [this, ctx]() -> HttpResponse {
    std::vector<std::string> path(ctx.target.segments.begin() + 1, ctx.target.segments.end());
    absl::StatusOr<MediaFile> file = options_.media->Read(path);
    if (!file.ok()) {
      return ErrorResponse(ctx, file.status().code() == absl::StatusCode::kNotFound ? 404 : 403,
                           absl::OkStatus());
    }
    CachedResponse entry;
    entry.content_type = file->content_type;
    entry.body = std::move(file->body);
    entry.etag = std::move(file->etag);
    entry.last_modified = file->last_modified;
    entry.cache_control = "public, max-age=86400";
    HttpResponse r = Finish(ctx, entry);
    // An SVG opened on its own is a document: it runs no script and loads nothing.
    if (entry.content_type == "image/svg+xml") {
      r.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    }
    return r;
  };
  RunOnPool(ctx, std::move(job), std::move(respond));
}

void Site::RouteLocale(RequestContext ctx, Respond respond) {
  const std::vector<std::string> seg = ctx.target.segments;
  const std::string locale = seg[0];
  auto not_found = [&] { respond(ErrorResponse(ctx, 404, absl::OkStatus())); };
  if (seg.size() == 1) {
    if (!ctx.target.trailing_slash) {
      HttpResponse r;
      r.status = 301;
      r.Set("Location", absl::StrCat("/", locale, "/"));
      r.Set("Cache-Control", "public, max-age=86400");
      return respond(std::move(r));
    }
    return ServeCached(
        std::move(ctx), "/" + locale + "/", [this, locale] { return HomePage(locale); },
        std::move(respond));
  }
  const std::string& kind = seg[1];
  if (seg.size() == 3 && kind == "articles") {
    if (!IsSlug(seg[2])) return not_found();
    std::string slug = seg[2];
    return ServeCached(
        std::move(ctx), absl::StrCat("/", locale, "/articles/", slug),
        [this, locale, slug] { return ArticlePage(locale, slug); }, std::move(respond));
  }
  if ((seg.size() == 3 || seg.size() == 4) && kind == "categories") {
    if (!IsSlug(seg[2])) return not_found();
    std::string slug = seg[2];
    if (seg.size() == 4) {
      std::string file = seg[3];
      return ServeCached(
          std::move(ctx), absl::StrCat("/", locale, "/categories/", slug, "/", file),
          [this, locale, slug, file] { return FeedDocument(locale, slug, file); },
          std::move(respond));
    }
    std::string token = Param(ctx.target, "page_token");
    if (token.size() > 1024)
      return respond(ErrorResponse(ctx, 400, absl::InvalidArgumentError("page_token: too long")));
    return ServeCached(
        std::move(ctx), absl::StrCat("/", locale, "/categories/", slug, "?", token),
        [this, locale, slug, token] { return CategoryPage(locale, slug, token); },
        std::move(respond));
  }
  if (seg.size() == 2 && absl::StartsWith(kind, "feed.")) {
    return ServeCached(
        std::move(ctx), absl::StrCat("/", locale, "/", kind),
        [this, locale, kind] { return FeedDocument(locale, "", kind); }, std::move(respond));
  }
  if (seg.size() == 2 && kind == "search") {
    std::string q = Param(ctx.target, "q");
    std::string token = Param(ctx.target, "page_token");
    absl::Status valid = CheckText(q, "q", TextRule{true, 200, false});
    if (!valid.ok() || token.size() > 1024) {
      return respond(ErrorResponse(
          ctx, 400, valid.ok() ? absl::InvalidArgumentError("page_token: too long") : valid));
    }
    return ServeCached(
        std::move(ctx), absl::StrCat("/", locale, "/search?", q, "\n", token),
        [this, locale, q, token] { return SearchPage(locale, q, token); }, std::move(respond));
  }
  if (seg.size() == 2 && kind == "stats") {
    return ServeCached(
        std::move(ctx), "/" + locale + "/stats", [this, locale] { return StatsPage(locale); },
        std::move(respond));
  }
  not_found();
}

}  // namespace bulletin::web
