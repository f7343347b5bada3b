// The service runner with a real gRPC server on port 0: health follows the watched
// dependency (NOT_SERVING while it is down, SERVING when it is back), SIGTERM drains and
// turns NOT_SERVING, and the shutdown hooks run once, in reverse order.
#include "common/service/runner.h"

#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "common/testing/status_matchers.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace bulletin {
namespace {

using grpc::health::v1::HealthCheckResponse;

HealthCheckResponse::ServingStatus HealthOf(int port) {
  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  grpc::health::v1::HealthCheckRequest request;
  HealthCheckResponse response;
  grpc::Status status =
      grpc::health::v1::Health::NewStub(channel)->Check(&context, request, &response);
  return status.ok() ? response.status() : HealthCheckResponse::UNKNOWN;
}

bool WaitForHealth(int port, HealthCheckResponse::ServingStatus want) {
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (absl::Now() < deadline) {
    if (HealthOf(port) == want) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return false;
}

TEST(ServiceRunnerTest, HealthFollowsDependenciesAndSigtermStopsInReverseOrder) {
  BlockShutdownSignals();  // before any thread starts, as in main
  ServiceFlags flags;
  flags.server.listen = "127.0.0.1:0";
  flags.server.drain_timeout = absl::Seconds(1);
  flags.server.rpc_metrics = false;
  ASSERT_OK(ValidateServiceFlags(flags));

  ServiceRunner runner("runnertest", flags);
  ASSERT_OK(runner.Init());
  std::atomic<bool> db_up{true};
  runner.Watch(
      "testdb", [&db_up] { return db_up.load(); }, absl::Milliseconds(20));
  std::vector<std::string> order;
  runner.AtShutdown([&order] { order.push_back("first registered"); });
  runner.AtShutdown([&order] { order.push_back("second registered"); });
  runner.BeforeDrain([&order] { order.push_back("before drain"); });

  int exit_code = -1;
  std::thread serve([&] { exit_code = runner.Serve({}); });
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (runner.port() == 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(5));
  const int port = runner.port();
  ASSERT_NE(port, 0);
  EXPECT_TRUE(WaitForHealth(port, HealthCheckResponse::SERVING));
  db_up = false;
  EXPECT_TRUE(WaitForHealth(port, HealthCheckResponse::NOT_SERVING));
  db_up = true;
  EXPECT_TRUE(WaitForHealth(port, HealthCheckResponse::SERVING));
  runner.ReportHealth("stream", false);  // a dependency that reports itself
  EXPECT_EQ(HealthOf(port), HealthCheckResponse::NOT_SERVING);
  runner.ReportHealth("stream", true);
  EXPECT_EQ(HealthOf(port), HealthCheckResponse::SERVING);

  ASSERT_EQ(kill(getpid(), SIGTERM), 0);
  serve.join();
  EXPECT_EQ(exit_code, 0);
  EXPECT_EQ(order,
            (std::vector<std::string>{"before drain", "second registered", "first registered"}));
}

TEST(ServiceRunnerTest, AServerThatCannotStartExitsTwoAndStillRunsTheShutdownHooks) {
  BlockShutdownSignals();
  // A port held by a socket without SO_REUSEPORT: gRPC's listener cannot bind it.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ServiceFlags flags;
  flags.server.listen = absl::StrCat("127.0.0.1:", ntohs(addr.sin_port));
  ASSERT_OK(ValidateServiceFlags(flags));
  ServiceRunner runner("runnertest", flags);
  ASSERT_OK(runner.Init());
  bool stopped = false;
  runner.AtShutdown([&stopped] { stopped = true; });
  EXPECT_EQ(runner.Serve({}), 2);
  EXPECT_TRUE(stopped);
  close(fd);
}

TEST(ServiceRunnerTest, ABindFailureNamesTheFlagThatSetTheAddress) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ServerConfig config;
  config.listen = absl::StrCat("127.0.0.1:", ntohs(addr.sin_port));
  config.listen_flag = "grpc-listen";  // as bulletin-web sets it
  EXPECT_THAT(GrpcServer::Start(config, {}),
              testing::StatusIs(absl::StatusCode::kUnavailable, "--grpc-listen: cannot listen"));
  config.listen = "127.0.0.1:99999";
  EXPECT_THAT(GrpcServer::Start(config, {}),
              testing::StatusIs(absl::StatusCode::kInvalidArgument, "--grpc-listen: expected"));
  close(fd);
}

TEST(ServiceRunnerTest, AListenPortOutOfRangeIsRefused) {
  ServerConfig config;
  config.listen = "127.0.0.1:99999";  // gRPC alone would listen on another port
  EXPECT_THAT(GrpcServer::Start(config, {}),
              testing::StatusIs(absl::StatusCode::kInvalidArgument, "--listen: expected"));
}

}  // namespace
}  // namespace bulletin
