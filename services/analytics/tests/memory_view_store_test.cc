// MemoryViewStore through the ViewStore suite, and FaultyViewStore's faults over it.
#include "services/analytics/store/memory/memory_view_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/testing/status_matchers.h"
#include "services/analytics/store/memory/faulty_view_store.h"
#include "services/analytics/tests/view_store_suite.h"

namespace bulletin::analytics {
namespace {

using ::bulletin::testing::StatusIs;

class MemoryHarness : public ViewStoreHarness {
 public:
  explicit MemoryHarness(absl::Duration count_window) : store_({count_window}) {}
  ViewStore& store() override { return store_; }
  absl::Status Flush() override { return absl::OkStatus(); }  // nothing is deferred

 private:
  MemoryViewStore store_;
};

INSTANTIATE_TEST_SUITE_P(
    Memory, ViewStoreSuite,
    ::testing::Values(ViewStoreBackend{
        "Memory",
        [](absl::Duration count_window) -> absl::StatusOr<std::unique_ptr<ViewStoreHarness>> {
          return std::make_unique<MemoryHarness>(count_window);
        }}),
    BackendName);

TEST(MemoryViewStoreTest, MarkersExpireByTheInjectedClock) {
  absl::Time now = absl::FromUnixSeconds(1700000000);
  MemoryViewStore store({absl::Minutes(30), [&] { return now; }});
  const ResolvedView view{"a", "v:alice", "req-1", now};
  ASSERT_OK_AND_ASSIGN(auto r, store.Record({view}, now));
  EXPECT_TRUE(r[0].counted);
  now += absl::Minutes(31);
  ResolvedView again = view;
  again.request_id = "req-2";
  ASSERT_OK_AND_ASSIGN(r, store.Record({again}, now));
  EXPECT_TRUE(r[0].counted) << "the count window is over";
  ASSERT_OK_AND_ASSIGN(r, store.Record({view}, now));
  EXPECT_EQ(r[0].reason, NotCounted::kDuplicateRequest) << "the request id is remembered";
  now += kRequestIdRetention;
  ResolvedView later = view;
  later.time = now;
  ASSERT_OK_AND_ASSIGN(r, store.Record({later}, now));
  EXPECT_TRUE(r[0].counted) << "request ids are forgotten after kRequestIdRetention";
}

TEST(FaultyViewStoreTest, FailsChosenCallsBeforeOrAfterTheWrappedStore) {
  MemoryViewStore memory;
  FaultyViewStore store(memory);
  const absl::Time now = absl::Now();
  store.FailNext(StoreCall::kRecord);
  EXPECT_THAT(store.Record({{"a", "v:1", "", now}}, now), StatusIs(absl::StatusCode::kUnavailable));
  ASSERT_OK_AND_ASSIGN(StatsResult stats, store.Stats({"a"}, 1, now));
  EXPECT_EQ(stats.stats[0].views, 0) << "a failed call did not reach the store";

  store.LoseNextAnswers(StoreCall::kRecord);
  EXPECT_THAT(store.Record({{"a", "v:1", "", now}}, now),
              StatusIs(absl::StatusCode::kUnavailable, "answer was lost"));
  ASSERT_OK_AND_ASSIGN(stats, store.Stats({"a"}, 1, now));
  EXPECT_EQ(stats.stats[0].views, 1) << "a lost answer: the call ran";

  store.SetDown(true);
  EXPECT_THAT(store.DailySalt(now), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(store.Top({}, now), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(store.ApplyArticle({}), StatusIs(absl::StatusCode::kUnavailable));
  store.SetDown(false);
  EXPECT_OK(store.DailySalt(now));
  EXPECT_EQ(store.failures(), 5);
}

}  // namespace
}  // namespace bulletin::analytics
