// The metrics HTTP endpoint: `GET /metrics` serves a Registry in the Prometheus text
// format 0.0.4, `GET /healthz` answers 200 "ok" (the process is alive). Plain HTTP/1.1 on
// its own port and thread (libmicrohttpd's internal polling thread), apart from gRPC.
// Start() returns a running endpoint; the destructor stops it. Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/metrics/metrics.h"

struct MHD_Daemon;

namespace bulletin::metrics {

// Checks "HOST:PORT" ("127.0.0.1:9100", "0.0.0.0:9100", "[::1]:9100", ":9100" = every
// address; port 0 = any free port). InvalidArgument naming `flag` when malformed.
absl::Status CheckListenAddress(const std::string& listen, const std::string& flag);

class HttpEndpoint {
 public:
  // Serves `registry` (not owned; must outlive the endpoint) on `listen`.
  // InvalidArgument naming --metrics-listen for a malformed address; Unavailable when
  // the address cannot be resolved or bound.
  static absl::StatusOr<std::unique_ptr<HttpEndpoint>> Start(const std::string& listen,
                                                             Registry* registry);
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  int port() const { return port_; }

 private:
  HttpEndpoint() = default;

  MHD_Daemon* daemon_ = nullptr;
  int port_ = 0;
};

}  // namespace bulletin::metrics
