// bulletin-content-loadgen: the load client of scripts/bench-content. `--mode=seed` adds
// published articles next to the demo article (same category, a shared tag) so that a
// page of 10 and related articles exist; `--mode=run` drives one call (or the web's
// article page chain) with ChainDriver and prints one result line: call, calls, seconds,
// rate, p50 and p99 latency in ms, the client's CPU per call and the reply size. The
// floor (`--call=floor --reply-bytes=N`) and every content call go through the same
// driver with pre-framed bytes, so the ratios compare servers, not clients.
#include <grpcpp/grpcpp.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bench/chain_driver.h"
#include "bulletin/analytics/v1/analytics.pb.h"
#include "bulletin/content/v1/content.grpc.pb.h"
#include "common/base/flags.h"

namespace {

namespace cpb = ::bulletin::content::v1;
namespace apb = ::bulletin::analytics::v1;
using bulletin::bench::ChainDriver;
using bulletin::bench::ChainOptions;
using bulletin::bench::ChainResult;
using bulletin::bench::ChainStep;

constexpr char kContent[] = "/bulletin.content.v1.ContentService/";

struct Options {
  std::string mode = "run";  // run | seed
  std::string call = "get-article";
  std::string target = "127.0.0.1:50051";  // content, or the floor for --call=floor
  std::string analytics;                   // --call=page: HOST:PORT of analytics
  std::string token;
  std::string slug;                  // the demo article
  std::string reply_bytes = "4096";  // floor: comma-separated, a step each
  int64_t requests = 100000;
  int64_t connections = 4;
  int64_t in_flight = 16;
  int64_t articles = 30;  // seed
};

std::unique_ptr<cpb::ContentService::Stub> ContentStub(const Options& o) {
  return cpb::ContentService::NewStub(
      grpc::CreateChannel(o.target, grpc::InsecureChannelCredentials()));
}

void Authorize(const Options& o, grpc::ClientContext* ctx) {
  if (!o.token.empty()) ctx->AddMetadata("authorization", "Bearer " + o.token);
}

// The demo article as the web reads it (by slug, English, full view).
cpb::GetArticleRequest ArticleRequest(const Options& o) {
  cpb::GetArticleRequest get;
  get.set_slug(o.slug);
  get.set_locale("en");
  get.set_view(cpb::ARTICLE_VIEW_FULL);
  return get;
}

absl::StatusOr<cpb::Article> DemoArticle(const Options& o) {
  grpc::ClientContext ctx;
  Authorize(o, &ctx);
  cpb::Article a;
  grpc::Status s = ContentStub(o)->GetArticle(&ctx, ArticleRequest(o), &a);
  if (!s.ok()) return absl::UnavailableError(absl::StrCat("GetArticle: ", s.error_message()));
  return a;
}

// echo.EchoRequest{payload: 100 bytes, response_size: n}, encoded by hand (varint n).
std::string EchoBytes(int64_t n) {
  std::string m = "\x0a\x64" + std::string(100, 'a');
  m += '\x10';
  uint64_t v = static_cast<uint64_t>(n);
  do {
    char b = static_cast<char>(v & 0x7f);
    v >>= 7;
    if (v != 0) b = static_cast<char>(b | 0x80);
    m += b;
  } while (v != 0);
  return m;
}

// The steps of --call: one call, or the article page's chain as services/web makes it
// (site/page_routes.cc: GetArticle, GetCategory breadcrumb, ListRelatedArticles, GetStats).
absl::StatusOr<std::vector<ChainStep>> Steps(const Options& o) {
  if (o.call == "floor") {
    std::vector<ChainStep> steps;
    for (absl::string_view n : absl::StrSplit(o.reply_bytes, ',')) {
      int64_t bytes = 0;
      if (!absl::SimpleAtoi(n, &bytes) || bytes < 0 || bytes > (1 << 20)) {
        return absl::InvalidArgumentError("--reply-bytes: numbers 0..1048576, comma-separated");
      }
      steps.push_back({0, "/echo.Echo/Echo", EchoBytes(bytes)});
    }
    return steps;
  }
  absl::StatusOr<cpb::Article> article = DemoArticle(o);
  if (!article.ok()) return article.status();
  cpb::GetCategoryRequest category;
  category.set_id(article->category_id());
  cpb::ListRelatedArticlesRequest related;
  related.set_article_id(article->id());
  related.set_locale("en");
  related.set_page_size(5);
  const ChainStep get{0, absl::StrCat(kContent, "GetArticle"),
                      ArticleRequest(o).SerializeAsString()};
  const ChainStep cat{0, absl::StrCat(kContent, "GetCategory"), category.SerializeAsString()};
  const ChainStep rel{0, absl::StrCat(kContent, "ListRelatedArticles"),
                      related.SerializeAsString()};
  if (o.call == "get-article") return std::vector<ChainStep>{get};
  if (o.call == "category") return std::vector<ChainStep>{cat};
  if (o.call == "related") return std::vector<ChainStep>{rel};
  if (o.call == "list-articles") {
    cpb::ListArticlesRequest list;
    list.set_page_size(10);
    list.set_locale("en");
    list.set_view(cpb::ARTICLE_VIEW_BASIC);
    return std::vector<ChainStep>{
        {0, absl::StrCat(kContent, "ListArticles"), list.SerializeAsString()}};
  }
  if (o.call == "page") {
    if (o.analytics.empty()) return absl::InvalidArgumentError("--call=page needs --analytics");
    apb::GetStatsRequest stats;
    stats.add_article_ids(article->id());
    return std::vector<ChainStep>{
        get,
        cat,
        rel,
        {1, "/bulletin.analytics.v1.AnalyticsService/GetStats", stats.SerializeAsString()}};
  }
  return absl::InvalidArgumentError(absl::StrCat("--call: unknown call \"", o.call, "\""));
}

double CpuMicros() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6 + usage.ru_utime.tv_usec +
         usage.ru_stime.tv_usec;
}

int Run(const Options& o) {
  absl::StatusOr<std::vector<ChainStep>> steps = Steps(o);
  if (!steps.ok()) {
    std::fprintf(stderr, "%s\n", std::string(steps.status().message()).c_str());
    return 2;
  }
  ChainOptions options;
  options.targets = {o.target};
  if (!o.analytics.empty()) options.targets.push_back(o.analytics);
  options.token = o.token;
  options.chains = o.requests;
  options.connections = o.connections;
  options.in_flight = o.in_flight;
  ChainDriver driver(options, *std::move(steps));
  const double cpu0 = CpuMicros();
  ChainResult r = driver.Run();
  const double cpu = CpuMicros() - cpu0;
  std::sort(r.latencies_ms.begin(), r.latencies_ms.end());
  auto pct = [&](double p) -> double {
    if (r.latencies_ms.empty()) return 0;
    return r.latencies_ms[std::min(r.latencies_ms.size() - 1,
                                   static_cast<size_t>(p * r.latencies_ms.size()))];
  };
  std::printf(
      "%s calls=%lld errors=%lld seconds=%.3f rate=%.0f p50_ms=%.3f p99_ms=%.3f "
      "cpu_us_per_call=%.1f reply_bytes=%zu\n",
      o.call.c_str(), static_cast<long long>(r.chains), static_cast<long long>(r.errors), r.seconds,
      r.chains / r.seconds, pct(0.50), pct(0.99), r.chains > 0 ? cpu / r.chains : 0.0,
      r.reply_bytes);
  return r.errors == 0 ? 0 : 1;
}

// Publishes --articles articles in the demo article's category, each sharing a tag and
// words of its title, so that ListArticles has full pages and ListRelatedArticles has
// candidates. Idempotent: request ids are fixed, published ones are skipped.
int Seed(const Options& o) {
  absl::StatusOr<cpb::Article> demo = DemoArticle(o);
  if (!demo.ok()) {
    std::fprintf(stderr, "%s\n", std::string(demo.status().message()).c_str());
    return 1;
  }
  auto stub = ContentStub(o);
  const std::string body(demo->translations().at("en").body());
  for (int64_t i = 0; i < o.articles; ++i) {
    cpb::CreateArticleRequest create;
    create.set_request_id(absl::StrCat("bench-seed-article-", i));
    cpb::Article* a = create.mutable_article();
    a->set_category_id(demo->category_id());
    a->set_default_locale("en");
    a->add_tags(i % 2 == 0 ? "volunteer service" : "unv");
    a->add_tags(absl::StrCat("bench-", i % 7));
    cpb::ArticleTranslation& en = (*a->mutable_translations())["en"];
    en.set_title(absl::StrCat("Volunteer Service Cooperation Meeting number ", i, " held"));
    en.set_summary(absl::StrCat("Summary of the meeting number ", i, " on volunteer service."));
    en.set_body(body);
    grpc::ClientContext ctx;
    Authorize(o, &ctx);
    cpb::Article created;
    grpc::Status s = stub->CreateArticle(&ctx, create, &created);
    if (!s.ok()) {
      std::fprintf(stderr, "CreateArticle %lld: %s\n", static_cast<long long>(i),
                   s.error_message().c_str());
      return 1;
    }
    if (created.state() == cpb::ARTICLE_STATE_PUBLISHED) continue;
    cpb::PublishArticleRequest publish;
    publish.set_id(created.id());
    grpc::ClientContext pctx;
    Authorize(o, &pctx);
    cpb::Article published;
    s = stub->PublishArticle(&pctx, publish, &published);
    if (!s.ok()) {
      std::fprintf(stderr, "PublishArticle %lld: %s\n", static_cast<long long>(i),
                   s.error_message().c_str());
      return 1;
    }
  }
  std::printf("seeded %lld articles\n", static_cast<long long>(o.articles));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  bulletin::FlagSet flags("bulletin-content-loadgen",
                          "gRPC load client for scripts/bench-content.");
  flags.String("mode", &o.mode, "run | seed");
  flags.String("call", &o.call, "floor | get-article | list-articles | related | category | page");
  flags.String("target", &o.target, "HOST:PORT of content (or of the floor)");
  flags.String("analytics", &o.analytics, "HOST:PORT of analytics (--call=page)");
  flags.String("token", &o.token, "bearer token");
  flags.String("slug", &o.slug, "slug of the demo article");
  flags.String("reply-bytes", &o.reply_bytes,
               "floor: reply payload bytes; several (comma-separated) make a chain");
  flags.Int("requests", &o.requests, "calls (pages for --call=page) in all");
  flags.Int("connections", &o.connections, "HTTP/2 connections per server");
  flags.Int("in-flight", &o.in_flight, "calls (pages) in flight per connection");
  flags.Int("articles", &o.articles, "seed: articles to add");
  if (absl::Status s = flags.Parse(argc, argv); !s.ok() || flags.help_requested()) {
    std::fputs(s.ok() ? flags.Usage().c_str() : (std::string(s.message()) + "\n").c_str(),
               s.ok() ? stdout : stderr);
    return s.ok() ? 0 : 2;
  }
  if (o.mode == "seed") return Seed(o);
  if (o.mode == "run") return Run(o);
  std::fprintf(stderr, "--mode: unknown mode \"%s\"\n", o.mode.c_str());
  return 2;
}
