// bulletin-loadgen: drives unary gRPC calls (the floor's Echo, or AnalyticsService.
// RecordView with a distinct visitor per call) and RecordViews client streams, and
// prints one result line: mode, calls, seconds, rate, p50 and p99 latency in ms.
//
// The unary modes use the generic stub with pre-framed bytes, so the floor and
// bulletin-analytics see exactly the same client; --rate paces them (calls started at
// most that many per second), so that two servers can be compared at the same load.
// `redis-args` prints the EVALSHA command RecordView's script runs (one argument per
// line) for redis-benchmark.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "bulletin/analytics/v1/analytics.grpc.pb.h"
#include "common/base/flags.h"
#include "common/redis/redis_client.h"
#include "services/analytics/store/redis/dedup_hash.h"
#include "services/analytics/store/redis/redis_view_store.h"

namespace {

namespace v1 = ::bulletin::analytics::v1;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string mode = "record";  // record | floor | stream | redis-args | script
  std::string target = "127.0.0.1:50052";
  std::string token;
  int64_t requests = 100000;
  int64_t connections = 4;
  int64_t in_flight = 16;  // per connection
  int64_t articles = 100;
  int64_t batch = 1;         // redis-args: views per script call
  int64_t rate = 0;          // record, floor: calls started per second at most (0: no limit)
  std::string run = "r";     // visitor id prefix: distinct per run
  bool request_ids = false;  // record, stream: a request_id per view, as retrying clients send
};

std::string RecordBytes(const Options& o, int64_t i) {
  v1::RecordViewRequest r;
  r.set_article_id(absl::StrCat("bench-", i % o.articles));
  r.set_visitor_id(absl::StrCat(o.run, "-visitor-", i));
  r.set_user_agent("Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0");
  r.set_locale("en");
  if (o.request_ids) r.set_request_id(absl::StrCat(o.run, "-req-", i));
  return r.SerializeAsString();
}

// echo.EchoRequest{payload: 100 bytes, response_size: 40}, encoded by hand: the floor's
// proto is not part of this build.
std::string EchoBytes() {
  std::string m = "\x0a\x64" + std::string(100, 'a');
  m += "\x10\x28";
  return m;
}

struct Result {
  int64_t calls = 0, errors = 0;
  double seconds = 0;
  std::vector<float> latencies_ms;
};

void Print(const std::string& mode, Result& r) {
  std::sort(r.latencies_ms.begin(), r.latencies_ms.end());
  auto pct = [&](double p) -> double {
    if (r.latencies_ms.empty()) return 0;
    return r.latencies_ms[std::min(r.latencies_ms.size() - 1,
                                   static_cast<size_t>(p * r.latencies_ms.size()))];
  };
  // The client's own CPU per call (user + system, whole process: setup is small).
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double cpu_us = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6 +
                        usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
  std::printf(
      "%s calls=%lld errors=%lld seconds=%.3f rate=%.0f p50_ms=%.3f p99_ms=%.3f "
      "cpu_us_per_call=%.1f\n",
      mode.c_str(), static_cast<long long>(r.calls), static_cast<long long>(r.errors), r.seconds,
      r.calls / r.seconds, pct(0.50), pct(0.99), r.calls > 0 ? cpu_us / r.calls : 0.0);
}

// Keeps `in_flight` calls going on each connection until `requests` were issued.
class UnaryDriver {
 public:
  UnaryDriver(const Options& o, std::string method) : o_(o), method_(std::move(method)) {
    for (int c = 0; c < o.connections; ++c) {
      grpc::ChannelArguments args;
      args.SetInt("bench.connection", c);  // distinct args: a connection each
      stubs_.push_back(std::make_unique<grpc::GenericStub>(
          grpc::CreateCustomChannel(o.target, grpc::InsecureChannelCredentials(), args)));
    }
  }

  Result Run() {
    // Requests are built before the clock starts: the client shares the 2 cores with the
    // server, so it should spend them on calls, not on building messages.
    const bool echo = method_.rfind("/echo.", 0) == 0;
    for (int64_t i = 0; i < (echo ? 1 : o_.requests); ++i) {
      payloads_.emplace_back(echo ? EchoBytes() : RecordBytes(o_, i));
    }
    const int slots = static_cast<int>(o_.connections * o_.in_flight);
    slots_.resize(slots);
    const Clock::time_point start = Clock::now();
    start_ = start;
    for (int s = 0; s < slots; ++s) {
      slots_[s].stub = stubs_[s % stubs_.size()].get();
      Issue(&slots_[s]);
    }
    {
      absl::MutexLock lock(&mu_);
      auto all_done = [this, slots]()
                          ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return finished_ == slots; };
      mu_.Await(absl::Condition(&all_done));
    }
    Result r;
    r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    for (Slot& s : slots_) {
      r.latencies_ms.insert(r.latencies_ms.end(), s.latencies.begin(), s.latencies.end());
      r.errors += s.errors;
    }
    r.calls = static_cast<int64_t>(r.latencies_ms.size()) + r.errors;
    return r;
  }

 private:
  struct Slot {
    grpc::GenericStub* stub = nullptr;
    std::unique_ptr<grpc::ClientContext> ctx;
    grpc::ByteBuffer request, response;
    Clock::time_point start;
    std::vector<float> latencies;
    int64_t errors = 0;
  };

  void Issue(Slot* s) {
    const int64_t i = issued_++;
    if (i >= o_.requests) {
      absl::MutexLock lock(&mu_);
      ++finished_;
      return;
    }
    if (o_.rate > 0) {
      // Paced: call i starts no earlier than i / rate seconds after the start. The wait
      // holds one of the client's callback threads, which is fine for a bench client.
      std::this_thread::sleep_until(start_ + std::chrono::nanoseconds(i * 1000000000 / o_.rate));
    }
    s->request = grpc::ByteBuffer(&payloads_[payloads_.size() == 1 ? 0 : i], 1);
    s->ctx = std::make_unique<grpc::ClientContext>();
    if (!o_.token.empty()) s->ctx->AddMetadata("authorization", bearer_);
    s->start = Clock::now();
    s->stub->UnaryCall(
        s->ctx.get(), method_, grpc::StubOptions(), &s->request, &s->response,
        [this, s](grpc::Status status) {
          if (status.ok()) {
            s->latencies.push_back(
                std::chrono::duration<float, std::milli>(Clock::now() - s->start).count());
          } else if (s->errors++ == 0) {
            std::fprintf(stderr, "error: %s\n", status.error_message().c_str());
          }
          Issue(s);
        });
  }

  const Options o_;
  const std::string method_;
  const std::string bearer_ = "Bearer " + o_.token;
  std::vector<grpc::Slice> payloads_;
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs_;
  std::vector<Slot> slots_;
  std::atomic<int64_t> issued_{0};
  Clock::time_point start_;
  absl::Mutex mu_;
  int finished_ ABSL_GUARDED_BY(mu_) = 0;
};

// `connections` client streams in parallel, `requests` items in all.
Result RunStreams(const Options& o) {
  Result r;
  std::atomic<int64_t> errors{0};
  std::vector<std::thread> threads;
  const int64_t per_stream = o.requests / o.connections;
  const Clock::time_point start = Clock::now();
  for (int c = 0; c < o.connections; ++c) {
    threads.emplace_back([&, c] {
      grpc::ChannelArguments args;
      args.SetInt("bench.connection", c);
      auto stub = v1::AnalyticsService::NewStub(
          grpc::CreateCustomChannel(o.target, grpc::InsecureChannelCredentials(), args));
      grpc::ClientContext ctx;
      if (!o.token.empty()) ctx.AddMetadata("authorization", "Bearer " + o.token);
      v1::RecordViewsResponse resp;
      auto writer = stub->RecordViews(&ctx, &resp);
      v1::RecordViewRequest item;
      for (int64_t i = 0; i < per_stream; ++i) {
        item.ParseFromString(RecordBytes(o, c * per_stream + i));
        if (!writer->Write(item)) break;
      }
      writer->WritesDone();
      grpc::Status s = writer->Finish();
      if (!s.ok() || resp.received() != per_stream) {
        std::fprintf(stderr, "stream %d: %s (received %lld)\n", c, s.error_message().c_str(),
                     static_cast<long long>(resp.received()));
        ++errors;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.calls = per_stream * o.connections;
  r.errors = errors;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  bulletin::FlagSet flags("bulletin-loadgen", "gRPC load client for scripts/bench.");
  flags.String("mode", &o.mode, "record | floor | stream | redis-args | script");
  flags.String("target", &o.target, "HOST:PORT of the server");
  flags.String("token", &o.token, "bearer token (record, stream)");
  flags.Int("requests", &o.requests, "calls (unary) or items (stream) in all");
  flags.Int("connections", &o.connections, "HTTP/2 connections (stream: streams)");
  flags.Int("in-flight", &o.in_flight, "calls in flight per connection");
  flags.Int("articles", &o.articles, "distinct articles the views spread over");
  flags.Int("batch", &o.batch, "redis-args: views per script call");
  flags.Int("rate", &o.rate, "record, floor: calls started per second at most (0: no limit)");
  flags.String("run", &o.run, "visitor id prefix, distinct per run");
  flags.Bool("request-ids", &o.request_ids, "record, stream: send a request_id with each view");
  if (absl::Status s = flags.Parse(argc, argv); !s.ok() || flags.help_requested()) {
    std::fputs(s.ok() ? flags.Usage().c_str() : (std::string(s.message()) + "\n").c_str(),
               s.ok() ? stdout : stderr);
    return s.ok() ? 0 : 2;
  }
  if (o.mode == "script") {
    std::fputs(bulletin::analytics::RedisViewStore::RecordScript(), stdout);
    return 0;
  }
  if (o.mode == "redis-args") {
    // The command RecordView's batcher sends for a batch of --batch new visitors (each
    // __rand_int__ is a fresh random number under redis-benchmark -r), spread over
    // --articles articles like the gRPC runs.
    bulletin::RedisClient unused(bulletin::RedisOptions{});
    bulletin::analytics::RedisViewStore store(unused, {});
    const absl::Time now = absl::Now();
    std::vector<bulletin::analytics::ResolvedView> views;
    for (int64_t i = 0; i < o.batch; ++i) {
      views.push_back({absl::StrCat("bench-", i % o.articles), "v:__rand_int__", "", now});
    }
    // The service counts an article's unique visitors (PFCOUNT) at most once a second,
    // so the command under load does not ask for them.
    std::vector<bulletin::analytics::RedisViewStore::Group> groups = store.GroupsOf(views);
    for (auto& g : groups) g.count_uniques = false;
    // The script dedupes visitors by their hash, which the store computes from the id: give
    // redis-benchmark a placeholder there too, or every view after the first is a repeat.
    const std::string visitor_hash = bulletin::analytics::DedupHashString("v:__rand_int__");
    for (const std::string& arg : store.RecordCommand(views, groups, /*by_sha=*/true)) {
      std::printf("%s\n", arg == visitor_hash ? "__rand_int__" : arg.c_str());
    }
    return 0;
  }
  Result r;
  if (o.mode == "stream") {
    r = RunStreams(o);
  } else if (o.mode == "record" || o.mode == "floor") {
    r = UnaryDriver(o, o.mode == "floor" ? "/echo.Echo/Echo"
                                         : "/bulletin.analytics.v1.AnalyticsService/RecordView")
            .Run();
  } else {
    std::fprintf(stderr, "--mode: unknown mode \"%s\"\n", o.mode.c_str());
    return 2;
  }
  Print(o.mode, r);
  return r.errors == 0 ? 0 : 1;
}
