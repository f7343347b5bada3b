// Arrival logs, latency summaries, Subscribe readers and the webhook receiver of
// bulletin-eventsbench (see events_bench_parts.h).
#include "bench/events_bench_parts.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace bulletin::bench {

namespace nv1 = ::bulletin::notify::v1;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void ArrivalLog::Add(std::string key, int64_t ns) {
  absl::MutexLock lock(&mu_);
  arrivals_.emplace_back(std::move(key), ns);
}

size_t ArrivalLog::size() {
  absl::MutexLock lock(&mu_);
  return arrivals_.size();
}

std::vector<std::pair<std::string, int64_t>> ArrivalLog::Take() {
  absl::MutexLock lock(&mu_);
  std::vector<std::pair<std::string, int64_t>> out;
  out.swap(arrivals_);
  return out;
}

LatencySummary Summarize(const std::map<std::string, int64_t>& sent,
                         const std::vector<std::vector<std::pair<std::string, int64_t>>>& received,
                         std::vector<std::pair<int64_t, int64_t>>* samples) {
  LatencySummary s;
  std::vector<int64_t> latencies;
  for (const auto& arrivals : received) {
    std::map<std::string, int64_t> first;
    for (const auto& [key, ns] : arrivals) {
      if (sent.count(key) == 0) continue;  // another phase's key
      auto [it, added] = first.emplace(key, ns);
      if (!added) it->second = std::min(it->second, ns);
    }
    s.missing += static_cast<int64_t>(sent.size() - first.size());
    for (const auto& [key, ns] : first) {
      int64_t latency = ns - sent.at(key);
      if (latency < 0) {
        ++s.early;
        latency = 0;
      }
      latencies.push_back(latency);
      if (samples) samples->emplace_back(sent.at(key), latency);
    }
  }
  s.samples = static_cast<int64_t>(latencies.size());
  if (latencies.empty()) return s;
  std::sort(latencies.begin(), latencies.end());
  auto at = [&](double q) {
    size_t i = static_cast<size_t>(q * static_cast<double>(latencies.size() - 1) + 0.5);
    return static_cast<double>(latencies[i]) / 1e6;
  };
  s.p50_ms = at(0.50);
  s.p99_ms = at(0.99);
  s.max_ms = static_cast<double>(latencies.back()) / 1e6;
  return s;
}

SubscribeReader::SubscribeReader(const std::string& token, const std::string& subscription_id) {
  context_.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  request_.set_subscription_id(subscription_id);
}

void SubscribeReader::Start(nv1::NotificationService::Stub& stub) {
  stub.async()->Subscribe(&context_, &request_, this);
  StartRead(&message_);
  StartCall();
}

void SubscribeReader::OnReadDone(bool ok) {
  if (!ok) return;  // OnDone follows
  const int64_t now = NowNs();
  if (message_.has_event()) {
    const events::v1::ArticleEvent& e = message_.event().event();
    if (e.type() == events::v1::ARTICLE_EVENT_TYPE_PUBLISHED) {
      arrivals_.Add(e.article().id(), now);
      if (event_bytes_ == 0) event_bytes_ = e.ByteSizeLong();  // the same size every time
    }
  } else if (message_.has_heartbeat()) {
    ++heartbeats_;
  }
  StartRead(&message_);
}

void SubscribeReader::OnDone(const grpc::Status& status) {
  absl::MutexLock lock(&mu_);
  done_ = true;
  status_ = status;
}

bool SubscribeReader::WaitDone(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&done_), timeout);
}

bool SubscribeReader::done() {
  absl::MutexLock lock(&mu_);
  return done_;
}

grpc::Status SubscribeReader::status() {
  absl::MutexLock lock(&mu_);
  return status_;
}

WebhookReceiver::WebhookReceiver() {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(listen_fd_, 512) != 0) {
    std::perror("webhook receiver: bind/listen");
    std::abort();
  }
  socklen_t len = sizeof(addr);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listen_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev);
  thread_ = std::thread([this] { Run(); });
}

WebhookReceiver::~WebhookReceiver() {
  stopping_ = true;
  thread_.join();
  for (const auto& [fd, buffer] : buffers_) close(fd);
  close(epoll_fd_);
  close(listen_fd_);
}

void WebhookReceiver::Run() {
  epoll_event events[64];
  while (!stopping_) {
    int n = epoll_wait(epoll_fd_, events, 64, 100);
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd != listen_fd_) {
        Serve(fd);
        continue;
      }
      for (int c; (c = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0;) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = c;
        epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c, &ev);
        buffers_[c];
      }
    }
  }
}

void WebhookReceiver::Serve(int fd) {
  std::string& data = buffers_[fd];
  char buf[16384];
  bool closed = false;
  for (;;) {
    ssize_t r = read(fd, buf, sizeof(buf));
    if (r > 0) {
      data.append(buf, static_cast<size_t>(r));
      continue;
    }
    if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) closed = true;
    if (r < 0 && errno == EINTR) continue;
    break;
  }
  const int64_t now = NowNs();
  for (;;) {  // every complete request in the buffer
    size_t header_end = data.find("\r\n\r\n");
    if (header_end == std::string::npos) break;
    size_t content_length = 0;
    absl::string_view head(data.data(), header_end);
    for (size_t pos = 0; pos < head.size();) {
      size_t eol = head.find("\r\n", pos);
      if (eol == absl::string_view::npos) eol = head.size();
      absl::string_view line = head.substr(pos, eol - pos);
      if (absl::StartsWithIgnoreCase(line, "content-length:")) {
        (void)absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(15)), &content_length);
      }
      pos = eol + 2;
    }
    if (data.size() < header_end + 4 + content_length) break;
    absl::string_view body(data.data() + header_end + 4, content_length);
    // The CloudEvent's data is the ArticleEvent in JSON: "article":{"id":"<id>",...
    size_t article = body.find("\"article\":{");
    size_t id = article == absl::string_view::npos ? article : body.find("\"id\":\"", article);
    if (id != absl::string_view::npos) {
      size_t start = id + 6;
      size_t end = body.find('"', start);
      if (end != absl::string_view::npos) {
        arrivals_.Add(std::string(body.substr(start, end - start)), now);
      }
    }
    ++requests_;
    static const char kReply[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    (void)!write(fd, kReply, sizeof(kReply) - 1);
    data.erase(0, header_end + 4 + content_length);
  }
  if (closed) {
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    close(fd);
    buffers_.erase(fd);
  }
}

}  // namespace bulletin::bench
