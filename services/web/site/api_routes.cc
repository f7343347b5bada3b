// The JSON API (/api/v1/...) in protobuf's JSON mapping, with CORS for the configured
// origins, and the view beacon: POST /api/v1/views {"token":...} (the page's script) and
// GET /api/v1/views/pixel?token= (the <noscript> image). A view counts only with a valid
// token; the visitor is the first-party cookie, or -- when the browser sends Sec-GPC: 1,
// and no cookie is set -- analytics' daily-salted hash of address and user agent.
#include <openssl/rand.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/web/core/locale.h"
#include "services/web/pages/html.h"
#include "services/web/site/site.h"

namespace bulletin::web {
namespace {

constexpr char kVisitorCookie[] = "bulletin_vid";
// A transparent 1x1 GIF.
constexpr unsigned char kPixel[] = {
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
    0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b};

std::string ToJson(const google::protobuf::Message& m, bool all_fields = false) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = all_fields;
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(m, &out, options).ok()) return "{}";
  return out;
}

std::string Param(const ParsedTarget& t, const std::string& name) {
  auto it = t.query.find(name);
  return it == t.query.end() ? "" : it->second;
}

bool ValidVisitorId(absl::string_view v) {
  return v.size() == 32 && std::all_of(v.begin(), v.end(), [](char c) {
           return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f');
         });
}

std::string NewVisitorId() {
  unsigned char bytes[16];
  RAND_bytes(bytes, sizeof bytes);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
}

}  // namespace

std::string ClientIp(const HttpRequest& request, const std::vector<std::string>& trusted) {
  auto is_trusted = [&trusted](absl::string_view ip) {
    return std::find(trusted.begin(), trusted.end(), ip) != trusted.end();
  };
  if (!is_trusted(request.peer_ip)) return request.peer_ip;
  std::optional<absl::string_view> forwarded = request.Header("x-forwarded-for");
  if (!forwarded) return request.peer_ip;
  std::vector<absl::string_view> hops = absl::StrSplit(*forwarded, ',');
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    absl::string_view hop = absl::StripAsciiWhitespace(*it);
    if (hop.empty() || hop.size() > 45) break;  // not an address
    if (!is_trusted(hop)) return std::string(hop);
  }
  return request.peer_ip;
}

void Site::RouteApi(RequestContext ctx, Respond respond) {
  const std::vector<std::string>& seg = ctx.target.segments;
  const std::string& method = ctx.request.method;
  if (method == "OPTIONS") {
    HttpResponse r;
    r.status = 204;
    AddCors(ctx, r);
    if (r.Get("Access-Control-Allow-Origin")) {
      r.Set("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS");
      r.Set("Access-Control-Allow-Headers", "Content-Type, If-None-Match, If-Modified-Since");
      r.Set("Access-Control-Max-Age", "600");
    }
    return respond(std::move(r));
  }
  const bool views = seg.size() >= 3 && seg[0] == "api" && seg[1] == "v1" && seg[2] == "views";
  if (views && seg.size() == 3 && method == "POST") {
    return RunOnPool(
        ctx,
        [this, ctx] {
          google::protobuf::Struct body;
          if (!google::protobuf::util::JsonStringToMessage(ctx.request.body, &body).ok()) {
            HttpResponse r =
                ErrorResponse(ctx, 400, absl::InvalidArgumentError("body: not a JSON object"));
            return r;
          }
          auto field = [&body](const char* name) -> std::string {
            auto it = body.fields().find(name);
            return it == body.fields().end() ? "" : it->second.string_value();
          };
          return RecordView(ctx, field("token"), field("locale"), field("referrer"), false);
        },
        std::move(respond));
  }
  if (views && seg.size() == 4 && seg[3] == "pixel" && (method == "GET" || method == "HEAD")) {
    return RunOnPool(
        ctx,
        [this, ctx] {
          return RecordView(ctx, Param(ctx.target, "token"), Param(ctx.target, "locale"), "", true);
        },
        std::move(respond));
  }
  if (method != "GET" && method != "HEAD") {
    HttpResponse r = ErrorResponse(ctx, 405, absl::InvalidArgumentError("method: not allowed"));
    r.Set("Allow", views ? "POST" : "GET, HEAD, OPTIONS");
    return respond(std::move(r));
  }
  std::string key = ctx.target.path;
  for (const auto& [name, value] : ctx.target.query) absl::StrAppend(&key, "\n", name, "=", value);
  ServeCached(
      ctx, std::move(key), [this, ctx] { return ApiGet(ctx); }, std::move(respond));
}

absl::StatusOr<CachedResponse> Site::ApiGet(const RequestContext& ctx) {
  const std::vector<std::string>& seg = ctx.target.segments;
  const std::string locale = Param(ctx.target, "locale");
  const std::string token = Param(ctx.target, "page_token");
  auto answer = [this](const absl::Status& s) -> absl::StatusOr<CachedResponse> {
    if (IsUpstreamFailure(s)) return s;
    return JsonError(s);
  };
  if (seg.size() < 3 || seg[0] != "api" || seg[1] != "v1") {
    return JsonError(absl::NotFoundError("path: no such resource"));
  }
  const std::string& kind = seg[2];
  if (kind == "articles" && (seg.size() == 4 || (seg.size() == 5 && seg[4] == "related"))) {
    cpb::GetArticleRequest get;
    get.set_slug(seg[3]);
    get.set_locale(locale);
    get.set_view(cpb::ARTICLE_VIEW_FULL);
    absl::StatusOr<cpb::Article> article = backend_.GetArticle(get);
    if (absl::IsNotFound(article.status())) {
      return JsonError(absl::NotFoundError(absl::StrCat("slug: ", article.status().message())));
    }
    if (!article.ok()) return answer(article.status());
    std::vector<std::string> keys = {"a:" + article->id(), "slug:" + seg[3]};
    if (seg.size() == 4) {
      return Json(200, ToJson(*article), std::move(keys), ToTime(article->update_time()));
    }
    cpb::ListRelatedArticlesRequest related;
    related.set_article_id(article->id());
    related.set_locale(locale);
    related.set_page_size(10);
    absl::StatusOr<cpb::ListRelatedArticlesResponse> r = backend_.ListRelatedArticles(related);
    if (!r.ok()) return answer(r.status());
    for (const cpb::Article& a : r->articles()) keys.push_back("a:" + a.id());
    return Json(200, ToJson(*r), std::move(keys), absl::UnixEpoch());
  }
  if (kind == "categories" && seg.size() == 5 && seg[4] == "articles") {
    cpb::GetCategoryRequest get;
    get.set_slug(seg[3]);
    absl::StatusOr<cpb::Category> category = backend_.GetCategory(get);
    if (!category.ok()) return answer(category.status());
    cpb::ListArticlesRequest list;
    list.set_category_id(category->id());
    list.set_include_subcategories(true);
    list.set_locale(locale);
    list.set_require_translation(!locale.empty());
    list.set_page_token(token);
    int page_size = 20;
    if (std::string ps = Param(ctx.target, "page_size");
        !ps.empty() && !absl::SimpleAtoi(ps, &page_size)) {
      return JsonError(absl::InvalidArgumentError("page_size: not a number"));
    }
    list.set_page_size(page_size);
    absl::StatusOr<cpb::ListArticlesResponse> r = backend_.ListArticles(list);
    if (!r.ok()) return answer(r.status());
    return Json(200, ToJson(*r), {"lists", "c:" + category->id()}, absl::UnixEpoch());
  }
  if (kind == "search" && seg.size() == 3) {
    cpb::SearchArticlesRequest search;
    search.set_query(Param(ctx.target, "q"));
    search.set_locale(locale);
    search.set_page_token(token);
    search.set_page_size(20);
    absl::StatusOr<cpb::SearchArticlesResponse> r = backend_.SearchArticles(search);
    if (!r.ok()) {
      absl::Status s = r.status();
      if (absl::IsInvalidArgument(s) && absl::StartsWith(s.message(), "query")) {
        s = absl::InvalidArgumentError(absl::StrCat("q", s.message().substr(5)));
      }
      return answer(s);
    }
    return Json(200, ToJson(*r), {"lists"}, absl::UnixEpoch());
  }
  if (kind == "stats" && seg.size() == 3) {
    apb::GetStatsRequest stats;
    std::vector<std::string> keys = {"stats"};
    for (absl::string_view id :
         absl::StrSplit(Param(ctx.target, "article_ids"), ',', absl::SkipEmpty())) {
      stats.add_article_ids(std::string(id));
      if (stats.article_ids_size() > 100) {
        return JsonError(absl::InvalidArgumentError("article_ids: more than 100"));
      }
    }
    int window = 0;
    if (std::string w = Param(ctx.target, "window_days");
        !w.empty() && !absl::SimpleAtoi(w, &window)) {
      return JsonError(absl::InvalidArgumentError("window_days: not a number"));
    }
    stats.set_window_days(window);
    absl::StatusOr<apb::GetStatsResponse> r = backend_.GetStats(stats);
    if (!r.ok()) return answer(r.status());
    CachedResponse response = Json(200, ToJson(*r), std::move(keys), absl::UnixEpoch());
    response.cache_control = "public, max-age=10";
    return response;
  }
  return JsonError(absl::NotFoundError("path: no such resource"));
}

HttpResponse Site::RecordView(const RequestContext& ctx, absl::string_view token,
                              absl::string_view locale, absl::string_view referrer, bool pixel) {
  absl::StatusOr<std::string> article_id = tokens_.Verify(token, absl::Now());
  if (!article_id.ok()) return ErrorResponse(ctx, 400, article_id.status());
  apb::RecordViewRequest request;
  request.set_article_id(*article_id);
  if (SiteLocale(locale)) request.set_locale(std::string(locale));
  if (referrer.size() <= 2048) request.set_referrer(std::string(referrer));
  const bool gpc = ctx.request.Header("sec-gpc").value_or("") == "1";
  std::string set_cookie;
  std::optional<std::string> visitor = CookieValue(ctx.request.Header("cookie"), kVisitorCookie);
  if (visitor && ValidVisitorId(*visitor)) {
    request.set_visitor_id(*visitor);
  } else if (!gpc) {
    request.set_visitor_id(NewVisitorId());
    set_cookie = absl::StrCat(kVisitorCookie, "=", request.visitor_id(),
                              "; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
                              absl::StartsWith(options_.public_url, "https:") ? "; Secure" : "");
  }
  if (request.visitor_id().empty()) {
    request.set_client_ip(ClientIp(ctx.request, options_.trusted_proxies));
    request.set_user_agent(
        std::string(ctx.request.Header("user-agent").value_or("").substr(0, 512)));
  }
  absl::StatusOr<apb::RecordViewResponse> recorded = backend_.RecordView(request);
  if (!recorded.ok()) {
    int status = IsUpstreamFailure(recorded.status()) ? 503 : HttpStatusFor(recorded.status());
    return ErrorResponse(ctx, status,
                         status == 503
                             ? absl::UnavailableError("analytics: unavailable, retry later")
                             : recorded.status());
  }
  HttpResponse r;
  r.Set("Cache-Control", "no-store");
  if (!set_cookie.empty()) r.Set("Set-Cookie", set_cookie);
  if (pixel) {
    r.Set("Content-Type", "image/gif");
    r.body.assign(reinterpret_cast<const char*>(kPixel), sizeof kPixel);
  } else {
    r.Set("Content-Type", "application/json; charset=utf-8");
    r.body = ToJson(*recorded, /*all_fields=*/true);
  }
  AddCors(ctx, r);
  return r;
}

}  // namespace bulletin::web
