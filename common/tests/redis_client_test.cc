// The hiredis wrapper against a real redis-server: commands, pipelines, scripts, and
// coming back after Redis is killed and restarted.
#include "common/redis/redis_client.h"

#include <gtest/gtest.h>

#include "common/testing/redis_server.h"

namespace bulletin {
namespace {

class RedisClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testing::RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    client_ = std::make_unique<RedisClient>(server_->options());
  }
  std::unique_ptr<testing::RedisServer> server_;
  std::unique_ptr<RedisClient> client_;
};

TEST_F(RedisClientTest, CommandsCarryBinarySafeArguments) {
  std::string value("a\0b %s\r\n", 8);
  ASSERT_TRUE(client_->Command({"SET", "k", value}).ok());
  auto r = client_->Command({"GET", "k"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->type, RedisReply::Type::kString);
  EXPECT_EQ(r->str, value);
  auto missing = client_->Command({"GET", "missing"});
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->is_nil());
}

TEST_F(RedisClientTest, ErrorRepliesBecomeStatuses) {
  ASSERT_TRUE(client_->Command({"SET", "s", "x"}).ok());
  auto r = client_->Command({"INCR", "s"});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
}

// A status can reach a client: it carries Redis' error code, never the rest of the text
// (key names, a script's source lines).
TEST_F(RedisClientTest, ErrorStatusesCarryTheCodeOnly) {
  ASSERT_TRUE(client_->Command({"SET", "visitor:secret-key", "x"}).ok());
  auto wrong = client_->Command({"LPUSH", "visitor:secret-key", "y"});
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(wrong.status().message(), "redis: WRONGTYPE error reply");
  auto script = client_->Command(
      {"EVAL", "return redis.error_reply('BADTHING at @user_script line 3: visitor:1')", "0"});
  EXPECT_EQ(script.status().message(), "redis: BADTHING error reply");
  auto lower = client_->Command({"EVAL", "return redis.error_reply('oops: visitor:2')", "0"});
  EXPECT_EQ(lower.status().message(), "redis: ERR error reply");
}

TEST_F(RedisClientTest, PipelineKeepsOrderAndPerCommandErrors) {
  auto r = client_->Pipeline({{"INCR", "n"}, {"INCR", "n"}, {"HGET", "n", "f"}, {"GET", "n"}});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].integer, 1);
  EXPECT_EQ((*r)[1].integer, 2);
  EXPECT_TRUE((*r)[2].is_error());
  EXPECT_EQ((*r)[3].str, "2");
}

TEST_F(RedisClientTest, EvalLoadsScriptsAgainAfterRestart) {
  const std::string script = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
  auto r = client_->Eval(script, {"c"}, {"5"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->integer, 5);
  ASSERT_TRUE(server_->Restart().ok());
  // The restarted server has an empty script cache; the first call may meet the dead
  // connection, the client then reconnects.
  absl::StatusOr<RedisReply> again;
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        again = client_->Eval(script, {"c"}, {"1"});
        return again.ok();
      },
      absl::Seconds(5)));
  EXPECT_EQ(again->integer, 6);  // AOF kept the counter
}

TEST_F(RedisClientTest, RedisDownIsUnavailableThenRecovers) {
  ASSERT_TRUE(client_->Command({"SET", "k", "v"}).ok());
  server_->Kill();
  EXPECT_EQ(client_->Command({"GET", "k"}).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(client_->Pipeline({{"GET", "k"}}).status().code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE(server_->Restart().ok());
  EXPECT_TRUE(
      testing::WaitUntil([&] { return client_->Command({"PING"}).ok(); }, absl::Seconds(5)));
}

TEST_F(RedisClientTest, FirstCommandAfterARestartSucceeds) {
  ASSERT_TRUE(client_->Command({"SET", "k", "v"}).ok());  // leaves an idle connection
  ASSERT_TRUE(server_->Restart().ok());                   // which the old server closed
  auto r = client_->Command({"GET", "k"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->str, "v");
}

TEST(RedisUrlTest, ParsesAndRejects) {
  auto o = ParseRedisUrl("redis://10.0.0.5:6380/2");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->host, "10.0.0.5");
  EXPECT_EQ(o->port, 6380);
  EXPECT_EQ(o->db, 2);
  EXPECT_EQ(ParseRedisUrl("http://x:1").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRedisUrl("redis://x:99999").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulletin
