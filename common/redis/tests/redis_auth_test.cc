// USER:PASSWORD@ in --redis against a real redis-server with an ACL user: every new
// connection authenticates; a wrong password is UNAVAILABLE naming WRONGPASS, not the
// password.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/redis/redis_client.h"
#include "common/testing/redis_server.h"
#include "common/testing/status_matchers.h"

namespace bulletin {
namespace {

using ::bulletin::testing::StatusIs;

TEST(RedisAuthTest, UserAndPasswordFromTheUrl) {
  ASSERT_OK_AND_ASSIGN(auto server, testing::RedisServer::Start());
  RedisClient admin(server->options());
  ASSERT_OK(admin.Command({"ACL", "SETUSER", "svc", "on", ">s3cret:pw", "~*", "+@all"}));
  ASSERT_OK(admin.Command({"CONFIG", "SET", "requirepass", "defaultpw"}));

  ASSERT_OK_AND_ASSIGN(
      RedisOptions o,
      ParseRedisUrl(absl::StrCat("redis://svc:s3cret:pw@127.0.0.1:", server->port(), "/3")));
  RedisClient svc(o);
  ASSERT_OK(svc.Command({"SET", "k", "v"}));
  ASSERT_OK_AND_ASSIGN(RedisReply whoami, svc.Command({"ACL", "WHOAMI"}));
  EXPECT_EQ(whoami.str, "svc");

  ASSERT_OK_AND_ASSIGN(
      o, ParseRedisUrl(absl::StrCat("redis://:defaultpw@127.0.0.1:", server->port())));
  RedisClient by_password(o);
  ASSERT_OK_AND_ASSIGN(std::vector<RedisReply> db3,
                       by_password.Pipeline({{"SELECT", "3"}, {"GET", "k"}}));
  EXPECT_EQ(db3[1].str, "v");

  ASSERT_OK_AND_ASSIGN(
      o, ParseRedisUrl(absl::StrCat("redis://svc:hunter2@127.0.0.1:", server->port())));
  RedisClient wrong(o);
  absl::Status s = wrong.Command({"PING"}).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable, "WRONGPASS"));
  EXPECT_EQ(s.message().find("hunter2"), absl::string_view::npos) << s;

  o.password.clear();
  o.user.clear();
  RedisClient anonymous(o);
  EXPECT_THAT(anonymous.Command({"GET", "k"}), StatusIs(absl::StatusCode::kInternal, "NOAUTH"));
}

}  // namespace
}  // namespace bulletin
