// The consumer-group reader of the event stream on a real Redis Cluster (label
// redis-cluster): under a steady flow of XADDs, SIGKILL the master of `{bulletin}`; the
// reader follows the promoted replica and goes on handing out new entries. Printed: the
// entries acknowledged to the writer that the new master does not have (asynchronous
// replication; content's relay re-sends those), and how long the reader saw nothing.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "bulletin/events/v1/events.pb.h"
#include "common/redis/keys.h"
#include "common/redis/redis_slot.h"
#include "common/redis/stream_reader.h"
#include "common/testing/redis_cluster.h"
#include "common/testing/status_matchers.h"

namespace bulletin {
namespace {

TEST(StreamFailoverTest, TheConsumerGroupFollowsTheNewMaster) {
  ASSERT_OK_AND_ASSIGN(auto cluster, testing::RedisTestCluster::Start());
  RedisClient redis(cluster->options());
  absl::Mutex mu;
  std::set<std::string> handled;  // event ids
  absl::Time last_handled = absl::Now();
  absl::Duration longest_quiet;
  ConsumerGroupOptions options;
  options.group = "drill";
  options.consumer = "c1";
  options.block = absl::Milliseconds(200);
  ConsumerGroupReader reader(redis, options, [&](const std::vector<StreamEntry>& batch) {
    absl::MutexLock lock(&mu);
    for (const StreamEntry& e : batch) {
      if (e.event) handled.insert(e.event->event_id());
    }
    longest_quiet = std::max(longest_quiet, absl::Now() - last_handled);
    last_handled = absl::Now();
    return absl::OkStatus();
  });
  reader.Start();

  std::atomic<bool> stop{false};
  std::atomic<int> failed{0};
  std::vector<std::string> acked;  // written by the writer thread only
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      events::v1::ArticleEvent event;
      event.set_event_id(absl::StrCat("e", i));
      absl::StatusOr<RedisReply> r = redis.Command(
          {"XADD", keys::kEventStream, "*", keys::kFieldEvent, event.SerializeAsString()});
      if (r.ok()) {
        acked.push_back(event.event_id());
      } else {
        ++failed;
      }
      absl::SleepFor(absl::Milliseconds(2));
    }
  });
  auto join = absl::MakeCleanup([&] {
    stop = true;
    writer.join();
  });
  absl::SleepFor(absl::Seconds(1));
  const int slot = KeySlot(keys::kEventStream);
  ASSERT_OK_AND_ASSIGN(const int master, cluster->MasterOfSlot(slot));
  const absl::Time killed = absl::Now();
  cluster->Kill(master);
  ASSERT_OK(cluster->WaitForNewMaster(slot, master, absl::Seconds(20)).status());
  const absl::Duration failover = absl::Now() - killed;
  absl::SleepFor(absl::Seconds(2));
  std::move(join).Invoke();
  // Everything the new master has is handed out.
  ASSERT_OK_AND_ASSIGN(RedisReply length, redis.Command({"XLEN", keys::kEventStream}));
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        absl::MutexLock lock(&mu);
        return static_cast<long long>(handled.size()) >= length.integer;
      },
      absl::Seconds(15)));
  reader.Stop();
  size_t lost = 0;
  {
    absl::MutexLock lock(&mu);
    for (const std::string& id : acked) lost += handled.count(id) == 0;
    std::printf(
        "stream failover drill: replica promoted after %s; %zu XADDs acknowledged, %d failed, "
        "%lld entries on the new master, %zu handled; %zu acknowledged entries lost; longest "
        "time the reader handed out nothing: %s\n",
        absl::FormatDuration(failover).c_str(), acked.size(), failed.load(), length.integer,
        handled.size(), lost, absl::FormatDuration(longest_quiet).c_str());
    EXPECT_EQ(static_cast<long long>(handled.size()), length.integer);
  }
  EXPECT_LT(failover, absl::Seconds(10));
  EXPECT_GT(length.integer, 0);
}

}  // namespace
}  // namespace bulletin
