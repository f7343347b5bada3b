// How webhook POSTs travel: the seam between the delivery rules (DeliveryWorker) and the
// HTTP client (webhook/http_client.h, libcurl), so that the core links no transport library
// and tests can put a fake in its place.
//
// A transport runs many requests at once: Post starts one under a tag, Poll returns the
// finished ones. Post and Poll belong to one owning thread; Wakeup may be called from any
// thread to end a Poll early.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace bulletin::notify {

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // "name: value"
  std::string body;
};

struct HttpResponse {
  int status = 0;          // 0: no response
  absl::Duration latency;  // from the start to the end of the transfer
  std::string error;       // why no 2xx ("HTTP 500", "timeout after 10s", ...)
  // The receiver's Retry-After (delay-seconds, or an HTTP-date relative to the response),
  // when present and well-formed.
  std::optional<absl::Duration> retry_after;
};

class WebhookTransport {
 public:
  virtual ~WebhookTransport() = default;

  // Starts POSTing `request`; the response comes from a later Poll under `tag`.
  virtual void Post(uint64_t tag, HttpRequest request) = 0;

  // Runs the transfers for up to `max_wait` (returns early when one finishes or on
  // Wakeup) and returns the finished ones.
  virtual std::vector<std::pair<uint64_t, HttpResponse>> Poll(absl::Duration max_wait) = 0;

  // Interrupts a Poll waiting on another thread.
  virtual void Wakeup() = 0;

  // The longest one request can take (connect timeout + request timeout).
  virtual absl::Duration max_attempt_time() const = 0;
};

}  // namespace bulletin::notify
