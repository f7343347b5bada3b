// bulletin-eventsbench: how fast a published article reaches partners, run by
// scripts/bench-events against a running redis-server, bulletin-content and
// bulletin-notifications. It publishes articles as an editor (CreateArticle +
// PublishArticle) at --rate per second and measures, from the moment PublishArticle
// returned: (b) the event on one Subscribe stream, (c) the webhook at a local receiver,
// then (d) the event on --streams concurrent Subscribe streams (one partner each,
// callback API: the client holds no thread per stream). Baseline in the same run: (a) a
// raw XADD -> XREADGROUP hop on the same redis-server with the event's size. It prints the
// tables of docs/performance.md, with the RSS and CPU of the processes named in --pids.
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "bench/events_bench_parts.h"
#include "bulletin/content/v1/content.grpc.pb.h"
#include "common/base/flags.h"

namespace {

namespace cv1 = ::bulletin::content::v1;
namespace nv1 = ::bulletin::notify::v1;
using ::bulletin::bench::LatencySummary;
using ::bulletin::bench::NowNs;
using ::bulletin::bench::ProcSampler;
using ::bulletin::bench::SubscribeReader;
using ::bulletin::bench::WebhookReceiver;

struct Options {
  std::string content = "127.0.0.1:50051";
  std::string notify = "127.0.0.1:50053";
  std::string redis = "redis://127.0.0.1:6379";
  std::string editor_token;
  std::string partner_token_prefix;  // partner i's token: <prefix><i>
  std::string pids;                  // name=PID,...
  int64_t seconds = 60;              // phase 1
  int64_t rate = 50;                 // publishes per second
  int64_t streams = 500;             // phase 2
  int64_t streams_seconds = 30;
  int64_t hop_seconds = 10;
  int64_t channels = 10;  // connections to notifications in phase 2
  std::string dump;       // file: one line per (b), (c), (d) sample
};

std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return ctx;
}

double CpuSecondsOfSelf() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct Published {
  std::map<std::string, int64_t> sent;  // article id -> PublishArticle returned (ns)
  int64_t errors = 0;
  double seconds = 0;
  LatencySummary publish_call;  // PublishArticle's own latency
};

// Creates and publishes rate x seconds articles on a fixed schedule (open loop).
Published Publish(cv1::ContentService::Stub& stub, const Options& o, const std::string& run,
                  int64_t seconds) {
  Published out;
  const int64_t count = seconds * o.rate;
  const auto start = std::chrono::steady_clock::now();
  const auto period = std::chrono::nanoseconds(1000000000 / o.rate);
  std::map<std::string, int64_t> call_start;
  std::vector<std::pair<std::string, int64_t>> call_end;
  const std::string body(1500, 'x');
  for (int64_t i = 0; i < count; ++i) {
    std::this_thread::sleep_until(start + i * period);
    cv1::CreateArticleRequest create;
    cv1::Article* a = create.mutable_article();
    a->set_default_locale("en");
    auto& en = (*a->mutable_translations())["en"];
    en.set_title(absl::StrCat("Bench article ", run, " ", i));
    en.set_summary("Volunteers from the district planted trees along the river on Saturday.");
    en.set_body(absl::StrCat("<p>", body, "</p>"));
    auto& zh = (*a->mutable_translations())["zh-CN"];
    zh.set_title(absl::StrCat("基准文章 ", run, " ", i));
    zh.set_summary("本区志愿者周六在河边植树。");
    zh.set_body(absl::StrCat("<p>", body, "</p>"));
    cv1::Article created;
    grpc::Status s = stub.CreateArticle(Context(o.editor_token).get(), create, &created);
    if (!s.ok()) {
      if (out.errors++ < 3) std::fprintf(stderr, "CreateArticle: %s\n", s.error_message().c_str());
      continue;
    }
    cv1::PublishArticleRequest publish;
    publish.set_id(created.id());
    publish.set_etag(created.etag());
    cv1::Article published;
    const int64_t before = NowNs();
    s = stub.PublishArticle(Context(o.editor_token).get(), publish, &published);
    const int64_t now = NowNs();
    if (!s.ok()) {
      if (out.errors++ < 3) std::fprintf(stderr, "PublishArticle: %s\n", s.error_message().c_str());
      continue;
    }
    out.sent[created.id()] = now;
    call_start[created.id()] = before;
    call_end.emplace_back(created.id(), now);
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.publish_call = bulletin::bench::Summarize(call_start, {call_end});
  return out;
}

// Waits until every log holds at least `want` arrivals, or `timeout`.
void Drain(const std::vector<bulletin::bench::ArrivalLog*>& logs, size_t want,
           absl::Duration timeout) {
  const absl::Time until = absl::Now() + timeout;
  while (absl::Now() < until) {
    bool all = true;
    for (auto* l : logs) all = all && l->size() >= want;
    if (all) return;
    absl::SleepFor(absl::Milliseconds(50));
  }
}

std::string CreateSubscription(nv1::NotificationService::Stub& stub, const std::string& token,
                               const std::string& name, const std::string& webhook_url) {
  nv1::CreateSubscriptionRequest req;
  req.mutable_subscription()->set_display_name(name);
  if (!webhook_url.empty()) req.mutable_subscription()->set_webhook_url(webhook_url);
  req.mutable_subscription()->mutable_filter()->add_event_types(
      bulletin::events::v1::ARTICLE_EVENT_TYPE_PUBLISHED);
  nv1::CreateSubscriptionResponse resp;
  grpc::Status s = stub.CreateSubscription(Context(token).get(), req, &resp);
  if (!s.ok()) {
    std::fprintf(stderr, "CreateSubscription (%s): %s\n", name.c_str(), s.error_message().c_str());
    std::exit(1);
  }
  return resp.subscription().id();
}

// Waits until every reader had a heartbeat (its stream is open and caught up); false when
// one ended or on timeout.
bool WaitOpen(const std::vector<std::unique_ptr<SubscribeReader>>& readers,
              absl::Duration timeout) {
  const absl::Time until = absl::Now() + timeout;
  while (absl::Now() < until) {
    size_t open = 0;
    for (const auto& r : readers) {
      if (r->done()) {
        std::fprintf(stderr, "a Subscribe stream ended: %s\n", r->status().error_message().c_str());
        return false;
      }
      if (r->heartbeats() > 0) ++open;
    }
    if (open == readers.size()) return true;
    absl::SleepFor(absl::Milliseconds(100));
  }
  std::fprintf(stderr, "Subscribe streams not all open after %s\n",
               absl::FormatDuration(timeout).c_str());
  return false;
}

void CloseAll(std::vector<std::unique_ptr<SubscribeReader>>& readers) {
  for (auto& r : readers) r->Cancel();
  for (auto& r : readers) r->WaitDone(absl::Seconds(5));
}

void WriteSamples(const std::string& path,
                  const std::map<std::string, std::vector<std::pair<int64_t, int64_t>>>& samples) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return;
  for (const auto& [name, list] : samples) {
    const int64_t t0 = list.empty() ? 0 : std::min_element(list.begin(), list.end())->first;
    for (const auto& [sent, latency] : list) {
      std::fprintf(f, "%s %.3f %.3f\n", name.c_str(), static_cast<double>(sent - t0) / 1e9,
                   static_cast<double>(latency) / 1e6);
    }
  }
  std::fclose(f);
}

std::string Row(const std::string& what, const LatencySummary& s, const std::string& target) {
  return absl::StrFormat("| %s | %d | %.2f | %.2f | %.2f | %d | %s |\n", what, s.samples, s.p50_ms,
                         s.p99_ms, s.max_ms, s.missing, target);
}

std::string Verdict(const LatencySummary& s, double limit_ms, const std::string& label) {
  const bool met = s.missing == 0 && s.samples > 0 && s.p99_ms <= limit_ms;
  return absl::StrCat(label, ": ", met ? "met" : "**missed**");
}

}  // namespace

int main(int argc, char** argv) {
  // As the services do (common/grpc/server.cc): the debug build of abseil's deadlock
  // detection walked a lock graph on every ArrivalLog lock, 25,000 a second with 500 streams.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  Options o;
  bulletin::FlagSet flags("bulletin-eventsbench",
                          "publish -> partner latency (scripts/bench-events)");
  flags.String("content", &o.content, "bulletin-content address");
  flags.String("notify", &o.notify, "bulletin-notifications address");
  flags.String("redis", &o.redis, "the redis-server of both, for the raw hop");
  flags.String("editor-token", &o.editor_token, "an editor token of the tokens file");
  flags.String("partner-token-prefix", &o.partner_token_prefix,
               "partner i's token is <prefix><i>, i = 0..streams");
  flags.String("pids", &o.pids, "NAME=PID,... whose RSS and CPU are printed");
  flags.Int("seconds", &o.seconds, "phase 1: one stream and one webhook");
  flags.Int("rate", &o.rate, "publishes per second");
  flags.Int("streams", &o.streams, "phase 2: concurrent Subscribe streams");
  flags.Int("streams-seconds", &o.streams_seconds, "phase 2 length");
  flags.Int("hop-seconds", &o.hop_seconds, "the raw XADD -> XREADGROUP baseline's length");
  flags.Int("channels", &o.channels, "connections to notifications in phase 2");
  flags.String("dump", &o.dump,
               "write every latency sample here: PATH SEND_SECONDS LATENCY_MS (PATH b, c, d, d')");
  if (absl::Status s = flags.Parse(argc, argv); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 2;
  }
  if (flags.help_requested()) return 0;
  if (o.rate < 1 || o.streams < 1 || o.channels < 1 || o.editor_token.empty() ||
      o.partner_token_prefix.empty()) {
    std::fprintf(stderr,
                 "need --editor-token, --partner-token-prefix, positive --rate/--streams\n");
    return 2;
  }
  std::vector<ProcSampler::Proc> procs;
  for (absl::string_view item : absl::StrSplit(o.pids, ',', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(item, '=');
    ProcSampler::Proc p{kv.first, 0};
    if (!absl::SimpleAtoi(kv.second, &p.pid)) return 2;
    procs.push_back(p);
  }
  ProcSampler sampler(procs);
  const std::vector<double> idle_rss = sampler.RssNow();

  auto content = cv1::ContentService::NewStub(
      grpc::CreateChannel(o.content, grpc::InsecureChannelCredentials()));
  std::vector<std::unique_ptr<nv1::NotificationService::Stub>> notify;
  for (int64_t i = 0; i < o.channels; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection of its own
    args.SetInt("bench.channel", static_cast<int>(i));
    notify.push_back(nv1::NotificationService::NewStub(
        grpc::CreateCustomChannel(o.notify, grpc::InsecureChannelCredentials(), args)));
  }
  auto token = [&](int64_t i) { return absl::StrCat(o.partner_token_prefix, i); };

  // Phase 1: one partner with a webhook and a Subscribe stream on the same subscription.
  WebhookReceiver receiver;
  const std::string hook = absl::StrCat("http://127.0.0.1:", receiver.port(), "/hook");
  const std::string sub0 = CreateSubscription(*notify[0], token(0), "bench partner 0", hook);
  std::vector<std::unique_ptr<SubscribeReader>> one;
  one.push_back(std::make_unique<SubscribeReader>(token(0), sub0));
  one.back()->Start(*notify[0]);
  if (!WaitOpen(one, absl::Seconds(30))) return 1;
  std::fprintf(stderr, "phase 1: %lld publishes/s for %lld s, 1 stream + 1 webhook\n",
               static_cast<long long>(o.rate), static_cast<long long>(o.seconds));
  sampler.BeginWindow();
  double self0 = CpuSecondsOfSelf();
  Published p1 = Publish(*content, o, "p1", o.seconds);
  Drain({&one[0]->arrivals(), &receiver.arrivals()}, p1.sent.size(), absl::Seconds(10));
  const double self1 = CpuSecondsOfSelf() - self0;
  const std::vector<double> rss1 = sampler.MaxRss(), cpu1 = sampler.CpuSeconds();
  std::map<std::string, std::vector<std::pair<int64_t, int64_t>>> samples;
  const LatencySummary stream1 =
      bulletin::bench::Summarize(p1.sent, {one[0]->arrivals().Take()}, &samples["b"]);
  const LatencySummary hook1 =
      bulletin::bench::Summarize(p1.sent, {receiver.arrivals().Take()}, &samples["c"]);
  const size_t event_bytes = one[0]->event_bytes();
  CloseAll(one);

  std::fprintf(stderr, "baseline: XADD -> XREADGROUP, %zu bytes, %lld/s for %lld s\n", event_bytes,
               static_cast<long long>(o.rate), static_cast<long long>(o.hop_seconds));
  const LatencySummary hop = bulletin::bench::RedisHop(
      o.redis, event_bytes, static_cast<double>(o.rate), absl::Seconds(o.hop_seconds));

  // Phase 2: o.streams partners, one subscription and one stream each.
  std::vector<std::unique_ptr<SubscribeReader>> many;
  for (int64_t i = 1; i <= o.streams; ++i) {
    const std::string sub = CreateSubscription(*notify[static_cast<size_t>(i % o.channels)],
                                               token(i), absl::StrCat("bench partner ", i), "");
    many.push_back(std::make_unique<SubscribeReader>(token(i), sub));
  }
  for (size_t i = 0; i < many.size(); ++i) many[i]->Start(*notify[i % notify.size()]);
  if (!WaitOpen(many, absl::Seconds(60))) return 1;
  std::fprintf(stderr, "phase 2: %lld publishes/s for %lld s, %lld streams + 1 webhook\n",
               static_cast<long long>(o.rate), static_cast<long long>(o.streams_seconds),
               static_cast<long long>(o.streams));
  sampler.BeginWindow();
  self0 = CpuSecondsOfSelf();
  Published p2 = Publish(*content, o, "p2", o.streams_seconds);
  std::vector<bulletin::bench::ArrivalLog*> logs{&receiver.arrivals()};
  for (auto& r : many) logs.push_back(&r->arrivals());
  Drain(logs, p2.sent.size(), absl::Seconds(10));
  const double self2 = CpuSecondsOfSelf() - self0;
  const std::vector<double> rss2 = sampler.MaxRss(), cpu2 = sampler.CpuSeconds();
  std::vector<std::vector<std::pair<std::string, int64_t>>> got;
  for (auto& r : many) got.push_back(r->arrivals().Take());
  const LatencySummary stream2 = bulletin::bench::Summarize(p2.sent, got, &samples["d"]);
  const LatencySummary hook2 =
      bulletin::bench::Summarize(p2.sent, {receiver.arrivals().Take()}, &samples["d'"]);
  if (!o.dump.empty()) WriteSamples(o.dump, samples);
  int64_t ended = 0;
  for (auto& r : many) ended += r->done() ? 1 : 0;
  CloseAll(many);

  std::string out = absl::StrFormat(
      "\nPublishes: phase 1 %d in %.1f s, phase 2 %d in %.1f s (%d errors); PublishArticle "
      "itself p50 %.2f ms, p99 %.2f ms. Event: %d bytes. Streams ended early in phase 2: %d.\n\n",
      p1.sent.size(), p1.seconds, p2.sent.size(), p2.seconds, p1.errors + p2.errors,
      p1.publish_call.p50_ms, p1.publish_call.p99_ms, event_bytes, ended);
  out += "| path | events | p50 ms | p99 ms | max ms | missing | target |\n";
  out += "|---|---:|---:|---:|---:|---:|---|\n";
  out += Row(absl::StrCat("(a) raw XADD sent -> XREADGROUP (BLOCK) received, same redis-server, ",
                          event_bytes, " B"),
             hop, "baseline");
  out += Row("(b) publish -> Subscribe stream, 1 stream", stream1,
             Verdict(stream1, 10, "p99 <= 10 ms"));
  out +=
      Row("(c) publish -> webhook received, 1 endpoint", hook1, Verdict(hook1, 20, "p99 <= 20 ms"));
  out += Row(absl::StrCat("(d) publish -> every one of ", o.streams, " Subscribe streams"), stream2,
             Verdict(stream2, 20, "p99 <= 20 ms, every stream every event"));
  out += Row("(d') publish -> webhook, during (d)", hook2, "-");
  out += absl::StrFormat(
      "\n| process | RSS idle MB | RSS max (b, c) MB | RSS max (d) MB | CPU (b, c) %% of a core | "
      "CPU (d) %% of a core | CPU per event (d) |\n|---|---:|---:|---:|---:|---:|---:|\n");
  for (size_t i = 0; i < procs.size(); ++i) {
    out += absl::StrFormat(
        "| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f us |\n", procs[i].name, idle_rss[i],
        rss1[i], rss2[i], 100 * cpu1[i] / p1.seconds, 100 * cpu2[i] / p2.seconds,
        1e6 * cpu2[i] / static_cast<double>(std::max<size_t>(1, p2.sent.size())));
  }
  out += absl::StrFormat("| bulletin-eventsbench (client) | - | - | - | %.1f | %.1f | %.0f us |\n",
                         100 * self1 / p1.seconds, 100 * self2 / p2.seconds,
                         1e6 * self2 / static_cast<double>(std::max<size_t>(1, p2.sent.size())));
  out += "\nTargets: RSS <= 30 MB idle and <= 100 MB under load, per service.\n";
  std::fputs(out.c_str(), stdout);
  return 0;
}
