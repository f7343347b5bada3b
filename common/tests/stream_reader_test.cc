// The consumer-group reader against a real Redis (TestRedis: one redis-server, or a Redis
// Cluster under the redis-cluster label): a batch is acknowledged only after
// its handler succeeded, a refused batch is read again, a dead consumer's entries are
// claimed by another, undecodable entries are skipped, and a vanished group is recreated.
#include "common/redis/stream_reader.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>

#include "absl/synchronization/notification.h"
#include "common/redis/keys.h"
#include "common/testing/redis_cluster.h"
#include "common/testing/status_matchers.h"

namespace bulletin {
namespace {

class StreamReaderTest : public ::testing::Test {
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

  int64_t Pending(const std::string& group) {
    absl::StatusOr<RedisReply> r = redis_->Command({"XPENDING", keys::kEventStream, group});
    EXPECT_OK(r);
    return r.ok() && !r->elements.empty() ? r->elements[0].integer : -1;
  }

  ConsumerGroupOptions Options(const std::string& consumer) {
    ConsumerGroupOptions o;
    o.group = "test";
    o.consumer = consumer;
    o.block = absl::Milliseconds(100);
    o.claim_idle = absl::Milliseconds(50);
    o.batch = 2;
    return o;
  }

  std::unique_ptr<testing::TestRedis> server_;
  std::unique_ptr<RedisClient> redis_;
};

TEST_F(StreamReaderTest, AcknowledgesOnlyWhatTheHandlerAccepted) {
  for (const char* id : {"e1", "e2", "e3"}) Publish(id);
  bool refuse = true;
  std::vector<std::string> seen;
  ConsumerGroupReader reader(*redis_, Options("c1"), [&](const std::vector<StreamEntry>& batch) {
    if (refuse) return absl::UnavailableError("store down");
    for (const StreamEntry& e : batch) seen.push_back(e.event->event_id());
    return absl::OkStatus();
  });
  EXPECT_THAT(reader.ProcessAvailable(),
              testing::StatusIs(absl::StatusCode::kUnavailable, "store down"));
  EXPECT_EQ(Pending("test"), 2);  // read, refused, not acknowledged
  refuse = false;
  ASSERT_OK_AND_ASSIGN(int handled, reader.ProcessAvailable());
  EXPECT_EQ(handled, 3);  // its own pending two again, then the third
  EXPECT_EQ(seen, (std::vector<std::string>{"e1", "e2", "e3"}));
  EXPECT_EQ(Pending("test"), 0);
}

TEST_F(StreamReaderTest, ClaimsWhatADeadConsumerLeftAndSkipsUndecodableEntries) {
  Publish("e1");
  ASSERT_OK(redis_->Command({"XADD", keys::kEventStream, "*", keys::kFieldEvent, "\xff\xfe"}));
  ConsumerGroupReader dead(*redis_, Options("dead"), [](const std::vector<StreamEntry>&) {
    return absl::UnavailableError("crashed before acknowledging");
  });
  EXPECT_FALSE(dead.ProcessAvailable().ok());
  ASSERT_EQ(Pending("test"), 2);
  absl::SleepFor(absl::Milliseconds(60));  // past claim_idle

  std::vector<std::string> seen;
  int undecodable = 0;
  ConsumerGroupReader live(*redis_, Options("live"), [&](const std::vector<StreamEntry>& batch) {
    for (const StreamEntry& e : batch) {
      if (e.event) {
        seen.push_back(e.event->event_id());
      } else {
        ++undecodable;
      }
    }
    return absl::OkStatus();
  });
  ASSERT_OK_AND_ASSIGN(int handled, live.ProcessAvailable());
  EXPECT_EQ(handled, 2);
  EXPECT_EQ(seen, std::vector<std::string>{"e1"});
  EXPECT_EQ(undecodable, 1);
  EXPECT_EQ(Pending("test"), 0);
}

TEST_F(StreamReaderTest, ThreadFollowsTheStreamAndRecreatesAVanishedGroup) {
  std::atomic<int> handled{0};
  absl::Mutex mu;
  std::set<std::string> ids;
  ConsumerGroupReader reader(*redis_, Options("c1"), [&](const std::vector<StreamEntry>& batch) {
    absl::MutexLock lock(&mu);
    for (const StreamEntry& e : batch) ids.insert(e.event->event_id());
    handled += static_cast<int>(batch.size());
    return absl::OkStatus();
  });
  reader.Start();
  Publish("e1");
  auto saw = [&](const std::string& id) {
    absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (absl::Now() < deadline) {
      {
        absl::MutexLock lock(&mu);
        if (ids.count(id)) return true;
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    return false;
  };
  EXPECT_TRUE(saw("e1"));
  ASSERT_OK(redis_->Command({"FLUSHALL"}));  // Redis lost its data: stream and group gone
  Publish("e2");
  EXPECT_TRUE(saw("e2"));
  reader.Stop();
  EXPECT_EQ(Pending("test"), 0);
}

}  // namespace
}  // namespace bulletin
