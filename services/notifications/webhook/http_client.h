// Concurrent HTTP POSTs with libcurl's multi interface, for webhook deliveries.
//
// Every connection is checked where it is made (CURLOPT_OPENSOCKETFUNCTION): the
// resolved address must be public unless `allow_private`, and plain http is used only
// to loopback/private addresses. Redirects are not followed, proxies from the
// environment are not used (they would hide the real address), TLS peers are verified.
// Post and Poll belong to one owning thread; Wakeup may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace bulletin::notify {

struct HttpClientOptions {
  absl::Duration connect_timeout = absl::Seconds(5);  // --webhook-connect-timeout
  absl::Duration timeout = absl::Seconds(10);         // --webhook-timeout (whole request)
  bool allow_private = false;                         // --allow-private-webhooks
};

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // "name: value"
  std::string body;
};

struct HttpResponse {
  int status = 0;                          // 0: no response
  absl::Duration latency;                  // from the start to the end of the transfer
  std::string error;                       // why no 2xx ("HTTP 500", "timeout after 10s", ...)
  std::optional<std::string> retry_after;  // the Retry-After header, when present
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Starts POSTing `request`; the response comes from a later Poll under `tag`.
  void Post(uint64_t tag, HttpRequest request);

  // Runs the transfers for up to `max_wait` (returns early when one finishes or on
  // Wakeup) and returns the finished ones.
  std::vector<std::pair<uint64_t, HttpResponse>> Poll(absl::Duration max_wait);

  // Interrupts a Poll waiting on another thread.
  void Wakeup();

  size_t in_flight() const { return transfers_.size(); }

  struct Transfer;  // one request in flight (http_client.cc)

 private:
  std::vector<std::pair<uint64_t, HttpResponse>> Collect();

  const HttpClientOptions options_;
  void* multi_;  // CURLM*
  std::map<uint64_t, std::unique_ptr<Transfer>> transfers_;
};

}  // namespace bulletin::notify
