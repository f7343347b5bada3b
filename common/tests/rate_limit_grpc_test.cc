// CallLimiter::Admit on real calls: a callback server on port 0 admits each call with the
// context gRPC hands it, so the peer string is gRPC's own. Calls without a token from one
// host share a bucket across connections and ports; the refusal carries the retry delay,
// sent here as the `retry-after-ms` and `grpc-retry-pushback-ms` trailers (what the call
// path does with RetryDelayOf), and a gRPC client whose retry policy lists
// RESOURCE_EXHAUSTED waits that long by itself.
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/base/retry_delay.h"
#include "common/grpc/rate_limit.h"
#include "common/grpc/status.h"

namespace bulletin {
namespace {

class LimitedService : public grpc::CallbackGenericService {
 public:
  explicit LimitedService(CallLimiter* limiter) : limiter_(limiter) {}
  std::atomic<int> calls{0};

 private:
  class Reactor : public grpc::ServerGenericBidiReactor {
   public:
    Reactor(grpc::GenericCallbackServerContext* context, LimitedService* service) {
      ++service->calls;
      absl::Status admitted = service->limiter_->Admit(*context, Caller(), context->method());
      Finish(ToGrpcStatus(admitted, context));  // the trailers as the services send them
    }
    void OnDone() override { delete this; }
  };

  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override {
    return new Reactor(context, this);
  }

  CallLimiter* limiter_;
};

struct Result {
  grpc::Status status;
  std::string retry_after_ms;
};

Result Call(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  absl::Notification done;
  Result result;
  stub.UnaryCall(&context, "/bulletin.test.v1.Test/Get", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status status) {
                   result.status = std::move(status);
                   done.Notify();
                 });
  done.WaitForNotification();
  const auto& trailers = context.GetServerTrailingMetadata();
  if (auto it = trailers.find(kRetryAfterMsKey); it != trailers.end()) {
    result.retry_after_ms = std::string(it->second.data(), it->second.size());
  }
  return result;
}

std::shared_ptr<grpc::Channel> NewChannel(int port, const std::string& service_config = "") {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection (and port) of its own
  if (!service_config.empty()) args.SetServiceConfigJSON(service_config);
  return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                   grpc::InsecureChannelCredentials(), args);
}

class RateLimitGrpcTest : public ::testing::Test {
 protected:
  void Start(const RateLimitConfig& config) {
    limiter_ = std::make_unique<CallLimiter>(config);
    service_ = std::make_unique<LimitedService>(limiter_.get());
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterCallbackGenericService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  std::unique_ptr<CallLimiter> limiter_;
  std::unique_ptr<LimitedService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TEST_F(RateLimitGrpcTest, OneHostSharesItsBucketAcrossConnectionsAndLearnsWhenToComeBack) {
  RateLimitConfig config;
  config.anonymous.rate = 0.01;  // one token per 100 s: nothing refills during the test
  config.anonymous.burst = 2;
  Start(config);
  EXPECT_TRUE(Call(NewChannel(port_)).status.ok());
  EXPECT_TRUE(Call(NewChannel(port_)).status.ok());
  Result refused = Call(NewChannel(port_));
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(refused.status.error_message().find("without a token from 127.0.0.1"),
            std::string::npos)
      << refused.status.error_message();
  int64_t ms = 0;
  ASSERT_TRUE(absl::SimpleAtoi(refused.retry_after_ms, &ms)) << refused.retry_after_ms;
  EXPECT_GT(ms, 90'000);
  EXPECT_LE(ms, 100'000);
}

TEST_F(RateLimitGrpcTest, AClientRetryPolicyHonoursThePushback) {
  RateLimitConfig config;
  config.anonymous.rate = 5;  // a token every 200 ms
  config.anonymous.burst = 1;
  Start(config);
  const std::string retry_policy = R"({"methodConfig": [{"name": [{}], "retryPolicy": {
      "maxAttempts": 3, "initialBackoff": "0.001s", "maxBackoff": "0.001s",
      "backoffMultiplier": 1, "retryableStatusCodes": ["RESOURCE_EXHAUSTED"]}}]})";
  auto channel = NewChannel(port_, retry_policy);
  ASSERT_TRUE(Call(channel).status.ok());
  const absl::Time start = absl::Now();
  // Refused once, then retried by gRPC after the pushback (about 200 ms), not after 1 ms.
  EXPECT_TRUE(Call(channel).status.ok());
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(150));
  EXPECT_EQ(service_->calls.load(), 3);
}

TEST_F(RateLimitGrpcTest, OffAdmitsEverything) {
  Start(RateLimitConfig());
  auto channel = NewChannel(port_);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(Call(channel).status.ok()) << i;
}

}  // namespace
}  // namespace bulletin
