// The cluster client against a real 3 + 3 node Redis Cluster (common/testing/
// redis_cluster.h): slots agree with CLUSTER KEYSLOT, commands and pipelines reach the
// master of their slot and answer in order, CROSSSLOT is refused before sending, MOVED and
// ASK are followed, scripts are loaded per node, a blocking stream read waits on the
// stream's node, and a failover is followed (what it costs is printed).
#include "common/testing/redis_cluster.h"

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/redis/redis_client.h"
#include "common/redis/redis_slot.h"
#include "common/testing/status_matchers.h"

namespace bulletin {
namespace {

using ::bulletin::testing::RedisTestCluster;
using ::bulletin::testing::StatusIs;

class RedisClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(cluster_, RedisTestCluster::Start());
    client_ = std::make_unique<RedisClient>(cluster_->options());
  }

  // Calls of `command` (lower case, e.g. "mget") a node has served.
  int64_t Calls(int node, const std::string& command) {
    RedisClient direct(cluster_->NodeOptions(node));
    absl::StatusOr<RedisReply> info = direct.Command({"INFO", "commandstats"});
    if (!info.ok()) return -1;
    const std::string tag = "cmdstat_" + command + ":calls=";
    size_t at = info->str.find(tag);
    if (at == std::string::npos) return 0;
    return std::atoll(info->str.c_str() + at + tag.size());
  }

  std::string NodeId(int node) {
    RedisClient direct(cluster_->NodeOptions(node));
    absl::StatusOr<RedisReply> id = direct.Command({"CLUSTER", "MYID"});
    return id.ok() ? id->str : "";
  }

  // Assigns `slot` (holding no keys) to `to` on every master, as a resharding ends.
  void MoveEmptySlot(int slot, int to) {
    const std::string id = NodeId(to);
    for (int n = 0; n < cluster_->size(); ++n) {
      RedisClient direct(cluster_->NodeOptions(n));
      ASSERT_OK_AND_ASSIGN(RedisReply role, direct.Command({"ROLE"}));
      if (role.elements[0].str != "master") continue;
      ASSERT_OK(direct.Command({"CLUSTER", "SETSLOT", absl::StrCat(slot), "NODE", id}));
    }
  }

  std::unique_ptr<RedisTestCluster> cluster_;
  std::unique_ptr<RedisClient> client_;
};

TEST_F(RedisClusterTest, KeySlotAgreesWithClusterKeyslot) {
  std::mt19937 rng(20261203);
  const std::string alphabet = "ab{}:{}xyz01\x7f\xff{}";
  std::vector<std::string> keys = {"",           "{",         "}",          "{}",
                                   "{}x",        "x{}",       "{bulletin}", "{bulletin}:events",
                                   "{a:0190}:v", "a{b}c{d}e", "{{x}}",      "}{"};
  for (int i = 0; i < 3000; ++i) {
    std::string key;
    const int len = static_cast<int>(rng() % 24);
    for (int j = 0; j < len; ++j) key.push_back(alphabet[rng() % alphabet.size()]);
    keys.push_back(key);
  }
  std::vector<RedisArgv> asks;
  for (const std::string& key : keys) asks.push_back({"CLUSTER", "KEYSLOT", key});
  RedisClient node(cluster_->NodeOptions(0));
  ASSERT_OK_AND_ASSIGN(std::vector<RedisReply> slots, node.Pipeline(asks));
  for (size_t i = 0; i < keys.size(); ++i) {
    ASSERT_EQ(slots[i].type, RedisReply::Type::kInteger) << DebugString(slots[i]);
    EXPECT_EQ(KeySlot(keys[i]), slots[i].integer) << "key " << absl::CEscape(keys[i]);
  }
}

TEST_F(RedisClusterTest, PipelinesSpanNodesAndAnswerInOrder) {
  std::vector<RedisArgv> writes;
  for (int i = 0; i < 300; ++i) writes.push_back({"INCRBY", absl::StrCat("k", i), absl::StrCat(i)});
  writes.push_back({"PING"});
  ASSERT_OK_AND_ASSIGN(std::vector<RedisReply> r, client_->Pipeline(writes));
  ASSERT_EQ(r.size(), writes.size());
  for (int i = 0; i < 300; ++i) EXPECT_EQ(r[i].integer, i) << DebugString(r[i]);
  EXPECT_EQ(r.back().str, "PONG");
  // The keys really are spread over the three masters.
  int masters_with_keys = 0;
  for (int n = 0; n < cluster_->size(); ++n) {
    RedisClient direct(cluster_->NodeOptions(n));
    ASSERT_OK_AND_ASSIGN(RedisReply role, direct.Command({"ROLE"}));
    if (role.elements[0].str != "master") continue;
    ASSERT_OK_AND_ASSIGN(RedisReply size, direct.Command({"DBSIZE"}));
    EXPECT_GT(size.integer, 50);
    ++masters_with_keys;
  }
  EXPECT_EQ(masters_with_keys, 3);
  ASSERT_OK_AND_ASSIGN(RedisReply got, client_->Command({"GET", "k299"}));
  EXPECT_EQ(got.str, "299");
}

TEST_F(RedisClusterTest, CrossSlotIsRefusedBeforeSending) {
  ASSERT_OK(client_->Command({"SET", "foo", "1"}));
  EXPECT_THAT(client_->Command({"MGET", "foo", "bar"}),
              StatusIs(absl::StatusCode::kInternal, "CROSSSLOT"));
  ASSERT_OK_AND_ASSIGN(std::vector<RedisReply> r,
                       client_->Pipeline({{"GET", "foo"}, {"MGET", "foo", "bar"}, {"GET", "foo"}}));
  EXPECT_EQ(r[0].str, "1");
  EXPECT_TRUE(r[1].is_error());
  EXPECT_TRUE(absl::StartsWith(r[1].str, "CROSSSLOT")) << r[1].str;
  EXPECT_EQ(r[2].str, "1");
  for (int n = 0; n < cluster_->size(); ++n) EXPECT_EQ(Calls(n, "mget"), 0) << "node " << n;
  // One hash tag: one slot, accepted.
  ASSERT_OK(client_->Command({"MGET", "{t}a", "{t}b"}));
}

TEST_F(RedisClusterTest, FollowsMoved) {
  const std::string key = "{moved}k";
  const int slot = KeySlot(key);
  ASSERT_OK(client_->Command({"GET", key}));  // the client knows the slot's master
  ASSERT_OK_AND_ASSIGN(int from, cluster_->MasterOfSlot(slot));
  int to = -1;
  for (int s : {0, 8000, 16000}) {
    ASSERT_OK_AND_ASSIGN(int m, cluster_->MasterOfSlot(s));
    if (m != from) to = m;
  }
  ASSERT_GE(to, 0);
  MoveEmptySlot(slot, to);
  ASSERT_OK(client_->Command({"SET", key, "v"}));  // MOVED, then sent to `to`
  RedisClient direct(cluster_->NodeOptions(to));
  ASSERT_OK_AND_ASSIGN(RedisReply got, direct.Command({"GET", key}));
  EXPECT_EQ(got.str, "v");
}

TEST_F(RedisClusterTest, FollowsAsk) {
  const std::string key = "{asked}k";
  const std::string slot = absl::StrCat(KeySlot(key));
  ASSERT_OK(client_->Command({"GET", key}));
  ASSERT_OK_AND_ASSIGN(int from, cluster_->MasterOfSlot(KeySlot(key)));
  int to = -1;
  for (int s : {0, 8000, 16000}) {
    ASSERT_OK_AND_ASSIGN(int m, cluster_->MasterOfSlot(s));
    if (m != from) to = m;
  }
  RedisClient source(cluster_->NodeOptions(from)), target(cluster_->NodeOptions(to));
  ASSERT_OK(target.Command({"CLUSTER", "SETSLOT", slot, "IMPORTING", NodeId(from)}));
  ASSERT_OK(source.Command({"CLUSTER", "SETSLOT", slot, "MIGRATING", NodeId(to)}));
  // The key is not on the source: it answers ASK, and the key is written on the target.
  ASSERT_OK(client_->Command({"SET", key, "v"}));
  ASSERT_OK_AND_ASSIGN(std::vector<RedisReply> on_target,
                       target.Pipeline({{"ASKING"}, {"GET", key}}));
  EXPECT_EQ(on_target[1].str, "v");
  EXPECT_GE(Calls(to, "asking"), 2);  // the client's and ours
  MoveEmptySlot(KeySlot(key), to);
  ASSERT_OK_AND_ASSIGN(RedisReply got, client_->Command({"GET", key}));
  EXPECT_EQ(got.str, "v");
}

TEST_F(RedisClusterTest, ScriptsAreLoadedPerNode) {
  const std::string script = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
  for (int round = 1; round <= 2; ++round) {
    for (const char* key : {"{a}n", "{b}n", "{c}n", "{d}n", "{e}n"}) {
      ASSERT_OK_AND_ASSIGN(RedisReply r, client_->Eval(script, {key}, {"5"}));
      EXPECT_EQ(r.integer, 5 * round);
    }
  }
  int64_t evals = 0, evalshas = 0;
  for (int n = 0; n < cluster_->size(); ++n) {
    evals += Calls(n, "eval");
    evalshas += Calls(n, "evalsha");
  }
  EXPECT_EQ(evals, 3);  // one load per master: NOSCRIPT once on each
  EXPECT_EQ(evalshas, 10);
  ASSERT_OK(client_->Command({"SCRIPT", "FLUSH"}));  // on every master
  ASSERT_OK_AND_ASSIGN(RedisReply r, client_->Eval(script, {"{a}n"}, {"1"}));
  EXPECT_EQ(r.integer, 11);
}

TEST_F(RedisClusterTest, BlockingStreamReadWaitsOnTheStreamsNode) {
  const std::string stream = "{bulletin}:events";
  absl::StatusOr<RedisReply> read;
  std::thread reader([&] {
    read = client_->BlockingCommand({"XREAD", "BLOCK", "5000", "STREAMS", stream, "$"},
                                    absl::Seconds(7));
  });
  absl::SleepFor(absl::Milliseconds(300));
  ASSERT_OK(client_->Command({"XADD", stream, "*", "event", "e1"}));
  reader.join();
  ASSERT_OK(read);
  ASSERT_EQ(read->elements.size(), 1u) << DebugString(*read);
  EXPECT_EQ(read->elements[0].elements[0].str, stream);
}

TEST_F(RedisClusterTest, KeylessCommandsRunWhereTheirKeyLives) {
  ASSERT_OK_AND_ASSIGN(const int master, cluster_->MasterOfSlot(KeySlot("{bulletin}:events")));
  ASSERT_OK_AND_ASSIGN(RedisReply info,
                       client_->CommandWhere("{bulletin}:events", {"INFO", "server"}));
  EXPECT_TRUE(absl::StrContains(info.str, absl::StrCat("tcp_port:", cluster_->port(master))))
      << "expected the node on port " << cluster_->port(master);
  // WAIT after XADD in one pipeline: on the stream's master, which has one replica.
  ASSERT_OK_AND_ASSIGN(
      std::vector<RedisReply> r,
      client_->Pipeline({{"XADD", "{bulletin}:events", "*", "f", "v"}, {"WAIT", "1", "2000"}}));
  EXPECT_EQ(r[1].integer, 1) << DebugString(r[1]);
}

TEST_F(RedisClusterTest, AKeylessCommandGoesAgainWithTheCommandRedirectedBeforeIt) {
  // The client's map still names `from` for the stream's slot when it has moved to `to`:
  // the XADD is answered MOVED and written on `to`; the WAIT after it must wait there too
  // (answered by `from`, it would count replicas of writes that are not the XADD).
  const std::string stream = "{waited}:events";
  const int slot = KeySlot(stream);
  ASSERT_OK(client_->Command({"XLEN", stream}));  // the client knows the slot's master
  ASSERT_OK_AND_ASSIGN(const int from, cluster_->MasterOfSlot(slot));
  int to = -1;
  for (int s : {0, 8000, 16000}) {
    ASSERT_OK_AND_ASSIGN(int m, cluster_->MasterOfSlot(s));
    if (m != from) to = m;
  }
  ASSERT_GE(to, 0);
  MoveEmptySlot(slot, to);
  const int64_t waits_before = Calls(to, "wait");
  ASSERT_OK_AND_ASSIGN(std::vector<RedisReply> r,
                       client_->Pipeline({{"XADD", stream, "*", "f", "v"}, {"WAIT", "1", "2000"}}));
  ASSERT_FALSE(r[0].is_error()) << DebugString(r[0]);
  EXPECT_EQ(r[1].integer, 1) << DebugString(r[1]);
  EXPECT_EQ(Calls(to, "wait"), waits_before + 1) << "the WAIT ran where the XADD did";
  RedisClient direct(cluster_->NodeOptions(to));
  ASSERT_OK_AND_ASSIGN(RedisReply length, direct.Command({"XLEN", stream}));
  EXPECT_EQ(length.integer, 1);
}

TEST_F(RedisClusterTest, AClusterWhollyDownIsUnavailableAtOnce) {
  ASSERT_OK(client_->Command({"SET", "k", "v"}));
  for (int n = 0; n < cluster_->size(); ++n) cluster_->Kill(n);
  const absl::Time start = absl::Now();
  EXPECT_THAT(client_->Command({"GET", "k"}), StatusIs(absl::StatusCode::kUnavailable));
  // Not the failover wait (RedisOptions::cluster_retry): no node answers at all.
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
}

TEST_F(RedisClusterTest, FlushAllReachesEveryMaster) {
  for (int i = 0; i < 50; ++i) ASSERT_OK(client_->Command({"SET", absl::StrCat("f", i), "1"}));
  ASSERT_OK(client_->Command({"FLUSHALL"}));
  for (int i = 0; i < 50; ++i) {
    ASSERT_OK_AND_ASSIGN(RedisReply r, client_->Command({"GET", absl::StrCat("f", i)}));
    EXPECT_TRUE(r.is_nil());
  }
}

// SIGKILL the master of `{bulletin}` under a steady load of INCRs: the client follows the
// promoted replica, and the counter on it is short of the acknowledged INCRs by what
// asynchronous replication had not shipped (printed: the figure docs/operations.md states).
TEST_F(RedisClusterTest, FailoverIsFollowed) {
  const std::string counter = "{bulletin}:drill";
  const int slot = KeySlot(counter);
  ASSERT_OK_AND_ASSIGN(const int master, cluster_->MasterOfSlot(slot));
  std::atomic<bool> stop{false};
  std::atomic<int64_t> acked{0}, failed{0};
  absl::Time killed_at = absl::InfiniteFuture();
  absl::Mutex mu;
  absl::Duration longest_gap = absl::ZeroDuration();
  std::thread load([&] {
    absl::Time last_ok = absl::Now();
    while (!stop.load()) {
      absl::StatusOr<RedisReply> r = client_->Command({"INCR", counter});
      if (r.ok()) {
        ++acked;
        const absl::Time now = absl::Now();
        absl::MutexLock lock(&mu);
        longest_gap = std::max(longest_gap, now - last_ok);
        last_ok = now;
      } else {
        ++failed;
      }
      absl::SleepFor(absl::Milliseconds(1));
    }
  });
  auto join = absl::MakeCleanup([&] {
    stop = true;
    load.join();
  });
  absl::SleepFor(absl::Seconds(1));
  const int64_t before_kill = acked.load();
  killed_at = absl::Now();
  cluster_->Kill(master);
  ASSERT_OK_AND_ASSIGN(const int promoted,
                       cluster_->WaitForNewMaster(slot, master, absl::Seconds(20)));
  const absl::Duration failover = absl::Now() - killed_at;
  // Load goes on against the new master.
  const int64_t at_promotion = acked.load();
  ASSERT_TRUE(
      testing::WaitUntil([&] { return acked.load() > at_promotion + 100; }, absl::Seconds(10)));
  std::move(join).Invoke();
  ASSERT_OK_AND_ASSIGN(RedisReply value, client_->Command({"GET", counter}));
  int64_t stored = 0;
  ASSERT_TRUE(absl::SimpleAtoi(value.str, &stored));
  const int64_t lost = acked.load() - stored;
  absl::MutexLock lock(&mu);
  std::printf(
      "failover drill: master %d killed after %lld acknowledged INCRs; node %d promoted after "
      "%s; longest time without an answer %s; %lld calls failed; %lld acknowledged, %lld "
      "stored: %lld acknowledged increments lost\n",
      master, static_cast<long long>(before_kill), promoted, absl::FormatDuration(failover).c_str(),
      absl::FormatDuration(longest_gap).c_str(), static_cast<long long>(failed.load()),
      static_cast<long long>(acked.load()), static_cast<long long>(stored),
      static_cast<long long>(lost));
  EXPECT_GE(lost, 0);  // nothing counted that was not acknowledged
  EXPECT_LT(failover, absl::Seconds(10));
  EXPECT_GT(acked.load(), before_kill);
}

}  // namespace
}  // namespace bulletin
