// The real bulletin-analytics binary against a real redis-server: it serves, counts,
// reports NOT_SERVING while Redis is down and SERVING when it is back, queues views
// meanwhile, exits 0 on SIGTERM, and spills views it could not flush to --spill-file,
// replaying them at the next start.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>
#include <fstream>
#include <optional>

#include "absl/strings/str_cat.h"
#include "bulletin/analytics/v1/analytics.grpc.pb.h"
#include "common/testing/process.h"
#include "common/testing/redis_cluster.h"
#include "common/testing/status_matchers.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace bulletin::analytics {
namespace {

namespace v1 = ::bulletin::analytics::v1;
using ::bulletin::testing::WaitUntil;

constexpr char kFrontendToken[] = "frontend-token-0123456789";

// The server's health status, or nullopt while it does not answer. A fresh channel per
// probe: a channel that met a closed port backs off for seconds.
std::optional<grpc::health::v1::HealthCheckResponse::ServingStatus> HealthOf(
    const std::string& address) {
  auto health = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  grpc::health::v1::HealthCheckResponse resp;
  if (!health->Check(&ctx, {}, &resp).ok()) return std::nullopt;
  return resp.status();
}

bool Answers(const std::string& address) { return HealthOf(address).has_value(); }

std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token = "") {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  return ctx;
}

TEST(AnalyticsBinaryTest, ServesCountsFollowsRedisHealthAndStopsCleanly) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<testing::TestRedis> redis, testing::TestRedis::Start());
  testing::TempDir dir;
  std::ofstream(dir.path() + "/tokens") << "frontend " << kFrontendToken << "\n";
  const int port = testing::FreePort();
  testing::ChildProcess process;
  ASSERT_OK(process.Start(testing::BinDir() + "/bulletin-analytics",
                          {absl::StrCat("--listen=127.0.0.1:", port), "--redis=" + redis->url(),
                           "--auth-tokens-file=" + dir.path() + "/tokens", "--log-format=json"},
                          {}, dir.path() + "/analytics.log"));
  const std::string address = absl::StrCat("127.0.0.1:", port);
  auto status_is = [&](grpc::health::v1::HealthCheckResponse::ServingStatus want) {
    return HealthOf(address) == want;
  };
  ASSERT_TRUE(WaitUntil([&] { return status_is(grpc::health::v1::HealthCheckResponse::SERVING); },
                        absl::Seconds(10)));

  auto stub = v1::AnalyticsService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  v1::RecordViewRequest req;
  req.set_article_id("demo");
  req.set_client_ip("198.51.100.4");
  req.set_user_agent("Mozilla/5.0");
  v1::RecordViewResponse resp;
  grpc::Status s = stub->RecordView(Ctx(kFrontendToken).get(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(resp.counted());
  EXPECT_EQ(resp.totals().views(), 1);

  redis->Kill();
  EXPECT_TRUE(
      WaitUntil([&] { return status_is(grpc::health::v1::HealthCheckResponse::NOT_SERVING); },
                absl::Seconds(10)));
  req.set_visitor_id("second");
  s = stub->RecordView(Ctx(kFrontendToken).get(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(resp.queued());
  EXPECT_EQ(resp.totals().views(), 2) << "last known total plus the queued view";
  ASSERT_OK(redis->Restart());
  EXPECT_TRUE(WaitUntil([&] { return status_is(grpc::health::v1::HealthCheckResponse::SERVING); },
                        absl::Seconds(10)));
  EXPECT_TRUE(WaitUntil(
      [&] {
        v1::GetStatsRequest stats;
        stats.add_article_ids("demo");
        v1::GetStatsResponse out;
        return stub->GetStats(Ctx().get(), stats, &out).ok() && out.stats(0).views() == 2;
      },
      absl::Seconds(10)));

  stub.reset();  // an open connection would hold up the drain
  int status = process.Stop(SIGTERM);
  std::ifstream log(dir.path() + "/analytics.log");
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST(AnalyticsBinaryTest, ViewsBufferedAtShutdownAreSpilledAndReplayed) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<testing::TestRedis> redis, testing::TestRedis::Start());
  testing::TempDir dir;
  std::ofstream(dir.path() + "/tokens") << "frontend " << kFrontendToken << "\n";
  const std::string spill = dir.path() + "/spill";
  auto start = [&](testing::ChildProcess& process, int port) {
    return process.Start(testing::BinDir() + "/bulletin-analytics",
                         {absl::StrCat("--listen=127.0.0.1:", port), "--redis=" + redis->url(),
                          "--auth-tokens-file=" + dir.path() + "/tokens", "--spill-file=" + spill},
                         {}, dir.path() + "/analytics.log");
  };
  int port = testing::FreePort();
  testing::ChildProcess first;
  ASSERT_OK(start(first, port));
  ASSERT_TRUE(
      WaitUntil([&] { return Answers(absl::StrCat("127.0.0.1:", port)); }, absl::Seconds(10)));
  auto stub = v1::AnalyticsService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  redis->Kill();
  for (int i = 0; i < 3; ++i) {
    v1::RecordViewRequest req;
    req.set_article_id("spilled");
    req.set_visitor_id(absl::StrCat("v", i));
    v1::RecordViewResponse resp;
    grpc::Status s;
    ASSERT_TRUE(WaitUntil(
        [&] {
          s = stub->RecordView(Ctx(kFrontendToken).get(), req, &resp);
          return s.ok();
        },
        absl::Seconds(10)))
        << s.error_message();
    EXPECT_TRUE(resp.queued());
  }
  stub.reset();
  int status = first.Stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_TRUE(std::ifstream(spill).good()) << "the buffer went to the spill file";

  ASSERT_OK(redis->Restart());
  port = testing::FreePort();
  testing::ChildProcess second;
  ASSERT_OK(start(second, port));
  ASSERT_TRUE(
      WaitUntil([&] { return Answers(absl::StrCat("127.0.0.1:", port)); }, absl::Seconds(10)));
  stub = v1::AnalyticsService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  EXPECT_TRUE(WaitUntil(
      [&] {
        v1::GetStatsRequest stats;
        stats.add_article_ids("spilled");
        v1::GetStatsResponse out;
        return stub->GetStats(Ctx().get(), stats, &out).ok() && out.stats(0).views() == 3;
      },
      absl::Seconds(10)));
  stub.reset();
  second.Stop(SIGTERM);
}

TEST(AnalyticsBinaryTest, ABadFlagExitsWithOneLineNamingIt) {
  testing::TempDir dir;
  testing::ChildProcess process;
  ASSERT_OK(process.Start(testing::BinDir() + "/bulletin-analytics", {"--batch-workers=0"}, {},
                          dir.path() + "/analytics.log"));
  const int status = process.Stop(0, absl::Seconds(10));  // signal 0: just wait for the exit
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << status;
  std::ifstream log(dir.path() + "/analytics.log");
  std::string line;
  std::getline(log, line);
  EXPECT_EQ(line, "bulletin-analytics: --batch-workers: must be between 1 and 64");
}

}  // namespace
}  // namespace bulletin::analytics
