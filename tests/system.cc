#include "tests/system.h"

#include <curl/curl.h>
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/redis/keys.h"
#include "common/redis/redis_client.h"
#include "common/redis/redis_slot.h"
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
  if (options_.redis_cluster) {
    auto cluster = RedisTestCluster::Start();
    if (!cluster.ok()) return cluster.status();
    cluster_ = std::move(*cluster);
  } else {
    auto redis = RedisServer::Start();
    if (!redis.ok()) return redis.status();
    redis_ = std::move(*redis);
  }
  if (options_.redis_fsync_always && redis_ != nullptr) {
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
  std::string db = "sqlite:" + dir_.path() + "/content.db";
  if (options_.content_on_postgres || replicas(Service::kContent) > 1) {
    auto postgres = PostgresServer::Start();
    if (!postgres.ok()) return postgres.status();
    postgres_ = std::move(*postgres);
    auto uri = postgres_->CreateDatabase("content");
    if (!uri.ok()) return uri.status();
    db = *uri;
  }
  if (absl::Status s = Seed(db); !s.ok()) return s;

  content_metrics_port_ = FreePort();
  for (Service service : kAllServices) {
    for (int r = 0; r < replicas(service); ++r) {
      std::vector<std::string> extra;
      if (service == Service::kContent) {
        extra.push_back("--db=" + db);
        const int metrics_port = r == 0 ? content_metrics_port_ : FreePort();
        extra.push_back(absl::StrCat("--metrics-listen=127.0.0.1:", metrics_port));
      } else if (service == Service::kNotifications) {
        extra.push_back("--heartbeat-interval=1s");
      }
      if (absl::Status s = StartInstance(service, r, extra); !s.ok()) return s;
    }
  }
  for (Service service : kAllServices) {
    for (int r = 0; r < replicas(service); ++r) {
      const std::string address = addr(service, r);
      if (!WaitUntil([&] { return IsServing(address); }, absl::Seconds(15))) {
        return absl::UnavailableError(absl::StrCat(address, " never became SERVING\n", Logs()));
      }
    }
  }
  return WaitDemoEventRelayed();
}

absl::Status System::Seed(const std::string& db) {
  // The seed is a one-shot run of the content binary; its stdout is "<id> <slug>".
  std::string seed_out = dir_.path() + "/seed.out";
  ChildProcess seed;
  absl::Status s = seed.Start(BinDir() + "/bulletin-content",
                              {"--seed-demo", "--db=" + db, "--redis=" + redis_url(),
                               "--auth-tokens-file=" + dir_.path() + "/tokens"},
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
  return absl::OkStatus();
}

absl::Status System::WaitDemoEventRelayed() {
  // Settle: the seed's PUBLISHED event waits in the outbox until a content server's relay
  // sends it. Tests start once it is on the stream, so it cannot be mistaken for an event
  // of theirs.
  RedisClient stream_reader(redis_options());
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

int System::replicas(Service service) const {
  auto it = options_.replicas.find(service);
  return it == options_.replicas.end() ? 1 : std::max(1, it->second);
}

absl::Status System::StartInstance(Service service, int replica, std::vector<std::string> extra) {
  std::vector<std::unique_ptr<Instance>>& all = instances_[service];
  if (static_cast<int>(all.size()) <= replica) all.resize(replica + 1);
  all[replica] = std::make_unique<Instance>();
  Instance& in = *all[replica];
  in.port = FreePort();
  const std::string binary = BinaryName(service);
  in.log = absl::StrCat(dir_.path(), "/", binary, replica == 0 ? "" : absl::StrCat("-", replica),
                        ".log");
  in.args = {absl::StrCat("--listen=127.0.0.1:", in.port), "--redis=" + redis_url(),
             "--auth-tokens-file=" + dir_.path() + "/tokens", "--log-level=debug",
             "--drain-timeout=5s"};
  in.args.insert(in.args.end(), extra.begin(), extra.end());
  auto more = options_.extra_flags.find(service);
  if (more != options_.extra_flags.end()) {
    in.args.insert(in.args.end(), more->second.begin(), more->second.end());
  }
  return in.process.Start(BinDir() + "/" + binary, in.args, {}, in.log);
}

System::Instance& System::instance(Service service, int replica) {
  return *instances_.at(service).at(replica);
}

const System::Instance& System::instance(Service service, int replica) const {
  return *instances_.at(service).at(replica);
}

std::string System::addr(Service service, int replica) const {
  return absl::StrCat("127.0.0.1:", instance(service, replica).port);
}

pid_t System::pid(Service service, int replica) const {
  return instance(service, replica).process.pid();
}

int System::Kill(Service service, int replica) {
  return instance(service, replica).process.Stop(SIGKILL);
}

absl::Status System::Restart(Service service, int replica) {
  Instance& in = instance(service, replica);
  if (in.process.running()) {
    return absl::FailedPreconditionError(absl::StrCat(BinaryName(service), " is running"));
  }
  // A marker in the log, so a failure message shows which run said what.
  std::ofstream(in.log, std::ios::app) << "---- restarted by the test ----\n";
  return in.process.Start(BinDir() + "/" + BinaryName(service), in.args, {}, in.log);
}

absl::StatusOr<absl::Duration> System::WaitServing(Service service, absl::Duration timeout,
                                                   int replica) {
  const absl::Time start = absl::Now();
  const std::string address = addr(service, replica);
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

std::string System::redis_url() const { return cluster_ ? cluster_->url() : redis_->url(); }

RedisOptions System::redis_options() const {
  return cluster_ ? cluster_->options() : redis_->options();
}

absl::StatusOr<int> System::MasterOf(const std::string& key) const {
  if (cluster_ == nullptr) return absl::FailedPreconditionError("Redis is not a cluster");
  return cluster_->MasterOfSlot(KeySlot(key));
}

absl::StatusOr<int> System::KillMasterOf(const std::string& key) {
  absl::StatusOr<int> master = MasterOf(key);
  if (!master.ok()) return master.status();
  cluster_->Kill(*master);
  return *master;
}

absl::StatusOr<int> System::WaitFailover(const std::string& key, int old_master,
                                         absl::Duration timeout) {
  if (cluster_ == nullptr) return absl::FailedPreconditionError("Redis is not a cluster");
  return cluster_->WaitForNewMaster(KeySlot(key), old_master, timeout);
}

absl::Status System::RestartRedisNode(int node) {
  if (cluster_ == nullptr) return absl::FailedPreconditionError("Redis is not a cluster");
  if (absl::Status s = cluster_->Restart(node); !s.ok()) return s;
  return cluster_->WaitHealthy(absl::Seconds(30));
}

absl::Status System::SetRedisFsyncAlways() {
  RedisClient client(redis_->options());
  auto r = client.Command({"CONFIG", "SET", "appendfsync", "always"});
  if (!r.ok()) return r.status();
  if (r->str != "OK") return absl::InternalError("CONFIG SET appendfsync always: " + r->str);
  return absl::OkStatus();
}

std::vector<int> System::StopServices() {
  std::vector<int> ended;
  for (Service service : {Service::kNotifications, Service::kAnalytics, Service::kContent}) {
    auto it = instances_.find(service);
    if (it == instances_.end()) continue;
    for (std::unique_ptr<Instance>& in : it->second) {
      if (in != nullptr) ended.push_back(in->process.Stop(SIGTERM));
    }
  }
  return ended;
}

System::~System() { StopServices(); }

std::unique_ptr<content::v1::ContentService::Stub> System::Content(int replica) {
  return content::v1::ContentService::NewStub(Channel(addr(Service::kContent, replica)));
}
std::unique_ptr<analytics::v1::AnalyticsService::Stub> System::Analytics(int replica) {
  return analytics::v1::AnalyticsService::NewStub(Channel(addr(Service::kAnalytics, replica)));
}
std::unique_ptr<notify::v1::NotificationService::Stub> System::Notify(int replica) {
  return notify::v1::NotificationService::NewStub(Channel(addr(Service::kNotifications, replica)));
}

std::string System::Logs() const {
  std::string out;
  for (const auto& [service, all] : instances_) {
    for (const std::unique_ptr<Instance>& in : all) {
      if (in == nullptr) continue;
      std::string log = ReadAll(in->log);
      if (log.size() > 6000) log = "..." + log.substr(log.size() - 6000);
      absl::StrAppend(&out, "---- ", in->log.substr(dir_.path().size() + 1), " ----\n", log);
    }
  }
  return out;
}

}  // namespace bulletin::testing
