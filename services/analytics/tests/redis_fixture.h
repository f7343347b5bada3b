// The fixture of the analytics tests that need a real redis-server (the `redis` tier): the
// real RedisViewStore, filter, batcher and core with an injected clock, the article-events
// reader of the consumer group, and helpers to record views and XADD article events in the
// stream format of common/redis/keys.h. The callers and ViewOf come from the unit fixture.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bulletin/events/v1/events.pb.h"
#include "common/redis/keys.h"
#include "common/redis/redis_client.h"
#include "common/testing/process.h"
#include "common/testing/redis_cluster.h"
#include "common/testing/status_matchers.h"
#include "services/analytics/core/analytics_core.h"
#include "services/analytics/events/article_events.h"
#include "services/analytics/store/redis/redis_view_store.h"
#include "services/analytics/tests/analytics_fixture.h"

namespace bulletin::analytics {

class RedisFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(server_, testing::TestRedis::Start());
    redis_ = std::make_unique<RedisClient>(server_->options());
    // Noon UTC today: "yesterday" and "today" are unambiguous whatever the wall clock.
    now_ = absl::FromCivil(absl::CivilDay(absl::ToCivilDay(absl::Now(), absl::UTCTimeZone())),
                           absl::UTCTimeZone()) +
           absl::Hours(12);
    Rebuild(absl::Minutes(30));
  }

  void Rebuild(absl::Duration window, BatcherOptions batcher = {}, ViewFilter filter = {}) {
    core_.reset();
    consumer_.reset();
    batcher_.reset();
    filter_ = std::make_unique<ViewFilter>(std::move(filter));
    store_ = std::make_unique<RedisViewStore>(*redis_, RedisViewStoreOptions{window});
    batcher.retry_interval = absl::Milliseconds(50);
    batcher_ = std::make_unique<ViewBatcher>(*store_, batcher, [this] { return now_; });
    ASSERT_OK(batcher_->Start());
    core_ = std::make_unique<AnalyticsCore>(*store_, *batcher_, *filter_, [this] { return now_; });
    ConsumerGroupOptions reader = ArticleEventsReaderOptions("test");
    reader.block = absl::Milliseconds(100);
    reader.claim_idle = absl::ZeroDuration();
    consumer_ =
        std::make_unique<ConsumerGroupReader>(*redis_, reader, ArticleEventsHandler(*store_));
  }

  RecordResult Record(const View& v) {
    absl::StatusOr<RecordResult> r = core_->RecordView(kFrontend, v);
    EXPECT_OK(r);
    return r.ok() ? *r : RecordResult{};
  }

  // `n` distinct visitors ("<prefix>0".."<prefix>n-1") view `article` at `time`.
  void RecordMany(const std::string& article, int n, const std::string& prefix,
                  std::optional<absl::Time> time = std::nullopt) {
    std::vector<View> views;
    for (int i = 0; i < n; ++i) {
      views.push_back(ViewOf(article, absl::StrCat(prefix, i)));
      views.back().view_time = time;
    }
    ASSERT_OK(core_->RecordViews(kFrontend, views, 0));
  }

  // Sends the aggregated deferred updates (time buckets, top lists, site counters) now;
  // the service sends them every --aggregate-flush-interval.
  void FlushSite() { EXPECT_OK(store_->FlushSiteUpdates()); }

  ArticleStats StatsOf(const std::string& id, int window_days = 0) {
    FlushSite();
    absl::StatusOr<StatsResult> r = core_->GetStats({id}, window_days);
    EXPECT_OK(r);
    return r.ok() && r->stats.size() == 1 ? r->stats[0] : ArticleStats{};
  }

  // XADDs an ArticleEvent as the content relay does, then lets the consumer apply it.
  void Publish(const std::string& id, events::v1::ArticleEventType type, int64_t revision,
               const std::string& category = "", std::vector<std::string> ancestors = {},
               std::vector<std::string> locales = {"en"}) {
    const events::v1::ArticleEvent e =
        ArticleEventOf(id, type, revision, category, std::move(ancestors), std::move(locales));
    auto added = redis_->Command({"XADD", keys::kEventStream, "*", keys::kFieldEvent,
                                  e.SerializeAsString(), keys::kFieldEventId, e.event_id(),
                                  keys::kFieldType, "x", keys::kFieldArticleId, id});
    ASSERT_OK(added);
    ASSERT_OK(consumer_->ProcessAvailable());
  }

  std::unique_ptr<testing::TestRedis> server_;
  std::unique_ptr<RedisClient> redis_;
  std::unique_ptr<RedisViewStore> store_;
  std::unique_ptr<ViewFilter> filter_;
  std::unique_ptr<ViewBatcher> batcher_;
  std::unique_ptr<AnalyticsCore> core_;
  std::unique_ptr<ConsumerGroupReader> consumer_;
  absl::Time now_;
};

}  // namespace bulletin::analytics
