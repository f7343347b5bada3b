// The stream follower against a real Redis (TestRedis: one redis-server, or a 3 + 3 node
// Redis Cluster under the redis-cluster label): it starts at the tail (what was there
// before is not handed over) or, asked to, at the start, hands over every later entry in
// order, follows new entries from its thread, and reports a gap once it reads again after
// Redis went away; on a cluster it follows the stream to the new master after a SIGKILL of
// its master. Going on from the last entry read after an outage (`resume`) is tested with
// its user, bulletin-web (services/web/tests/events_test.cc).
#include "common/redis/stream_follower.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/redis/keys.h"
#include "common/redis/redis_slot.h"
#include "common/testing/redis_cluster.h"
#include "common/testing/status_matchers.h"

namespace bulletin {
namespace {

class StreamFollowerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(server_, testing::TestRedis::Start());
    redis_ = std::make_unique<RedisClient>(server_->options());
  }

  void Publish(const std::string& event_id) {
    events::v1::ArticleEvent e;
    e.set_event_id(event_id);
    e.mutable_article()->set_id("a1");
    ASSERT_OK(redis_->Command(
        {"XADD", keys::kEventStream, "*", keys::kFieldEvent, e.SerializeAsString()}));
  }

  StreamFollower::EntriesHandler Collect() {
    return [this](const std::vector<StreamEntry>& batch) {
      absl::MutexLock lock(&mu_);
      for (const StreamEntry& e : batch) seen_.push_back(e.event->event_id());
    };
  }

  std::vector<std::string> Seen() {
    absl::MutexLock lock(&mu_);
    return seen_;
  }

  bool WaitSeen(size_t n, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return seen_.size() >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
  }

  StreamFollowerOptions Options() {
    StreamFollowerOptions o;
    o.block = absl::Milliseconds(100);
    o.batch = 2;
    return o;
  }

  std::unique_ptr<testing::TestRedis> server_;
  std::unique_ptr<RedisClient> redis_;
  absl::Mutex mu_;
  std::vector<std::string> seen_ ABSL_GUARDED_BY(mu_);
};

TEST_F(StreamFollowerTest, StartsAtTheTailAndHandsOverLaterEntriesInOrder) {
  Publish("before");
  StreamFollower follower(*redis_, Options(), Collect(), [] {});
  ASSERT_OK_AND_ASSIGN(int n, follower.Poll());
  EXPECT_EQ(n, 0);
  for (const char* id : {"e1", "e2", "e3", "e4", "e5"}) Publish(id);
  ASSERT_OK_AND_ASSIGN(n, follower.Poll());  // batches of 2: reads until drained
  EXPECT_EQ(n, 5);
  EXPECT_EQ(Seen(), (std::vector<std::string>{"e1", "e2", "e3", "e4", "e5"}));
  ASSERT_OK_AND_ASSIGN(n, follower.Poll());
  EXPECT_EQ(n, 0);
}

TEST_F(StreamFollowerTest, FromStartHandsOverTheRetainedEntriesFirst) {
  Publish("before1");
  Publish("before2");
  StreamFollowerOptions options = Options();
  options.from_start = true;
  StreamFollower follower(*redis_, options, Collect(), [] {});
  ASSERT_OK(follower.Poll().status());
  Publish("after");
  ASSERT_OK_AND_ASSIGN(int n, follower.Poll());
  EXPECT_EQ(n, 3);
  EXPECT_EQ(Seen(), (std::vector<std::string>{"before1", "before2", "after"}));
}

TEST_F(StreamFollowerTest, StartsOnAnEmptyStream) {
  StreamFollower follower(*redis_, Options(), Collect(), [] {});
  ASSERT_OK(follower.Poll().status());
  Publish("first");
  ASSERT_OK_AND_ASSIGN(int n, follower.Poll());
  EXPECT_EQ(n, 1);
}

TEST_F(StreamFollowerTest, ThreadFollowsAndReportsAGapAfterRedisWasGone) {
  std::atomic<int> gaps{0};
  StreamFollower follower(*redis_, Options(), Collect(), [&] { ++gaps; });
  follower.Start();
  // The thread finds the tail first; publish until it has seen one entry.
  for (int i = 0; i < 50 && Seen().empty(); ++i) {
    Publish("e" + std::to_string(i));
    WaitSeen(1, absl::Milliseconds(100));
  }
  ASSERT_FALSE(Seen().empty());
  EXPECT_EQ(gaps.load(), 0);

  server_->Kill();
  absl::SleepFor(absl::Milliseconds(300));  // the follower fails to read at least once
  ASSERT_OK(server_->Restart());
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (gaps.load() == 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(gaps.load(), 1);

  // And it follows the stream again.
  const size_t before = Seen().size();
  for (int i = 0; i < 50 && Seen().size() == before; ++i) {
    Publish("after" + std::to_string(i));
    WaitSeen(before + 1, absl::Milliseconds(100));
  }
  EXPECT_GT(Seen().size(), before);
  follower.Stop();
}

TEST_F(StreamFollowerTest, ThreadFollowsTheStreamToTheNewMasterAfterAFailover) {
  if (!server_->is_cluster()) GTEST_SKIP() << "a failover needs a cluster";
  std::atomic<int> gaps{0};
  StreamFollower follower(*redis_, Options(), Collect(), [&] { ++gaps; });
  follower.Start();
  for (int i = 0; i < 50 && Seen().empty(); ++i) {
    Publish("e" + std::to_string(i));
    WaitSeen(1, absl::Milliseconds(100));
  }
  ASSERT_FALSE(Seen().empty());
  const int slot = KeySlot(keys::kEventStream);
  ASSERT_OK_AND_ASSIGN(const int master, server_->cluster()->MasterOfSlot(slot));
  server_->cluster()->Kill(master);
  ASSERT_OK(server_->cluster()->WaitForNewMaster(slot, master, absl::Seconds(20)).status());
  // Reading the stream on its new master: what is added now is handed over.
  const size_t before = Seen().size();
  for (int i = 0; i < 100 && Seen().size() == before; ++i) {
    Publish("after" + std::to_string(i));
    WaitSeen(before + 1, absl::Milliseconds(100));
  }
  EXPECT_GT(Seen().size(), before);
  // A read cut by the kill is a gap (reported once); one that only found the node gone
  // went to the new master without a gap.
  EXPECT_LE(gaps.load(), 1);
  follower.Stop();
}

}  // namespace
}  // namespace bulletin
