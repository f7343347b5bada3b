// Rate limits of the real binaries: a caller over its --rate-* limit is answered
// RESOURCE_EXHAUSTED with the retry delay in the `retry-after-ms` and
// `grpc-retry-pushback-ms` trailers; other callers are not affected; guessing tokens is
// limited like anonymous calls.
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/numbers.h"
#include "tests/system.h"

namespace bulletin::testing {
namespace {

namespace cv1 = ::bulletin::content::v1;

std::string Trailer(const grpc::ClientContext& context, const std::string& key) {
  auto it = context.GetServerTrailingMetadata().find(key);
  if (it == context.GetServerTrailingMetadata().end()) return "";
  return std::string(it->second.data(), it->second.size());
}

class RateLimitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SystemOptions options;
    // Two anonymous calls at once, then one every 10 s; tokens: 3 at once.
    options.extra_flags[Service::kContent] = {"--rate-anonymous=0.1:2", "--rate-token=0.1:3"};
    absl::Status started = system_.Start(options);
    ASSERT_TRUE(started.ok()) << started << "\n" << system_.Logs();
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << system_.Logs();
  }
  grpc::Status GetCategory(const std::string& token, std::string* retry_after = nullptr) {
    auto stub = system_.Content();
    cv1::GetCategoryRequest request;
    request.set_slug("news");
    cv1::Category response;
    std::unique_ptr<grpc::ClientContext> context = Context(token);
    grpc::Status status = stub->GetCategory(context.get(), request, &response);
    if (retry_after != nullptr) *retry_after = Trailer(*context, "retry-after-ms");
    if (!status.ok() && retry_after != nullptr) {
      // The same wait, with the margin gRPC's coarse retry timer needs (common/grpc/status.cc).
      int64_t after = 0, pushback = 0;
      EXPECT_TRUE(absl::SimpleAtoi(*retry_after, &after)) << *retry_after;
      EXPECT_TRUE(absl::SimpleAtoi(Trailer(*context, "grpc-retry-pushback-ms"), &pushback));
      EXPECT_EQ(pushback, after + 5);
    }
    return status;
  }
  System system_;
};

TEST_F(RateLimitTest, OverTheLimitIsResourceExhaustedWithARetryDelay) {
  EXPECT_NE(GetCategory("").error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(GetCategory("").error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  std::string retry_after;
  grpc::Status refused = GetCategory("", &retry_after);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << refused.error_message();
  int64_t ms = 0;
  ASSERT_TRUE(absl::SimpleAtoi(retry_after, &ms)) << "retry-after-ms: \"" << retry_after << "\"";
  EXPECT_GT(ms, 0);
  EXPECT_LE(ms, 10000);

  // A caller with a token has its own bucket.
  EXPECT_NE(GetCategory(kEditorToken).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
}

TEST_F(RateLimitTest, GuessedTokensCountAsAnonymousCalls) {
  EXPECT_EQ(GetCategory("not-a-token-0001").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(GetCategory("not-a-token-0002").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(GetCategory("not-a-token-0003").error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
}

}  // namespace
}  // namespace bulletin::testing
