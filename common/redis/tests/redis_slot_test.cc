// Pure tests of the cluster client's building blocks: CRC16 and key slots against known
// vectors (the real CLUSTER KEYSLOT comparison is in redis_cluster_test.cc), where the keys
// of a command are, CROSSSLOT, and the --redis URL forms.
#include "common/redis/redis_slot.h"

#include <gtest/gtest.h>

#include "common/redis/redis_client.h"
#include "common/testing/status_matchers.h"

namespace bulletin {
namespace {

using ::bulletin::testing::StatusIs;

TEST(Crc16Test, KnownVectors) {
  EXPECT_EQ(Crc16("123456789"), 0x31C3);  // the CRC-16/XMODEM check value
  EXPECT_EQ(Crc16(""), 0);
}

TEST(KeySlotTest, KnownSlots) {
  // Values from the Redis Cluster specification and CLUSTER KEYSLOT.
  EXPECT_EQ(KeySlot("foo"), 12182);
  EXPECT_EQ(KeySlot("bar"), 5061);
  EXPECT_EQ(KeySlot("123456789"), 0x31C3 % 16384);
}

TEST(KeySlotTest, HashTags) {
  EXPECT_EQ(KeySlot("{user1000}.following"), KeySlot("user1000"));
  EXPECT_EQ(KeySlot("{user1000}.followers"), KeySlot("{user1000}.following"));
  EXPECT_EQ(KeySlot("foo{}{bar}"), KeySlot("foo{}{bar}"));
  EXPECT_NE(KeySlot("foo{}{bar}"), KeySlot("bar"));  // an empty first tag: the whole key
  EXPECT_EQ(KeySlot("foo{{bar}}zap"), KeySlot("{bar"));
  EXPECT_EQ(KeySlot("foo{bar}{zap}"), KeySlot("bar"));
  EXPECT_EQ(KeySlot("{bulletin}:events"), KeySlot("bulletin"));
  EXPECT_EQ(KeySlot("no}tag{"), Crc16("no}tag{") % 16384);
}

TEST(CommandKeysTest, Positions) {
  using V = std::vector<size_t>;
  EXPECT_EQ(CommandKeyPositions({"GET", "k"}), V({1}));
  EXPECT_EQ(CommandKeyPositions({"PING"}), V());
  EXPECT_EQ(CommandKeyPositions({"WAIT", "1", "100"}), V());
  EXPECT_EQ(CommandKeyPositions({"MGET", "a", "b", "c"}), V({1, 2, 3}));
  EXPECT_EQ(CommandKeyPositions({"EVALSHA", "sha", "2", "a", "b", "x"}), V({3, 4}));
  EXPECT_EQ(CommandKeyPositions({"EVAL", "s", "0", "x"}), V());
  EXPECT_EQ(CommandKeyPositions({"XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "BLOCK", "5",
                                 "STREAMS", "s1", "s2", ">", ">"}),
            V({9, 10}));
  EXPECT_EQ(CommandKeyPositions({"XREAD", "streams", "s", "0"}), V({2}));
  EXPECT_EQ(CommandKeyPositions({"XGROUP", "CREATE", "s", "g", "0"}), V({2}));
  EXPECT_EQ(CommandKeyPositions({"XINFO", "STREAM", "s"}), V({2}));
  EXPECT_EQ(CommandKeyPositions({"MSET", "a", "1", "b", "2"}), V({1, 3}));
  EXPECT_EQ(CommandKeyPositions({"ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"}),
            V({1, 3, 4}));
  EXPECT_EQ(CommandKeyPositions({"BLPOP", "a", "b", "0"}), V({1, 2}));
}

TEST(CommandKeysTest, CrossSlotIsRefused) {
  EXPECT_EQ(*CommandSlot({"MGET", "{a}1", "{a}2"}), KeySlot("a"));
  EXPECT_EQ(*CommandSlot({"PING"}), -1);
  EXPECT_THAT(CommandSlot({"MGET", "foo", "bar"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "CROSSSLOT"));
  EXPECT_THAT(CommandSlot({"EVALSHA", "x", "2", "{bulletin}:j", "{a:1}:views"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "CROSSSLOT"));
}

TEST(RedisUrlTest, OneNode) {
  ASSERT_OK_AND_ASSIGN(RedisOptions o, ParseRedisUrl("redis://10.0.0.5:6380/2"));
  EXPECT_FALSE(o.cluster);
  EXPECT_EQ(o.host, "10.0.0.5");
  EXPECT_EQ(o.port, 6380);
  EXPECT_EQ(o.db, 2);
  EXPECT_TRUE(o.user.empty());
  ASSERT_OK_AND_ASSIGN(o, ParseRedisUrl("redis://redis"));
  EXPECT_EQ(o.host, "redis");
  EXPECT_EQ(o.port, 6379);
  ASSERT_OK_AND_ASSIGN(o, ParseRedisUrl("redis://[::1]:7000"));
  EXPECT_EQ(o.host, "::1");
  EXPECT_EQ(o.port, 7000);
}

TEST(RedisUrlTest, Credentials) {
  ASSERT_OK_AND_ASSIGN(RedisOptions o, ParseRedisUrl("redis://svc:p@ss:w0rd@r1:6379/1"));
  EXPECT_EQ(o.user, "svc");
  EXPECT_EQ(o.password, "p@ss:w0rd");
  EXPECT_EQ(o.host, "r1");
  EXPECT_EQ(o.db, 1);
  ASSERT_OK_AND_ASSIGN(o, ParseRedisUrl("redis://:secret@r1:6379"));
  EXPECT_EQ(o.user, "");
  EXPECT_EQ(o.password, "secret");
  ASSERT_OK_AND_ASSIGN(o, ParseRedisUrl("redis-cluster://analytics:pw@a:7000,b:7001"));
  EXPECT_EQ(o.user, "analytics");
  EXPECT_EQ(o.password, "pw");
  ASSERT_EQ(o.seeds.size(), 2u);
}

TEST(RedisUrlTest, Cluster) {
  ASSERT_OK_AND_ASSIGN(RedisOptions o,
                       ParseRedisUrl("redis-cluster://10.0.0.1:7000,10.0.0.2:7001,redis-3"));
  EXPECT_TRUE(o.cluster);
  ASSERT_EQ(o.seeds.size(), 3u);
  EXPECT_EQ(o.seeds[0].host, "10.0.0.1");
  EXPECT_EQ(o.seeds[0].port, 7000);
  EXPECT_EQ(o.seeds[1].host, "10.0.0.2");
  EXPECT_EQ(o.seeds[1].port, 7001);
  EXPECT_EQ(o.seeds[2].host, "redis-3");
  EXPECT_EQ(o.seeds[2].port, 6379);
}

TEST(RedisUrlTest, Rejects) {
  const absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_THAT(ParseRedisUrl("http://x:1"), StatusIs(kInvalid, "--redis: expected redis://"));
  EXPECT_THAT(ParseRedisUrl("redis://x:99999"), StatusIs(kInvalid, "bad port"));
  EXPECT_THAT(ParseRedisUrl("redis://x:"), StatusIs(kInvalid, "bad port"));
  EXPECT_THAT(ParseRedisUrl("redis://:6379"), StatusIs(kInvalid, "missing host"));
  EXPECT_THAT(ParseRedisUrl("redis://x:1/-1"), StatusIs(kInvalid, "bad database"));
  EXPECT_THAT(ParseRedisUrl("redis://a:1,b:2"), StatusIs(kInvalid, "redis-cluster://"));
  EXPECT_THAT(ParseRedisUrl("redis-cluster://a:1/2"), StatusIs(kInvalid, "only database 0"));
  EXPECT_THAT(ParseRedisUrl("redis-cluster://a:1,,b:2"), StatusIs(kInvalid, "empty seed node"));
  EXPECT_THAT(ParseRedisUrl("redis-cluster://"), StatusIs(kInvalid, "empty seed node"));
  EXPECT_THAT(ParseRedisUrl("redis-cluster://a:1,b:x"), StatusIs(kInvalid, "bad port"));
  EXPECT_THAT(ParseRedisUrl("redis://user@r1:6379"), StatusIs(kInvalid, "USER:PASSWORD@"));
  EXPECT_THAT(ParseRedisUrl("redis://user:@r1:6379"), StatusIs(kInvalid, "empty password"));
  EXPECT_THAT(ParseRedisUrl("redis://[::1:6379"), StatusIs(kInvalid, "unclosed ["));
  // The password is never quoted back.
  absl::Status s = ParseRedisUrl("rediss://u:hunter2@x:1").status();
  EXPECT_EQ(s.message().find("hunter2"), absl::string_view::npos) << s;
  s = ParseRedisUrl("redis://u:hunter2@x:99999").status();
  EXPECT_EQ(s.message().find("hunter2"), absl::string_view::npos) << s;
}

}  // namespace
}  // namespace bulletin
