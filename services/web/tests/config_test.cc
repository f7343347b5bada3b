// bulletin-web's flags: --listen is the HTTP address and --grpc-listen the runner's gRPC
// server; bad values are refused naming the flag; the frontend token is read from the
// tokens file (in clear only).
#include "services/web/config.h"

#include <gtest/gtest.h>

#include "common/testing/status_matchers.h"

namespace bulletin::web {
namespace {

using ::bulletin::testing::StatusIs;

TEST(ConfigTest, ListenIsHttpAndGrpcListenIsTheRunners) {
  ASSERT_OK_AND_ASSIGN(Config c,
                       ParseConfig({"--listen=127.0.0.1:8181", "--grpc-listen=127.0.0.1:0",
                                    "--public-url=https://news.example.org/",
                                    "--cors-origins=https://a.example, https://b.example"},
                                   {}));
  EXPECT_EQ(c.http_listen, "127.0.0.1:8181");
  EXPECT_EQ(c.service.server.listen, "127.0.0.1:0");
  EXPECT_EQ(c.service.server.listen_flag, "grpc-listen");  // named when it cannot be bound
  EXPECT_EQ(c.public_url, "https://news.example.org");
  EXPECT_EQ(c.cors_origins, (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_EQ(c.cache_bytes, 48 << 20);
  ASSERT_OK_AND_ASSIGN(Config env, ParseConfig({}, {{"BULLETIN_CACHE_BYTES", "2097152"}}));
  EXPECT_EQ(env.cache_bytes, 2097152);
}

TEST(ConfigTest, BadValuesNameTheFlag) {
  EXPECT_THAT(ParseConfig({"--cache-bytes=10"}, {}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "--cache-bytes"));
  EXPECT_THAT(ParseConfig({"--public-url=news.example.org"}, {}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "--public-url"));
  EXPECT_THAT(ParseConfig({"--view-token-ttl=5m"}, {}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "--view-token-ttl"));
  EXPECT_THAT(ParseConfig({"--view-token-key=short"}, {}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "--view-token-key"));
  EXPECT_THAT(ParseConfig({"--max-url-bytes=10"}, {}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "--max-url-bytes"));
  EXPECT_THAT(ParseConfig({"--view-token-key-file=/nonexistent/key"}, {}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "--view-token-key-file"));
}

TEST(ConfigTest, FrontendTokenIsTheFirstInClear) {
  EXPECT_EQ(FrontendTokenOf("# c\nadmin admin-token-0000000001\n"
                            "frontend sha256:0123\nfrontend frontend-token-000001\n"),
            "frontend-token-000001");
  EXPECT_EQ(FrontendTokenOf("editor e-token-0000000000001\n"), "");
}

}  // namespace
}  // namespace bulletin::web
