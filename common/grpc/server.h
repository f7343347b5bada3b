// The gRPC server bootstrap every service uses: listen address, optional TLS or mTLS
// (common/grpc/tls.h: certificates reloaded when their files change), message
// size limit, the standard health service, server reflection, per-RPC Prometheus metrics,
// and a graceful drain.
//
// Lifecycle: BlockShutdownSignals() first in main (before any thread starts), then
// GrpcServer::Start, then WaitForShutdownSignal(), then Shutdown(): health turns
// NOT_SERVING, in-flight calls get `drain_timeout` to finish, then the rest are cancelled.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/base/flags.h"
#include "common/grpc/tls.h"
#include "common/metrics/metrics.h"

namespace bulletin {

struct ServerConfig {
  std::string listen;  // HOST:PORT; port 0 picks a free port (tests)
  // The flag that set `listen`, named when it cannot be bound (bulletin-web: grpc-listen).
  std::string listen_flag = "listen";
  int64_t max_message_bytes = 4 << 20;
  absl::Duration drain_timeout = absl::Seconds(10);
  ServerTlsConfig tls;  // cert and key set: TLS; plus client_ca_file: mTLS; none: plaintext
  // Where the per-RPC metrics go (common/grpc/metrics_interceptor.h); nullptr: the process's
  // metrics::Registry::Default(), which --metrics-listen serves.
  metrics::Registry* metrics = nullptr;
  // Records the per-RPC metrics at all. The services turn it off when nothing serves them
  // (no --metrics-listen): gRPC's interceptor machinery costs ~10 % of a cheap RPC.
  bool rpc_metrics = true;
};

// Adds --listen, --max-message-bytes, --drain-timeout, --tls-cert-file, --tls-key-file,
// --tls-client-ca, --tls-reload-interval.
void RegisterServerFlags(FlagSet& flags, ServerConfig* config);

struct ServiceEntry {
  std::string name;  // full gRPC service name, for the health service
  grpc::Service* service;
};

class GrpcServer {
 public:
  // Builds and starts the server. InvalidArgument naming the flag for a bad --listen or
  // TLS file; Unavailable when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(
      const ServerConfig& config, const std::vector<ServiceEntry>& services);
  ~GrpcServer();

  int port() const { return port_; }
  // Health of the whole server ("") and of each registered service.
  void SetServing(bool serving);
  // NOT_SERVING, then drain in-flight calls up to the drain timeout. Idempotent.
  void Shutdown();

 private:
  GrpcServer() = default;

  std::unique_ptr<grpc::Server> server_;
  std::vector<std::string> service_names_;
  absl::Duration drain_timeout_;
  int port_ = 0;
  bool shut_down_ = false;
};

// Blocks SIGTERM and SIGINT in the calling thread and every thread it later creates, so
// that WaitForShutdownSignal() receives them. Call first in main.
void BlockShutdownSignals();

// Waits until SIGTERM or SIGINT arrives; returns the signal number.
int WaitForShutdownSignal();

}  // namespace bulletin
