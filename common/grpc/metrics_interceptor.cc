#include "common/grpc/metrics_interceptor.h"

#include <chrono>

namespace bulletin {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::ServerRpcInfo;

struct ServerMetrics {
  explicit ServerMetrics(metrics::Registry& r)
      : started(r.AddCounter("grpc_server_started_total",
                             "Total number of RPCs started on the server.",
                             {"grpc_type", "grpc_service", "grpc_method"})),
        handled(r.AddCounter(
            "grpc_server_handled_total",
            "Total number of RPCs completed on the server, regardless of success or failure.",
            {"grpc_type", "grpc_service", "grpc_method", "grpc_code"})),
        seconds(r.AddHistogram(
            "grpc_server_handling_seconds",
            "Histogram of response latency (seconds) of gRPC that had been application-level "
            "handled by the server.",
            {"grpc_type", "grpc_service", "grpc_method"})),
        received(r.AddCounter("grpc_server_msg_received_total",
                              "Total number of RPC stream messages received on the server.",
                              {"grpc_type", "grpc_service", "grpc_method"})),
        sent(r.AddCounter("grpc_server_msg_sent_total",
                          "Total number of gRPC stream messages sent by the server.",
                          {"grpc_type", "grpc_service", "grpc_method"})) {}

  metrics::Family<metrics::Counter>& started;
  metrics::Family<metrics::Counter>& handled;
  metrics::Family<metrics::Histogram>& seconds;
  metrics::Family<metrics::Counter>& received;
  metrics::Family<metrics::Counter>& sent;
};

const char* TypeName(ServerRpcInfo::Type type) {
  switch (type) {
    case ServerRpcInfo::Type::UNARY:
      return "unary";
    case ServerRpcInfo::Type::CLIENT_STREAMING:
      return "client_stream";
    case ServerRpcInfo::Type::SERVER_STREAMING:
      return "server_stream";
    case ServerRpcInfo::Type::BIDI_STREAMING:
      return "bidi_stream";
  }
  return "unknown";
}

// One per call: created when the call arrives, destroyed when it is done.
class MetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(const ServerMetrics& m, ServerRpcInfo* info)
      : metrics_(m), start_(std::chrono::steady_clock::now()) {
    // "/package.Service/Method"
    std::string full = info->method() != nullptr ? info->method() : "";
    size_t slash = full.rfind('/');
    std::string service = slash == std::string::npos ? "" : full.substr(1, slash - 1);
    std::string method = slash == std::string::npos ? full : full.substr(slash + 1);
    labels_ = {TypeName(info->type()), std::move(service), std::move(method)};
    received_ = &m.received.WithLabels(labels_);
    sent_ = &m.sent.WithLabels(labels_);
    m.started.WithLabels(labels_).Increment();
  }

  // A call that ends without sending a status was cancelled (the client went away).
  ~MetricsInterceptor() override {
    if (!finished_) Finish(grpc::StatusCode::CANCELLED);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() != nullptr) {
      received_->Increment();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      sent_->Increment();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) &&
        !finished_) {
      Finish(methods->GetSendStatus().error_code());
    }
    methods->Proceed();
  }

 private:
  void Finish(grpc::StatusCode code) {
    finished_ = true;
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
    metrics_.seconds.WithLabels(labels_).Observe(elapsed.count());
    metrics_.handled.WithLabels({labels_[0], labels_[1], labels_[2], GrpcCodeName(code)})
        .Increment();
  }

  const ServerMetrics& metrics_;
  const std::chrono::steady_clock::time_point start_;
  std::vector<std::string> labels_;  // grpc_type, grpc_service, grpc_method
  metrics::Counter* received_;
  metrics::Counter* sent_;
  bool finished_ = false;  // set at the call's one PRE_SEND_STATUS; then read by the destructor
};

class MetricsInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(metrics::Registry* registry) : metrics_(*registry) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(ServerRpcInfo* info) override {
    return new MetricsInterceptor(metrics_, info);
  }

 private:
  const ServerMetrics metrics_;
};

}  // namespace

std::string GrpcCodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {
      "OK",       "Canceled",       "Unknown",          "InvalidArgument",   "DeadlineExceeded",
      "NotFound", "AlreadyExists",  "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
      "Aborted",  "OutOfRange",     "Unimplemented",    "Internal",          "Unavailable",
      "DataLoss", "Unauthenticated"};
  int i = static_cast<int>(code);
  if (i >= 0 && i < static_cast<int>(sizeof(kNames) / sizeof(kNames[0]))) return kNames[i];
  return "Code(" + std::to_string(i) + ")";
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewMetricsInterceptorFactory(
    metrics::Registry* registry) {
  return std::make_unique<MetricsInterceptorFactory>(registry);
}

}  // namespace bulletin
