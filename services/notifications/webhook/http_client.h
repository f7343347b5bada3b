// The WebhookTransport of the service: concurrent HTTP POSTs with libcurl's multi
// interface. Every connection is checked where it is made (CURLOPT_OPENSOCKETFUNCTION):
// the resolved address must be public unless `allow_private`, and plain http is used only
// to loopback/private addresses. Redirects are not followed, proxies from the environment
// are not used (they would hide the real address), TLS peers are verified. Post and Poll
// belong to one owning thread; Wakeup may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/notifications/core/deliveries/webhook_transport.h"

namespace bulletin::notify {

struct HttpClientOptions {
  absl::Duration connect_timeout = absl::Seconds(5);  // --webhook-connect-timeout
  absl::Duration timeout = absl::Seconds(10);         // --webhook-timeout (whole request)
  bool allow_private = false;                         // --allow-private-webhooks
};

// A Retry-After value: delay-seconds or an HTTP-date (then relative to `now`; a past
// date is zero). nullopt when malformed.
std::optional<absl::Duration> ParseRetryAfter(absl::string_view value, absl::Time now);

class HttpClient : public WebhookTransport {
 public:
  explicit HttpClient(HttpClientOptions options);
  ~HttpClient() override;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  void Post(uint64_t tag, HttpRequest request) override;
  std::vector<std::pair<uint64_t, HttpResponse>> Poll(absl::Duration max_wait) override;
  void Wakeup() override;
  absl::Duration max_attempt_time() const override {
    return options_.connect_timeout + options_.timeout;
  }

  size_t in_flight() const { return transfers_.size(); }

  struct Transfer;  // one request in flight (http_client.cc)

 private:
  std::vector<std::pair<uint64_t, HttpResponse>> Collect();

  const HttpClientOptions options_;
  void* multi_;  // CURLM*
  std::map<uint64_t, std::unique_ptr<Transfer>> transfers_;
};

}  // namespace bulletin::notify
