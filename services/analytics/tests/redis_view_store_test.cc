// RedisViewStore through the ViewStore suite, each test on a fresh redis-server (label
// redis) or, registered again with label redis-cluster, a fresh Redis Cluster (TestRedis).
#include "services/analytics/store/redis/redis_view_store.h"

#include <gtest/gtest.h>

#include "common/base/status_macros.h"
#include "common/redis/redis_client.h"
#include "common/testing/redis_cluster.h"
#include "services/analytics/tests/view_store_suite.h"

namespace bulletin::analytics {
namespace {

class RedisHarness : public ViewStoreHarness {
 public:
  static absl::StatusOr<std::unique_ptr<ViewStoreHarness>> Make(absl::Duration count_window) {
    ASSIGN_OR_RETURN(std::unique_ptr<testing::TestRedis> server, testing::TestRedis::Start());
    return std::unique_ptr<ViewStoreHarness>(new RedisHarness(std::move(server), count_window));
  }
  ViewStore& store() override { return store_; }
  // The site-wide updates wait for an hour unless flushed: reads see them only after this.
  absl::Status Flush() override { return store_.FlushSiteUpdates(); }

 private:
  RedisHarness(std::unique_ptr<testing::TestRedis> server, absl::Duration count_window)
      : server_(std::move(server)),
        redis_(server_->options()),
        store_(redis_, {count_window, absl::Hours(1)}) {}

  std::unique_ptr<testing::TestRedis> server_;
  RedisClient redis_;
  RedisViewStore store_;
};

INSTANTIATE_TEST_SUITE_P(Redis, ViewStoreSuite,
                         ::testing::Values(ViewStoreBackend{"Redis", RedisHarness::Make}),
                         BackendName);

}  // namespace
}  // namespace bulletin::analytics
