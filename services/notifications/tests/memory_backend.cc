// The store suites against the in-memory fakes (label unit: no redis-server, no network).
// GoDown switches the fault injector on, so the suites also check the wrappers.
#include <gtest/gtest.h>

#include <memory>

#include "services/notifications/store/memory/fault_injection.h"
#include "services/notifications/store/memory/memory_delivery_store.h"
#include "services/notifications/store/memory/memory_event_log.h"
#include "services/notifications/store/memory/memory_subscription_store.h"
#include "services/notifications/tests/store_backend.h"

namespace bulletin::notify::testing {
namespace {

class MemoryBackend : public StoreBackend {
 public:
  explicit MemoryBackend(absl::Duration retention)
      : subscriptions_(log_), deliveries_(subscriptions_, retention) {}

  SubscriptionStore& subscriptions() override { return faulty_subscriptions_; }
  DeliveryStore& deliveries() override { return faulty_deliveries_; }
  EventLog& log() override { return faulty_log_; }

  StreamId Append(const events::v1::ArticleEvent& event) override { return log_.Append(event); }
  StreamId AppendUndecodable() override { return log_.Append(nullptr); }
  void Trim(size_t max_len) override { log_.Trim(max_len); }
  void Delete(const StreamId& id) override { log_.Delete(id); }
  void GoDown() override { faults_.FailAll(true); }

 private:
  MemoryEventLog log_;
  MemorySubscriptionStore subscriptions_;
  MemoryDeliveryStore deliveries_;
  FaultInjector faults_;
  FaultySubscriptionStore faulty_subscriptions_{subscriptions_, faults_};
  FaultyDeliveryStore faulty_deliveries_{deliveries_, faults_};
  FaultyEventLog faulty_log_{log_, faults_};
};

const BackendParam kMemory{
    "Memory", [](absl::Duration retention) { return std::make_unique<MemoryBackend>(retention); }};

INSTANTIATE_TEST_SUITE_P(Memory, SubscriptionStoreTest, ::testing::Values(kMemory), BackendName);
INSTANTIATE_TEST_SUITE_P(Memory, DeliveryStoreTest, ::testing::Values(kMemory), BackendName);
INSTANTIATE_TEST_SUITE_P(Memory, EventLogTest, ::testing::Values(kMemory), BackendName);

}  // namespace
}  // namespace bulletin::notify::testing
