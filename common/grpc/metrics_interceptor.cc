#include "common/grpc/metrics_interceptor.h"

#include <atomic>
#include <chrono>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

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

constexpr int kCodes = 17;  // grpc::StatusCode OK .. UNAUTHENTICATED

// The children of one method's series, looked up once per method instead of four map
// lookups per call; handled{grpc_code} children are made on first use.
struct MethodMetrics {
  MethodMetrics(const ServerMetrics& m, std::vector<std::string> labels)
      : metrics(m),
        labels(std::move(labels)),
        started(&m.started.WithLabels(this->labels)),
        seconds(&m.seconds.WithLabels(this->labels)),
        received(&m.received.WithLabels(this->labels)),
        sent(&m.sent.WithLabels(this->labels)) {}

  metrics::Counter& Handled(grpc::StatusCode code) {
    const int i = static_cast<int>(code);
    if (i < 0 || i >= kCodes) {
      return metrics.handled.WithLabels({labels[0], labels[1], labels[2], GrpcCodeName(code)});
    }
    metrics::Counter* c = handled[i].load(std::memory_order_acquire);
    if (c == nullptr) {
      // Racing threads get the same child from WithLabels.
      c = &metrics.handled.WithLabels({labels[0], labels[1], labels[2], GrpcCodeName(code)});
      handled[i].store(c, std::memory_order_release);
    }
    return *c;
  }

  const ServerMetrics& metrics;
  const std::vector<std::string> labels;  // grpc_type, grpc_service, grpc_method
  metrics::Counter* const started;
  metrics::Histogram* const seconds;
  metrics::Counter* const received;
  metrics::Counter* const sent;
  std::atomic<metrics::Counter*> handled[kCodes] = {};
};

// One per call: created when the call arrives, destroyed when it is done.
class MetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit MetricsInterceptor(MethodMetrics& m)
      : metrics_(m), start_(std::chrono::steady_clock::now()) {
    m.started->Increment();
  }

  // A call that ends without sending a status was cancelled (the client went away).
  ~MetricsInterceptor() override {
    if (!finished_) Finish(grpc::StatusCode::CANCELLED);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() != nullptr) {
      metrics_.received->Increment();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      metrics_.sent->Increment();
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
    metrics_.seconds->Observe(elapsed.count());
    metrics_.Handled(code).Increment();
  }

  MethodMetrics& metrics_;
  const std::chrono::steady_clock::time_point start_;
  bool finished_ = false;  // set at the call's one PRE_SEND_STATUS; then read by the destructor
};

class MetricsInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(metrics::Registry* registry) : metrics_(*registry) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(ServerRpcInfo* info) override {
    return new MetricsInterceptor(MethodOf(info));
  }

 private:
  MethodMetrics& MethodOf(ServerRpcInfo* info) {
    // "/package.Service/Method"; the type is part of the key (it is a label).
    absl::string_view full = info->method() != nullptr ? info->method() : "";
    const std::string key = absl::StrCat(static_cast<int>(info->type()), full);
    {
      absl::ReaderMutexLock lock(&mu_);
      auto it = methods_.find(key);
      if (it != methods_.end()) return *it->second;
    }
    size_t slash = full.rfind('/');
    std::string service =
        std::string(slash == absl::string_view::npos ? "" : full.substr(1, slash - 1));
    std::string method =
        std::string(slash == absl::string_view::npos ? full : full.substr(slash + 1));
    absl::MutexLock lock(&mu_);
    // Calls of unregistered methods come here too: past kMaxMethods, they share one.
    if (methods_.size() >= kMaxMethods && !methods_.contains(key)) {
      if (other_ == nullptr) {
        other_ = std::make_unique<MethodMetrics>(
            metrics_, std::vector<std::string>{"unknown", "unknown", "unknown"});
      }
      return *other_;
    }
    std::unique_ptr<MethodMetrics>& m = methods_[key];
    if (m == nullptr) {
      m = std::make_unique<MethodMetrics>(
          metrics_,
          std::vector<std::string>{TypeName(info->type()), std::move(service), std::move(method)});
    }
    return *m;
  }

  static constexpr size_t kMaxMethods = 256;
  const ServerMetrics metrics_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<MethodMetrics>> methods_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<MethodMetrics> other_ ABSL_GUARDED_BY(mu_);
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
