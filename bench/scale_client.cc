// bulletin-scale-client: the client of scripts/bench-scale. Against a bulletin-content
// serving the synthetic site of sitegen_corpus.h (same --seed and --articles), it either
// waits for the health check to say SERVING (--mode=serving: prints the time since
// --since-unix-ns), or measures the site's read paths one call at a time (latency, not
// throughput): SearchArticles with one- and two-word queries in English and Chinese (a
// different query each call), ListArticles' first page, its 100th page (page size 10,
// BASIC, the token taken by walking there first) and a category's first page, and
// ListRelatedArticles of a different article each call. Each figure stops after
// --requests calls or --seconds, whichever first; prints one line per figure (--figures
// picks some; --slowest lists a figure's slowest calls with what they asked, to replay).
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bench/sitegen_corpus.h"
#include "bulletin/content/v1/content.grpc.pb.h"
#include "common/base/flags.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace {

namespace v1 = ::bulletin::content::v1;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string mode = "measure";  // measure | serving
  std::string target;
  std::string token;
  int64_t articles = 1000;
  int64_t seed = 14;
  int64_t requests = 300;
  int64_t seconds = 20;
  int64_t since_unix_ns = 0;
  std::string figures;  // comma-separated names to measure; empty: all
  int64_t slowest = 0;  // calls listed per figure, slowest first, with what they asked
};

bool Wanted(const Options& o, const std::string& name) {
  if (o.figures.empty()) return true;
  for (absl::string_view f : absl::StrSplit(o.figures, ',')) {
    if (f == name) return true;
  }
  return false;
}

// Runs `call(i)` until `requests` calls or `seconds` passed; prints n, p50, p99, max (ms),
// then the --slowest calls, each with what `label(i)` says it asked. A failed call ends the
// run with its error. A figure not among --figures is skipped (and succeeds).
bool Measure(const Options& o, const std::string& name,
             const std::function<grpc::Status(int)>& call,
             const std::function<std::string(int)>& label) {
  if (!Wanted(o, name)) return true;
  for (int i = 0; i < 5; ++i) call(-1 - i).ok();  // warm-up: connection, first statements
  std::vector<double> ms;
  std::vector<std::pair<double, int>> calls;
  const Clock::time_point end = Clock::now() + std::chrono::seconds(o.seconds);
  for (int i = 0; i < o.requests && Clock::now() < end; ++i) {
    const Clock::time_point t0 = Clock::now();
    const grpc::Status s = call(i);
    const double elapsed = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (!s.ok()) {
      std::printf("figure=%s error=%d %s\n", name.c_str(), s.error_code(),
                  s.error_message().c_str());
      return false;
    }
    ms.push_back(elapsed);
    calls.emplace_back(elapsed, i);
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()))];
  };
  std::printf("figure=%s n=%zu p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n", name.c_str(), ms.size(),
              at(0.5), at(0.99), ms.back());
  std::sort(calls.rbegin(), calls.rend());
  for (size_t k = 0; k < calls.size() && k < static_cast<size_t>(o.slowest); ++k) {
    std::printf("slow=%s ms=%.2f call=%d asked=%s\n", name.c_str(), calls[k].first, calls[k].second,
                label(calls[k].second).c_str());
  }
  std::fflush(stdout);
  return true;
}

int Serving(const Options& o) {
  const absl::Time deadline = absl::Now() + absl::Seconds(o.seconds);
  while (absl::Now() < deadline) {
    // A fresh channel with its own connection each attempt: after a refused connect, a
    // channel waits out gRPC's reconnect backoff (about 1 s, growing), which would be
    // measured as start-up time.
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto health = grpc::health::v1::Health::NewStub(
        grpc::CreateCustomChannel(o.target, grpc::InsecureChannelCredentials(), args));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse resp;
    if (health->Check(&ctx, req, &resp).ok() &&
        resp.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      std::printf("figure=serving ms=%.0f\n",
                  (absl::ToUnixNanos(absl::Now()) - o.since_unix_ns) / 1e6);
      return 0;
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  std::printf("figure=serving error=not SERVING within %lld s\n",
              static_cast<long long>(o.seconds));
  return 1;
}

int Run(const Options& o) {
  auto stub = v1::ContentService::NewStub(
      grpc::CreateChannel(o.target, grpc::InsecureChannelCredentials()));
  auto context = [&](grpc::ClientContext& ctx) {
    ctx.AddMetadata("authorization", "Bearer " + o.token);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  };
  const uint64_t seed = static_cast<uint64_t>(o.seed);
  const int count = static_cast<int>(o.articles);
  bool ok = true;

  auto search = [&](const std::string& name, bool chinese, int words) {
    auto query = [&](int i) {
      const int n = i < 0 ? 1000000 - i : i;
      return chinese ? bulletin::bench::ChineseQuery(seed, n, words)
                     : bulletin::bench::EnglishQuery(seed, n, words);
    };
    ok = ok && Measure(
                   o, name,
                   [&](int i) {
                     v1::SearchArticlesRequest req;
                     req.set_query(query(i));
                     v1::SearchArticlesResponse resp;
                     grpc::ClientContext ctx;
                     context(ctx);
                     return stub->SearchArticles(&ctx, req, &resp);
                   },
                   query);
  };
  search("search_en_1word", false, 1);
  search("search_en_2words", false, 2);
  search("search_zh_1word", true, 1);
  search("search_zh_2words", true, 2);

  auto list = [&](const std::string& token, const std::string& category,
                  std::string* next) -> grpc::Status {
    v1::ListArticlesRequest req;
    req.set_page_size(10);
    req.set_view(v1::ARTICLE_VIEW_BASIC);
    req.set_page_token(token);
    if (!category.empty()) {
      req.set_category_id(category);
      req.set_include_subcategories(true);
    }
    v1::ListArticlesResponse resp;
    grpc::ClientContext ctx;
    context(ctx);
    grpc::Status s = stub->ListArticles(&ctx, req, &resp);
    if (next != nullptr) *next = resp.next_page_token();
    return s;
  };
  auto none = [](int) { return std::string("page 1"); };
  ok = ok && Measure(
                 o, "list_page1", [&](int) { return list("", "", nullptr); }, none);
  // The token of page 100 (articles 991..1000), or of the last page of a smaller site.
  std::string token, next;
  for (int page = 1; ok && Wanted(o, "list_page100") && page < 100; ++page) {
    if (!list(token, "", &next).ok() || next.empty()) break;
    token = next;
  }
  ok = ok && Measure(
                 o, "list_page100", [&](int) { return list(token, "", nullptr); },
                 [](int) { return std::string("page 100"); });
  auto category = [](int i) {
    return bulletin::bench::CategoryId((i + 50) % bulletin::bench::kSiteCategories);
  };
  ok = ok && Measure(
                 o, "list_category_page1", [&](int i) { return list("", category(i), nullptr); },
                 category);
  // A different article each call, in English and Chinese by turns.
  auto related = [&](int i) {
    v1::ListRelatedArticlesRequest req;
    bulletin::bench::Rng rng(seed ^ static_cast<uint64_t>(i + 1000));
    req.set_article_id(
        bulletin::bench::ArticleId(seed, rng.Below(count), count, bulletin::bench::SiteEnd()));
    req.set_locale(i % 2 == 0 ? "en" : "zh-CN");
    return req;
  };
  ok = ok && Measure(
                 o, "related",
                 [&](int i) {
                   v1::ListRelatedArticlesResponse resp;
                   grpc::ClientContext ctx;
                   context(ctx);
                   return stub->ListRelatedArticles(&ctx, related(i), &resp);
                 },
                 [&](int i) {
                   const v1::ListRelatedArticlesRequest req = related(i);
                   return absl::StrCat(req.article_id(), " ", req.locale());
                 });
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  bulletin::FlagSet flags("bulletin-scale-client",
                          "Measures bulletin-content's read paths on the synthetic site.");
  flags.String("mode", &o.mode, "measure | serving");
  flags.String("target", &o.target, "HOST:PORT of bulletin-content");
  flags.String("token", &o.token, "bearer token (frontend)");
  flags.Int("articles", &o.articles, "articles in the site (as bulletin-sitegen --articles)");
  flags.Int("seed", &o.seed, "as bulletin-sitegen --seed");
  flags.Int("requests", &o.requests, "calls per figure at most");
  flags.Int("seconds", &o.seconds, "seconds per figure at most (serving: the wait)");
  flags.Int("since-unix-ns", &o.since_unix_ns, "serving: when the service was started");
  flags.String("figures", &o.figures,
               "comma-separated figures to measure (search_en_1word, search_en_2words, "
               "search_zh_1word, search_zh_2words, list_page1, list_page100, "
               "list_category_page1, related); empty: all");
  flags.Int("slowest", &o.slowest, "calls listed per figure, slowest first, with what they asked");
  if (absl::Status s = flags.Parse(argc, argv); !s.ok() || flags.help_requested()) {
    std::fputs(s.ok() ? flags.Usage().c_str() : (std::string(s.message()) + "\n").c_str(),
               s.ok() ? stdout : stderr);
    return s.ok() ? 0 : 2;
  }
  return o.mode == "serving" ? Serving(o) : Run(o);
}
