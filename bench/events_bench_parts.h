// The parts of bulletin-eventsbench (bench/events_bench.cc): arrival logs, the Subscribe
// stream readers (gRPC callback API, so 500 streams cost the client no thread each), a
// keep-alive webhook receiver (one epoll thread on a free loopback port), the raw Redis
// XADD -> XREADGROUP hop, latency summaries and /proc sampling of the services' RSS and
// CPU. Every time is taken from one steady clock in this process, so a latency is the
// receiving moment minus the moment the sending call returned. Thread-safe where noted.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bulletin/notify/v1/notify.grpc.pb.h"

namespace bulletin::bench {

// Nanoseconds on the steady clock.
int64_t NowNs();

// (key, arrival ns) pairs recorded by one receiver. Thread-safe.
class ArrivalLog {
 public:
  void Add(std::string key, int64_t ns) ABSL_LOCKS_EXCLUDED(mu_);
  size_t size() ABSL_LOCKS_EXCLUDED(mu_);
  // Moves the arrivals out (the log is empty afterwards).
  std::vector<std::pair<std::string, int64_t>> Take() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  absl::Mutex mu_;
  std::vector<std::pair<std::string, int64_t>> arrivals_ ABSL_GUARDED_BY(mu_);
};

// Latencies of one path in one phase: for every receiver, every sent key's first arrival
// minus its send time. A key that never arrived counts as missing.
struct LatencySummary {
  int64_t samples = 0;
  int64_t missing = 0;  // (receiver, key) pairs that never arrived
  int64_t early = 0;    // arrived before the sending call had returned (counted as 0)
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
};
// `samples` (optional) gets (send ns, latency ns) of every arrival counted.
LatencySummary Summarize(const std::map<std::string, int64_t>& sent,
                         const std::vector<std::vector<std::pair<std::string, int64_t>>>& received,
                         std::vector<std::pair<int64_t, int64_t>>* samples = nullptr);

// One Subscribe stream: records the article id of every PUBLISHED event with its arrival
// time, counts heartbeats. The callbacks run on gRPC's threads.
class SubscribeReader : public grpc::ClientReadReactor<notify::v1::SubscribeResponse> {
 public:
  SubscribeReader(const std::string& token, const std::string& subscription_id);
  // Opens the stream. Call once.
  void Start(notify::v1::NotificationService::Stub& stub);
  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

  void Cancel() { context_.TryCancel(); }
  // Waits until the call ended (after Cancel); false on timeout.
  bool WaitDone(absl::Duration timeout) ABSL_LOCKS_EXCLUDED(mu_);
  bool done() ABSL_LOCKS_EXCLUDED(mu_);
  grpc::Status status() ABSL_LOCKS_EXCLUDED(mu_);
  int64_t heartbeats() const { return heartbeats_; }
  // Serialized size of the first event received (0: none yet); the events differ by a few
  // bytes at most.
  size_t event_bytes() const { return event_bytes_; }
  ArrivalLog& arrivals() { return arrivals_; }

 private:
  grpc::ClientContext context_;
  notify::v1::SubscribeRequest request_;
  notify::v1::SubscribeResponse message_;
  ArrivalLog arrivals_;
  std::atomic<int64_t> heartbeats_{0};
  std::atomic<size_t> event_bytes_{0};
  absl::Mutex mu_;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
};

// A webhook receiver on 127.0.0.1 (free port): HTTP/1.1 keep-alive, answers every POST
// 200 with an empty body and records the article id of the CloudEvent ("article":{"id":..)
// with the moment the request's last byte was read.
class WebhookReceiver {
 public:
  WebhookReceiver();
  ~WebhookReceiver();
  int port() const { return port_; }
  ArrivalLog& arrivals() { return arrivals_; }
  int64_t requests() const { return requests_; }

 private:
  void Run();
  void Serve(int fd);

  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> requests_{0};
  std::map<int, std::string> buffers_;  // the epoll thread's only
  ArrivalLog arrivals_;
  std::thread thread_;
};

// The raw floor of one stream hop on the same redis-server: XADD of `bytes` bytes at
// `rate`/s for `duration`, read back by a blocking XREADGROUP on its own connection.
// Latency: the XREADGROUP reply minus the moment the XADD that wrote the entry was sent.
LatencySummary RedisHop(const std::string& redis_url, size_t bytes, double rate,
                        absl::Duration duration);

// RSS and CPU of named processes, from /proc/PID/{status,stat}.
class ProcSampler {
 public:
  struct Proc {
    std::string name;
    int pid = 0;
  };
  explicit ProcSampler(std::vector<Proc> procs);
  ~ProcSampler();
  // RSS now, MB, per process (in the constructor's order).
  std::vector<double> RssNow() const;
  // Starts a fresh window: resets the maximum RSS and notes the CPU ticks.
  void BeginWindow() ABSL_LOCKS_EXCLUDED(mu_);
  // Max RSS (MB) since BeginWindow and CPU seconds since BeginWindow, per process.
  std::vector<double> MaxRss() ABSL_LOCKS_EXCLUDED(mu_);
  std::vector<double> CpuSeconds() ABSL_LOCKS_EXCLUDED(mu_);
  const std::vector<Proc>& procs() const { return procs_; }

 private:
  void Run();

  const std::vector<Proc> procs_;
  std::atomic<bool> stopping_{false};
  absl::Mutex mu_;
  std::vector<double> max_rss_ ABSL_GUARDED_BY(mu_);
  std::vector<int64_t> ticks0_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace bulletin::bench
