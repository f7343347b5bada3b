// The store suites against Redis (label redis): a redis-server started for each test, the
// Redis stores and event log over one client. GoDown kills the server. Registered again
// with label redis-cluster, the same tests run against a real Redis Cluster (TestRedis).
#include <gtest/gtest.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/redis/keys.h"
#include "common/testing/redis_cluster.h"
#include "services/notifications/events/redis_event_log.h"
#include "services/notifications/store/redis/redis_delivery_store.h"
#include "services/notifications/store/redis/redis_subscription_store.h"
#include "services/notifications/tests/store_backend.h"

namespace bulletin::notify::testing {
namespace {

using ::bulletin::keys::kEventStream;

class RedisBackend : public StoreBackend {
 public:
  static std::unique_ptr<StoreBackend> Start(absl::Duration retention) {
    absl::StatusOr<std::unique_ptr<bulletin::testing::TestRedis>> server =
        bulletin::testing::TestRedis::Start();
    EXPECT_TRUE(server.ok()) << server.status();
    if (!server.ok()) return nullptr;
    return std::unique_ptr<StoreBackend>(new RedisBackend(std::move(*server), retention));
  }

  SubscriptionStore& subscriptions() override { return subscriptions_; }
  DeliveryStore& deliveries() override { return deliveries_; }
  EventLog& log() override { return log_; }

  StreamId Append(const events::v1::ArticleEvent& event) override {
    return Add({"XADD", kEventStream, "*", "event", event.SerializeAsString(), "event_id",
                event.event_id(), "type", events::v1::ArticleEventType_Name(event.type()),
                "article_id", event.article().id()});
  }
  StreamId AppendUndecodable() override {
    return Add({"XADD", kEventStream, "*", "note", "no event field"});
  }
  void Trim(size_t max_len) override {
    EXPECT_TRUE(redis_.Command({"XTRIM", kEventStream, "MAXLEN", absl::StrCat(max_len)}).ok());
  }
  void Delete(const StreamId& id) override {
    EXPECT_TRUE(redis_.Command({"XDEL", kEventStream, id.ToString()}).ok());
  }
  void GoDown() override { server_->Kill(); }

 private:
  RedisBackend(std::unique_ptr<bulletin::testing::TestRedis> server, absl::Duration retention)
      : server_(std::move(server)),
        redis_(server_->options()),
        subscriptions_(redis_),
        deliveries_(redis_, retention),
        log_(redis_) {}

  StreamId Add(const RedisArgv& argv) {
    absl::StatusOr<RedisReply> r = redis_.Command(argv);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? StreamId::Parse(r->str).value_or(StreamId{}) : StreamId{};
  }

  std::unique_ptr<bulletin::testing::TestRedis> server_;
  RedisClient redis_;
  RedisSubscriptionStore subscriptions_;
  RedisDeliveryStore deliveries_;
  RedisEventLog log_;
};

const BackendParam kRedis{"Redis", RedisBackend::Start};

INSTANTIATE_TEST_SUITE_P(Redis, SubscriptionStoreTest, ::testing::Values(kRedis), BackendName);
INSTANTIATE_TEST_SUITE_P(Redis, DeliveryStoreTest, ::testing::Values(kRedis), BackendName);
INSTANTIATE_TEST_SUITE_P(Redis, EventLogTest, ::testing::Values(kRedis), BackendName);

}  // namespace
}  // namespace bulletin::notify::testing
