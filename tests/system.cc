#include "tests/system.h"

#include <curl/curl.h>
#include <signal.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/redis/keys.h"
#include "common/redis/redis_client.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace bulletin::testing {
namespace {

std::shared_ptr<grpc::Channel> Channel(const std::string& addr) {
  return grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::unique_ptr<grpc::ClientContext> Context(const std::string& token, absl::Duration timeout) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return ctx;
}

absl::StatusOr<std::string> HttpGet(const std::string& url) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* p, size_t size, size_t n, void* out) -> size_t {
        static_cast<std::string*>(out)->append(p, size * n);
        return size * n;
      });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) return absl::UnavailableError(curl_easy_strerror(rc));
  if (status != 200) return absl::InternalError(absl::StrCat("HTTP ", status));
  return body;
}

bool IsServing(const std::string& addr) {
  auto stub = grpc::health::v1::Health::NewStub(Channel(addr));
  grpc::health::v1::HealthCheckResponse resp;
  auto ctx = Context("", absl::Seconds(1));
  grpc::Status s = stub->Check(ctx.get(), {}, &resp);
  return s.ok() && resp.status() == grpc::health::v1::HealthCheckResponse::SERVING;
}

const char* BinaryName(Service service) {
  switch (service) {
    case Service::kContent:
      return "bulletin-content";
    case Service::kAnalytics:
      return "bulletin-analytics";
    case Service::kNotifications:
      return "bulletin-notifications";
  }
  return "";
}

absl::Status System::Start(const SystemOptions& options) {
  options_ = options;
  auto redis = RedisServer::Start();
  if (!redis.ok()) return redis.status();
  redis_ = std::move(*redis);
  if (options_.redis_fsync_always) {
    if (absl::Status s = SetRedisFsyncAlways(); !s.ok()) return s;
  }
  {
    std::ofstream tokens(dir_.path() + "/tokens");
    tokens << "admin " << kAdminToken << "\n"
           << "editor " << kEditorToken << "\n"
           << "frontend " << kFrontendToken << "\n"
           << "partner " << kPartnerToken << " partner-a\n"
           << "partner " << kOtherPartnerToken << " partner-b\n";
  }
  // The seed is a one-shot run of the content binary; its stdout is "<id> <slug>".
  std::string seed_out = dir_.path() + "/seed.out";
  ChildProcess seed;
  absl::Status s =
      seed.Start(BinDir() + "/bulletin-content",
                 {"--seed-demo", "--db=sqlite:" + dir_.path() + "/content.db",
                  "--redis=" + redis_->url(), "--auth-tokens-file=" + dir_.path() + "/tokens"},
                 {}, seed_out);
  if (!s.ok()) return s;
  if (!WaitUntil([&] { return !seed.running(); }, absl::Seconds(30))) {
    return absl::DeadlineExceededError("bulletin-content --seed-demo did not finish");
  }
  for (absl::string_view line : absl::StrSplit(ReadAll(seed_out), '\n')) {
    std::vector<std::string> parts = absl::StrSplit(line, ' ');
    if (parts.size() == 2 && parts[0].size() >= 8 && parts[0].find('[') == std::string::npos &&
        parts[0].find('-') != std::string::npos) {
      demo_id_ = parts[0];
      demo_slug_ = parts[1];
    }
  }
  if (demo_id_.empty()) {
    return absl::InternalError("seed printed no \"<id> <slug>\" line:\n" + ReadAll(seed_out));
  }

  content_port_ = FreePort();
  analytics_port_ = FreePort();
  notify_port_ = FreePort();
  content_metrics_port_ = FreePort();
  s = StartService(Service::kContent,
                   {"--db=sqlite:" + dir_.path() + "/content.db",
                    absl::StrCat("--metrics-listen=127.0.0.1:", content_metrics_port_)},
                   content_port_);
  if (!s.ok()) return s;
  s = StartService(Service::kAnalytics, {}, analytics_port_);
  if (!s.ok()) return s;
  s = StartService(Service::kNotifications, {"--heartbeat-interval=1s"}, notify_port_);
  if (!s.ok()) return s;
  for (const std::string& addr : {content_addr(), analytics_addr(), notify_addr()}) {
    if (!WaitUntil([&] { return IsServing(addr); }, absl::Seconds(15))) {
      return absl::UnavailableError(absl::StrCat(addr, " never became SERVING\n", Logs()));
    }
  }
  // Settle: the seed's PUBLISHED event waits in the outbox until the content server's
  // relay sends it. Tests start once it is on the stream, so it cannot be mistaken for
  // an event of theirs.
  RedisClient stream_reader(redis_->options());
  bool relayed = WaitUntil(
      [&] {
        auto r = stream_reader.Command({"XRANGE", keys::kEventStream, "-", "+"});
        if (!r.ok()) return false;
        for (const RedisReply& entry : r->elements) {
          const auto& fields =
              entry.elements.size() == 2 ? entry.elements[1].elements : std::vector<RedisReply>();
          for (size_t i = 0; i + 1 < fields.size(); i += 2) {
            if (fields[i].str == keys::kFieldArticleId && fields[i + 1].str == demo_id_) {
              return true;
            }
          }
        }
        return false;
      },
      absl::Seconds(15));
  if (!relayed) {
    return absl::DeadlineExceededError("the demo article's event never reached the stream\n" +
                                       Logs());
  }
  return absl::OkStatus();
}

absl::Status System::StartService(Service service, const std::vector<std::string>& extra,
                                  int port) {
  std::vector<std::string> args = {
      absl::StrCat("--listen=127.0.0.1:", port), "--redis=" + redis_->url(),
      "--auth-tokens-file=" + dir_.path() + "/tokens", "--log-level=debug", "--drain-timeout=5s"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto more = options_.extra_flags.find(service);
  if (more != options_.extra_flags.end()) {
    args.insert(args.end(), more->second.begin(), more->second.end());
  }
  args_[service] = args;
  const std::string binary = BinaryName(service);
  return process(service).Start(BinDir() + "/" + binary, args, {},
                                dir_.path() + "/" + binary + ".log");
}

ChildProcess& System::process(Service service) {
  switch (service) {
    case Service::kContent:
      return content_;
    case Service::kAnalytics:
      return analytics_;
    case Service::kNotifications:
      break;
  }
  return notify_;
}

int System::port(Service service) const {
  switch (service) {
    case Service::kContent:
      return content_port_;
    case Service::kAnalytics:
      return analytics_port_;
    case Service::kNotifications:
      break;
  }
  return notify_port_;
}

std::string System::addr(Service service) const {
  return absl::StrCat("127.0.0.1:", port(service));
}

pid_t System::pid(Service service) const {
  switch (service) {
    case Service::kContent:
      return content_.pid();
    case Service::kAnalytics:
      return analytics_.pid();
    case Service::kNotifications:
      break;
  }
  return notify_.pid();
}

int System::Kill(Service service) { return process(service).Stop(SIGKILL); }

absl::Status System::Restart(Service service) {
  ChildProcess& p = process(service);
  if (p.running()) {
    return absl::FailedPreconditionError(absl::StrCat(BinaryName(service), " is running"));
  }
  auto args = args_.find(service);
  if (args == args_.end()) {
    return absl::FailedPreconditionError(absl::StrCat(BinaryName(service), " never started"));
  }
  const std::string binary = BinaryName(service);
  // A marker in the log, so a failure message shows which run said what.
  std::ofstream(dir_.path() + "/" + binary + ".log", std::ios::app)
      << "---- restarted by the test ----\n";
  return p.Start(BinDir() + "/" + binary, args->second, {}, dir_.path() + "/" + binary + ".log");
}

absl::StatusOr<absl::Duration> System::WaitServing(Service service, absl::Duration timeout) {
  const absl::Time start = absl::Now();
  const std::string address = addr(service);
  if (!WaitUntil([&] { return IsServing(address); }, timeout)) {
    return absl::DeadlineExceededError(absl::StrCat(BinaryName(service), " at ", address,
                                                    " not SERVING within ",
                                                    absl::FormatDuration(timeout)));
  }
  return absl::Now() - start;
}

void System::KillRedis() { redis_->Kill(); }

absl::Status System::RestartRedis() {
  if (absl::Status s = redis_->Restart(); !s.ok()) return s;
  return options_.redis_fsync_always ? SetRedisFsyncAlways() : absl::OkStatus();
}

absl::Status System::SetRedisFsyncAlways() {
  RedisClient client(redis_->options());
  auto r = client.Command({"CONFIG", "SET", "appendfsync", "always"});
  if (!r.ok()) return r.status();
  if (r->str != "OK") return absl::InternalError("CONFIG SET appendfsync always: " + r->str);
  return absl::OkStatus();
}

std::vector<int> System::StopServices() {
  return {notify_.Stop(SIGTERM), analytics_.Stop(SIGTERM), content_.Stop(SIGTERM)};
}

System::~System() { StopServices(); }

std::unique_ptr<content::v1::ContentService::Stub> System::Content() {
  return content::v1::ContentService::NewStub(Channel(content_addr()));
}
std::unique_ptr<analytics::v1::AnalyticsService::Stub> System::Analytics() {
  return analytics::v1::AnalyticsService::NewStub(Channel(analytics_addr()));
}
std::unique_ptr<notify::v1::NotificationService::Stub> System::Notify() {
  return notify::v1::NotificationService::NewStub(Channel(notify_addr()));
}

std::string System::Logs() const {
  std::string out;
  for (const char* name : {"bulletin-content", "bulletin-analytics", "bulletin-notifications"}) {
    std::string log = ReadAll(dir_.path() + "/" + name + ".log");
    if (log.size() > 6000) log = "..." + log.substr(log.size() - 6000);
    absl::StrAppend(&out, "---- ", name, " ----\n", log);
  }
  return out;
}

}  // namespace bulletin::testing
