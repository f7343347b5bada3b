// The raw Redis stream hop and the /proc sampler of bulletin-eventsbench (see
// events_bench_parts.h).
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "bench/events_bench_parts.h"
#include "common/redis/redis_client.h"

namespace bulletin::bench {
namespace {

constexpr char kHopKey[] = "bench:hop";

double RssMb(int pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  }
  return 0;
}

// utime + stime of every thread of `pid`, in clock ticks.
int64_t Ticks(int pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t paren = all.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream rest(all.substr(paren + 2));
  std::string field;
  int64_t utime = 0, stime = 0;
  // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::strtoll(field.c_str(), nullptr, 10);
    if (i == 15) stime = std::strtoll(field.c_str(), nullptr, 10);
  }
  return utime + stime;
}

}  // namespace

LatencySummary RedisHop(const std::string& redis_url, size_t bytes, double rate,
                        absl::Duration duration) {
  absl::StatusOr<RedisOptions> options = ParseRedisUrl(redis_url);
  if (!options.ok()) {
    std::fprintf(stderr, "--redis: %s\n", options.status().ToString().c_str());
    return {};
  }
  RedisClient writer(*options);
  RedisClient reader(*options);
  (void)writer.Command({"DEL", kHopKey});
  (void)writer.Command({"XGROUP", "CREATE", kHopKey, "hop", "$", "MKSTREAM"});
  absl::Mutex mu;
  std::map<std::string, int64_t> sent;
  ArrivalLog got;
  std::atomic<bool> stop{false};
  std::thread read_thread([&] {
    while (!stop) {
      absl::StatusOr<RedisReply> r =
          reader.BlockingCommand({"XREADGROUP", "GROUP", "hop", "bench", "COUNT", "100", "BLOCK",
                                  "200", "STREAMS", kHopKey, ">"},
                                 absl::Seconds(2));
      const int64_t now = NowNs();
      if (!r.ok() || r->is_nil() || r->elements.empty()) continue;
      const RedisReply& stream = r->elements[0];  // [key, [[id, [field, value]], ...]]
      if (stream.elements.size() != 2) continue;
      for (const RedisReply& entry : stream.elements[1].elements) {
        if (!entry.elements.empty()) got.Add(entry.elements[0].str, now);
      }
    }
  });
  const std::string payload(bytes, 'x');
  const int64_t count = static_cast<int64_t>(absl::ToDoubleSeconds(duration) * rate);
  const auto start = std::chrono::steady_clock::now();
  const auto period = std::chrono::nanoseconds(static_cast<int64_t>(1e9 / rate));
  for (int64_t i = 0; i < count; ++i) {
    std::this_thread::sleep_until(start + i * period);
    // From the moment the XADD is sent: its reply and the reader's wake-up leave Redis
    // together, so the XADD's return is no later than the reader's receipt.
    const int64_t before = NowNs();
    absl::StatusOr<RedisReply> r = writer.Command({"XADD", kHopKey, "*", "event", payload});
    if (!r.ok() || r->is_error()) continue;
    absl::MutexLock lock(&mu);
    sent[r->str] = before;
  }
  absl::SleepFor(absl::Milliseconds(500));
  stop = true;
  read_thread.join();
  (void)writer.Command({"DEL", kHopKey});
  absl::MutexLock lock(&mu);
  return Summarize(sent, {got.Take()});
}

ProcSampler::ProcSampler(std::vector<Proc> procs)
    : procs_(std::move(procs)), max_rss_(procs_.size()), ticks0_(procs_.size()) {
  BeginWindow();
  thread_ = std::thread([this] { Run(); });
}

ProcSampler::~ProcSampler() {
  stopping_ = true;
  thread_.join();
}

std::vector<double> ProcSampler::RssNow() const {
  std::vector<double> out;
  for (const Proc& p : procs_) out.push_back(RssMb(p.pid));
  return out;
}

void ProcSampler::BeginWindow() {
  absl::MutexLock lock(&mu_);
  for (size_t i = 0; i < procs_.size(); ++i) {
    max_rss_[i] = RssMb(procs_[i].pid);
    ticks0_[i] = Ticks(procs_[i].pid);
  }
}

std::vector<double> ProcSampler::MaxRss() {
  absl::MutexLock lock(&mu_);
  return max_rss_;
}

std::vector<double> ProcSampler::CpuSeconds() {
  absl::MutexLock lock(&mu_);
  std::vector<double> out;
  const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  for (size_t i = 0; i < procs_.size(); ++i) {
    out.push_back(static_cast<double>(Ticks(procs_[i].pid) - ticks0_[i]) / hz);
  }
  return out;
}

void ProcSampler::Run() {
  while (!stopping_) {
    std::vector<double> now = RssNow();
    {
      absl::MutexLock lock(&mu_);
      for (size_t i = 0; i < now.size(); ++i) max_rss_[i] = std::max(max_rss_[i], now[i]);
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
}

}  // namespace bulletin::bench
