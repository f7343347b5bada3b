// The shared fixture of the analytics core tests: a real redis-server, the real store,
// filter, batcher and core with an injected clock, the event consumer, and helpers to
// record views and publish article events in the stream format of common/redis/keys.h.
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
#include "common/testing/redis_server.h"
#include "services/analytics/core/analytics_core.h"
#include "services/analytics/events/article_events.h"
#include "services/analytics/store/redis/redis_view_store.h"

namespace bulletin::analytics {

inline const Caller kFrontend = Principal{Role::kFrontend, ""};
inline const Caller kAdmin = Principal{Role::kAdmin, ""};
inline const Caller kEditor = Principal{Role::kEditor, ""};
inline const Caller kPartner = Principal{Role::kPartner, "p"};
inline const Caller kAnonymous = std::nullopt;

inline View ViewOf(const std::string& article, const std::string& visitor) {
  View v;
  v.article_id = article;
  v.visitor_id = visitor;
  return v;
}

class AnalyticsFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testing::RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
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
    ASSERT_TRUE(batcher_->Start().ok());
    core_ = std::make_unique<AnalyticsCore>(*store_, *batcher_, *filter_, [this] { return now_; });
    ConsumerGroupOptions reader = ArticleEventsReaderOptions("test");
    reader.block = absl::Milliseconds(100);
    reader.claim_idle = absl::ZeroDuration();
    consumer_ =
        std::make_unique<ConsumerGroupReader>(*redis_, reader, ArticleEventsHandler(*store_));
  }

  RecordResult Record(const View& v) {
    absl::StatusOr<RecordResult> r = core_->RecordView(kFrontend, v);
    EXPECT_TRUE(r.ok()) << r.status();
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
    auto r = core_->RecordViews(kFrontend, views, 0);
    ASSERT_TRUE(r.ok()) << r.status();
  }

  // Sends the aggregated deferred updates (time buckets, top lists, site counters) now;
  // the service sends them every --aggregate-flush-interval.
  void FlushSite() {
    absl::Status s = store_->FlushSiteUpdates();
    EXPECT_TRUE(s.ok()) << s;
  }

  ArticleStats StatsOf(const std::string& id, int window_days = 0) {
    FlushSite();
    absl::StatusOr<StatsResult> r = core_->GetStats({id}, window_days);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() && r->stats.size() == 1 ? r->stats[0] : ArticleStats{};
  }

  // XADDs an ArticleEvent as the content relay does, then lets the consumer apply it.
  void Publish(const std::string& id, events::v1::ArticleEventType type, int64_t revision,
               const std::string& category = "", std::vector<std::string> ancestors = {},
               std::vector<std::string> locales = {"en"}) {
    events::v1::ArticleEvent e;
    e.set_event_id(absl::StrCat("ev-", id, "-", revision, "-", static_cast<int>(type)));
    e.set_type(type);
    e.mutable_occur_time()->set_seconds(absl::ToUnixSeconds(now_));
    events::v1::ArticleSnapshot* a = e.mutable_article();
    a->set_id(id);
    a->set_slug("slug-" + id);
    a->set_category_id(category);
    for (const std::string& c : ancestors) a->add_category_ancestor_ids(c);
    a->set_default_locale(locales[0]);
    for (const std::string& l : locales) {
      events::v1::LocalizedSummary* t = a->add_translations();
      t->set_locale(l);
      t->set_title(absl::StrCat("Title ", id, " (", l, ")"));
      t->set_slug(absl::StrCat(l, "-", id));
    }
    a->set_revision(revision);
    auto added = redis_->Command({"XADD", keys::kEventStream, "*", keys::kFieldEvent,
                                  e.SerializeAsString(), keys::kFieldEventId, e.event_id(),
                                  keys::kFieldType, "x", keys::kFieldArticleId, id});
    ASSERT_TRUE(added.ok()) << added.status();
    auto applied = consumer_->ProcessAvailable();
    ASSERT_TRUE(applied.ok()) << applied.status();
  }

  std::unique_ptr<testing::RedisServer> server_;
  std::unique_ptr<RedisClient> redis_;
  std::unique_ptr<RedisViewStore> store_;
  std::unique_ptr<ViewFilter> filter_;
  std::unique_ptr<ViewBatcher> batcher_;
  std::unique_ptr<AnalyticsCore> core_;
  std::unique_ptr<ConsumerGroupReader> consumer_;
  absl::Time now_;
};

}  // namespace bulletin::analytics
