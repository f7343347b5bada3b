// The metrics HTTP endpoint, served by prometheus-cpp's Exposer (civetweb) on its own port and
// threads, apart from gRPC: `GET /metrics` serves a Registry in the Prometheus text format,
// `GET /healthz` answers 200 "ok" (the process is alive), other paths 404, other methods 405.
// Start() returns a running endpoint; the destructor stops it. Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/metrics/metrics.h"

namespace prometheus {
class Collectable;
class Exposer;
}  // namespace prometheus

namespace bulletin::metrics {

// Checks "HOST:PORT" ("127.0.0.1:9100", "0.0.0.0:9100", "localhost:9100", ":9100" = every
// address; port 0 = any free port; "[::1]:9100" is well-formed, but Start refuses IPv6 while
// the civetweb library has none, as Debian 12's). InvalidArgument naming `flag` when
// malformed.
absl::Status CheckListenAddress(const std::string& listen, const std::string& flag);

class HttpEndpoint {
 public:
  // Serves `registry` (not owned; must outlive the endpoint) on `listen`.
  // InvalidArgument naming --metrics-listen for a malformed address; Unavailable when
  // the address cannot be resolved or bound (with civetweb's reason), or is IPv6 and
  // civetweb was built without IPv6.
  static absl::StatusOr<std::unique_ptr<HttpEndpoint>> Start(const std::string& listen,
                                                             Registry* registry);
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  int port() const { return port_; }

 private:
  HttpEndpoint() = default;

  std::shared_ptr<prometheus::Collectable> collectable_;  // the Exposer holds a weak_ptr
  std::unique_ptr<prometheus::Exposer> exposer_;          // destroyed first: stops serving
  int port_ = 0;
  std::string host_;  // numeric, as bound
  bool v6_ = false;
};

}  // namespace bulletin::metrics
