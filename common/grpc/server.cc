#include "common/grpc/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/base/log.h"
#include "common/grpc/metrics_interceptor.h"

namespace bulletin {

void RegisterServerFlags(FlagSet& flags, ServerConfig* config) {
  flags.String("listen", &config->listen, "gRPC listen address HOST:PORT");
  flags.Int("max-message-bytes", &config->max_message_bytes,
            "largest request or response message accepted, in bytes");
  flags.Duration("drain-timeout", &config->drain_timeout,
                 "on SIGTERM, how long in-flight calls may take to finish");
  flags.String("tls-cert-file", &config->tls.cert_file,
               "PEM certificate chain; with --tls-key-file, serve TLS instead of plaintext");
  flags.String("tls-key-file", &config->tls.key_file, "PEM private key for --tls-cert-file");
  flags.String("tls-client-ca", &config->tls.client_ca_file,
               "PEM CA bundle: require every client to present a certificate it signed (mTLS; "
               "needs --tls-cert-file)");
  flags.Duration("tls-reload-interval", &config->tls.reload_interval,
                 "how often the TLS files are checked for changes; new connections use the "
                 "new ones (at least 1s)");
}

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(
    const ServerConfig& config, const std::vector<ServiceEntry>& services) {
  const size_t colon = config.listen.rfind(':');
  int port = -1;
  if (config.listen.empty() || colon == std::string::npos ||
      !absl::SimpleAtoi(absl::string_view(config.listen).substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    // gRPC itself would take "HOST:99999" and listen on some other port.
    return absl::InvalidArgumentError(absl::StrCat(
        "--", config.listen_flag, ": expected HOST:PORT with a port from 0 to 65535, got \"",
        config.listen, "\""));
  }
  if (config.max_message_bytes < 1024 || config.max_message_bytes > (64 << 20)) {
    return absl::InvalidArgumentError("--max-message-bytes: must be between 1024 and 64 MiB");
  }
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> creds =
      MakeServerCredentials(config.tls);
  if (!creds.ok()) return creds.status();

  // Debian's abseil is built without NDEBUG, so every absl::Mutex (gRPC's included) would
  // run deadlock detection on each lock: ~12 % of a unary call's CPU, measured.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  std::unique_ptr<GrpcServer> self(new GrpcServer());
  self->drain_timeout_ = config.drain_timeout;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.listen, *creds, &self->port_);
  builder.SetMaxReceiveMessageSize(static_cast<int>(config.max_message_bytes));
  builder.SetMaxSendMessageSize(static_cast<int>(config.max_message_bytes));
  // Keepalive: notice dead clients of long-lived streams, allow client pings.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60 * 1000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10 * 1000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  if (config.rpc_metrics) {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
        interceptors;
    interceptors.push_back(NewMetricsInterceptorFactory(
        config.metrics != nullptr ? config.metrics : &metrics::Registry::Default()));
    builder.experimental().SetInterceptorCreators(std::move(interceptors));
  }
  for (const ServiceEntry& s : services) {
    builder.RegisterService(s.service);
    self->service_names_.push_back(s.name);
  }
  self->server_ = builder.BuildAndStart();
  if (!self->server_ || self->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("--", config.listen_flag, ": cannot listen on ", config.listen));
  }
  self->SetServing(true);
  Logger()->info("gRPC listening on {} (port {}, {})", config.listen, self->port_,
                 !config.tls.enabled()               ? "plaintext"
                 : config.tls.client_ca_file.empty() ? "TLS"
                                                     : "mTLS: client certificates required");
  return self;
}

GrpcServer::~GrpcServer() { Shutdown(); }

void GrpcServer::SetServing(bool serving) {
  if (server_ == nullptr) return;  // BuildAndStart failed: nothing to report on
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  if (health == nullptr) return;
  health->SetServingStatus(serving);
  for (const std::string& name : service_names_) health->SetServingStatus(name, serving);
}

void GrpcServer::Shutdown() {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  SetServing(false);
  Logger()->info("draining in-flight calls for up to {}", absl::FormatDuration(drain_timeout_));
  server_->Shutdown(absl::ToChronoTime(absl::Now() + drain_timeout_));
  server_->Wait();
}

void BlockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a closed socket must not kill the process
}

int WaitForShutdownSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig;
}

}  // namespace bulletin
