// A WebhookTransport for unit tests: no sockets. Every POST is recorded and answered at
// the next Poll by the test's handler (status, Retry-After), so the delivery rules run
// exactly as with the curl client, minus the network. Thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/notifications/core/deliveries/webhook_transport.h"

namespace bulletin::notify::testing {

struct FakeReply {
  FakeReply(int status = 200, std::optional<absl::Duration> retry_after = std::nullopt)
      : status(status), retry_after(retry_after) {}

  int status;
  std::optional<absl::Duration> retry_after;
};

class FakeTransport : public WebhookTransport {
 public:
  // `handler` answers each request, given its 1-based number; default: 200.
  using Handler = std::function<FakeReply(const HttpRequest&, int)>;

  void SetHandler(Handler handler) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    handler_ = std::move(handler);
  }

  // Each request is answered no sooner than `delay` after it was posted (a slow endpoint).
  void SetAnswerDelay(absl::Duration delay) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    delay_ = delay;
  }

  void Post(uint64_t tag, HttpRequest request) override ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    requests_.push_back(request);
    queued_.push_back({tag, std::move(request), absl::Now() + delay_});
  }

  std::vector<std::pair<uint64_t, HttpResponse>> Poll(absl::Duration max_wait) override
      ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return woken_ || std::any_of(queued_.begin(), queued_.end(),
                                   [](const Queued& q) { return q.due <= absl::Now(); });
    };
    mu_.AwaitWithTimeout(absl::Condition(&ready), max_wait);
    woken_ = false;
    std::vector<std::pair<uint64_t, HttpResponse>> done;
    std::vector<Queued> later;
    for (Queued& q : queued_) {
      if (q.due > absl::Now()) {
        later.push_back(std::move(q));
        continue;
      }
      const uint64_t tag = q.tag;
      const HttpRequest& request = q.request;
      FakeReply reply = handler_ ? handler_(request, ++answered_) : FakeReply{};
      HttpResponse r;
      r.status = reply.status;
      r.latency = absl::Milliseconds(1);
      if (r.status < 200 || r.status > 299) r.error = "HTTP " + std::to_string(r.status);
      r.retry_after = reply.retry_after;
      done.emplace_back(tag, std::move(r));
    }
    queued_ = std::move(later);
    return done;
  }

  void Wakeup() override ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    woken_ = true;
  }

  absl::Duration max_attempt_time() const override { return absl::Seconds(1); }

  std::vector<HttpRequest> requests() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return requests_;
  }
  size_t count() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return requests_.size();
  }

 private:
  absl::Mutex mu_;
  Handler handler_ ABSL_GUARDED_BY(mu_);
  struct Queued {
    uint64_t tag;
    HttpRequest request;
    absl::Time due;  // answered no sooner
  };
  std::vector<Queued> queued_ ABSL_GUARDED_BY(mu_);
  absl::Duration delay_ ABSL_GUARDED_BY(mu_) = absl::ZeroDuration();
  std::vector<HttpRequest> requests_ ABSL_GUARDED_BY(mu_);
  int answered_ ABSL_GUARDED_BY(mu_) = 0;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
};

// "name: value" request headers as a map of lower-case names.
inline std::map<std::string, std::string> HeaderMap(const HttpRequest& request) {
  std::map<std::string, std::string> out;
  for (const std::string& h : request.headers) {
    size_t colon = h.find(':');
    out[h.substr(0, colon)] = h.substr(colon + 2);
  }
  return out;
}

}  // namespace bulletin::notify::testing
