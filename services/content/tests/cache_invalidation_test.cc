// Cache coherence between content replicas (events/cache_invalidation.h) against a real
// Redis (TestRedis: one redis-server under label redis, a 3 + 3 node Redis Cluster under
// redis-cluster): an event on the stream, written by another replica's relay, drops this
// replica's cached copy of that article and no other; after Redis was away the whole cache
// is dropped (events may have passed unseen), and events are followed again.
#include "services/content/events/cache_invalidation.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "bulletin/events/v1/events.pb.h"
#include "common/redis/keys.h"
#include "common/testing/process.h"
#include "common/testing/redis_cluster.h"
#include "common/testing/status_matchers.h"

namespace bulletin::content {
namespace {

class CacheInvalidationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(redis_, testing::TestRedis::Start());
    client_ = std::make_unique<RedisClient>(redis_->options());
    StreamFollowerOptions options;
    options.block = absl::Milliseconds(100);
    invalidator_ = CacheInvalidator(*client_, cache_, options);
    invalidator_->Start();
  }
  void TearDown() override {
    if (invalidator_) invalidator_->Stop();
  }

  void Cache(const std::string& id) {
    Article a;
    a.id = id;
    a.slug = "slug-" + id;
    cache_.Put(a, cache_.Generation(), absl::Now());
  }
  bool Cached(const std::string& id) { return cache_.Get(id, absl::Now()).has_value(); }

  // What another replica's relay writes for an article.
  void Event(const std::string& id) {
    events::v1::ArticleEvent e;
    e.set_event_id("ev-" + id + "-" + std::to_string(++events_));
    e.set_type(events::v1::ARTICLE_EVENT_TYPE_UPDATED);
    e.mutable_article()->set_id(id);
    ASSERT_OK(client_->Command({"XADD", keys::kEventStream, "*", keys::kFieldEvent,
                                e.SerializeAsString(), keys::kFieldArticleId, id}));
  }

  // The follower starts at the tail it finds: cache `id` and write its event until the
  // follower has read one and dropped the copy.
  bool EventDrops(const std::string& id) {
    for (int i = 0; i < 50; ++i) {
      Cache(id);
      Event(id);
      if (testing::WaitUntil([&] { return !Cached(id); }, absl::Milliseconds(200))) return true;
    }
    return false;
  }

  std::unique_ptr<testing::TestRedis> redis_;
  std::unique_ptr<RedisClient> client_;
  ArticleCache cache_{100, absl::Hours(1)};
  std::unique_ptr<StreamFollower> invalidator_;
  int events_ = 0;
};

TEST_F(CacheInvalidationTest, AnEventDropsThatArticleOnly) {
  Cache("other");
  ASSERT_TRUE(EventDrops("changed"));
  EXPECT_TRUE(Cached("other"));
  EXPECT_EQ(cache_.size(), 1u);
}

TEST_F(CacheInvalidationTest, AfterARedisOutageTheWholeCacheIsDroppedAndEventsFollowedAgain) {
  ASSERT_TRUE(EventDrops("first"));  // following
  Cache("a");
  Cache("b");
  redis_->Kill();                           // every node of a cluster
  absl::SleepFor(absl::Milliseconds(300));  // the follower fails to read at least once
  ASSERT_OK(redis_->Restart());
  EXPECT_TRUE(testing::WaitUntil([&] { return cache_.size() == 0; }, absl::Seconds(15)))
      << cache_.size() << " entries kept";
  EXPECT_TRUE(EventDrops("after"));
}

}  // namespace
}  // namespace bulletin::content
