#include "common/service/runner.h"

#include <google/protobuf/stubs/logging.h>

#include <algorithm>
#include <cstdio>

#include "common/base/log.h"

namespace bulletin {

ServiceRunner::ServiceRunner(std::string service, const ServiceFlags& flags)
    : service_(std::move(service)), flags_(flags) {}

ServiceRunner::~ServiceRunner() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (health_thread_.joinable()) health_thread_.join();
}

namespace {

// protobuf logs one ERROR line for every request whose string field is not UTF-8; the
// request is answered INVALID_ARGUMENT (common/grpc/decode.h), so the line would only let
// anyone flood the log. Its messages go to the debug level; FATAL ones stay critical.
void ProtobufLogToDebug(google::protobuf::LogLevel level, const char* file, int line,
                        const std::string& message) {
  if (level == google::protobuf::LOGLEVEL_FATAL) {
    Logger()->critical("protobuf {}:{}: {}", file, line, message);
  } else {
    Logger()->debug("protobuf {}:{}: {}", file, line, message);
  }
}

}  // namespace

absl::Status ServiceRunner::Init() {
  google::protobuf::SetLogHandler(&ProtobufLogToDebug);
  absl::StatusOr<std::unique_ptr<metrics::HttpEndpoint>> endpoint = StartService(service_, flags_);
  if (!endpoint.ok()) return endpoint.status();
  metrics_endpoint_ = std::move(*endpoint);
  return absl::OkStatus();
}

void ServiceRunner::Watch(const std::string& dependency, std::function<bool()> probe,
                          absl::Duration interval) {
  probes_.push_back({dependency, std::move(probe), interval});
}

void ServiceRunner::WatchRedis(RedisClient& redis, absl::Duration interval) {
  Watch(
      "redis", [&redis] { return redis.Command({"PING"}).ok(); }, interval);
}

void ServiceRunner::ReportHealth(const std::string& dependency, bool up) {
  metrics::Registry::Default()
      .AddGauge("bulletin_" + dependency + "_up",
                "1 while the dependency answered its last health check, else 0.")
      .Get()
      .Set(up ? 1 : 0);
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = up_.try_emplace(dependency, up);
  if (!inserted && it->second == up) return;
  it->second = up;
  if (!inserted || !up) {
    Logger()->warn("{} is {}", dependency, up ? "back" : "unreachable");
  }
  ApplyHealth();
}

void ServiceRunner::ApplyHealth() {
  if (server_ == nullptr) return;
  bool serving =
      !stopping_ && std::all_of(up_.begin(), up_.end(), [](const auto& kv) { return kv.second; });
  server_->SetServing(serving);
}

void ServiceRunner::BeforeDrain(std::function<void()> fn) {
  before_drain_.push_back(std::move(fn));
}

void ServiceRunner::AtShutdown(std::function<void()> fn) { at_shutdown_.push_back(std::move(fn)); }

void ServiceRunner::RunShutdownHooks() {
  for (auto it = at_shutdown_.rbegin(); it != at_shutdown_.rend(); ++it) (*it)();
  at_shutdown_.clear();
}

int ServiceRunner::port() const {
  absl::MutexLock lock(&mu_);
  return port_;
}

void ServiceRunner::RunHealthWatch() {
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    absl::Time now = absl::Now();
    absl::Time next = absl::InfiniteFuture();
    for (Probe& p : probes_) {
      if (now >= p.next) {
        mu_.Unlock();  // a probe may take its dependency's timeout
        bool up = p.check();
        ReportHealth(p.dependency, up);
        mu_.Lock();
        p.next = absl::Now() + p.interval;
      }
      next = std::min(next, p.next);
    }
    mu_.AwaitWithDeadline(absl::Condition(&stopping_), next);
  }
}

int ServiceRunner::Serve(const std::vector<DecodedService*>& services) {
  std::vector<ServiceEntry> entries;
  std::vector<std::string> methods;
  for (DecodedService* service : services) {
    if (absl::Status complete = service->Complete(); !complete.ok()) {
      RunShutdownHooks();
      return StartupError("bulletin-" + service_, complete);
    }
    entries.push_back({service->name(), service});
    for (std::string& m : service->methods()) methods.push_back(std::move(m));
  }
  if (absl::Status s = CheckRateLimitMethods(flags_.rate_limits, methods, "rate-method"); !s.ok()) {
    RunShutdownHooks();
    return StartupError("bulletin-" + service_, s);
  }
  limiter_ = std::make_unique<CallLimiter>(flags_.rate_limits);
  if (limiter_->enabled()) {
    for (DecodedService* service : services) {
      service->SetGate([limiter = limiter_.get()](const grpc::ServerContextBase& context,
                                                  const Caller& caller, absl::string_view method) {
        return limiter->Admit(context, caller, method);
      });
    }
  }
  absl::StatusOr<std::unique_ptr<GrpcServer>> server = GrpcServer::Start(flags_.server, entries);
  if (!server.ok()) {
    RunShutdownHooks();
    return StartupError("bulletin-" + service_, server.status());
  }
  {
    absl::MutexLock lock(&mu_);
    server_ = server->get();
    port_ = (*server)->port();
    ApplyHealth();
  }
  Logger()->info("bulletin-{} serving on port {} (redis {}, {} tokens)", service_,
                 (*server)->port(), flags_.redis, flags_.tokens.size());
  if (!probes_.empty()) health_thread_ = std::thread([this] { RunHealthWatch(); });

  int sig = WaitForShutdownSignal();
  Logger()->info("signal {}: draining", sig);
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    ApplyHealth();
  }
  if (health_thread_.joinable()) health_thread_.join();
  for (auto& fn : before_drain_) fn();
  (*server)->Shutdown();
  {
    absl::MutexLock lock(&mu_);
    server_ = nullptr;
  }
  RunShutdownHooks();
  Logger()->info("bulletin-{} stopped", service_);
  return 0;
}

}  // namespace bulletin
