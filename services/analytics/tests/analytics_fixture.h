// The fixture of the analytics unit tests: the real filter, batcher and core with an
// injected clock over MemoryViewStore, behind a FaultyViewStore so a test can take the
// store down, and article events applied with the real events/ handler. No redis-server,
// no network: the `unit` tier. (redis_fixture.h is the same over a real redis-server.)
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bulletin/events/v1/events.pb.h"
#include "common/testing/process.h"
#include "common/testing/status_matchers.h"
#include "services/analytics/core/analytics_core.h"
#include "services/analytics/events/article_events.h"
#include "services/analytics/store/memory/faulty_view_store.h"
#include "services/analytics/store/memory/memory_view_store.h"

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

// An ArticleEvent as content's relay writes it: `locales[0]` is the default locale; titles
// are "Title <id> (<locale>)", slugs "<locale>-<id>".
inline events::v1::ArticleEvent ArticleEventOf(const std::string& id,
                                               events::v1::ArticleEventType type, int64_t revision,
                                               const std::string& category = "",
                                               std::vector<std::string> ancestors = {},
                                               std::vector<std::string> locales = {"en"}) {
  events::v1::ArticleEvent e;
  e.set_event_id(absl::StrCat("ev-", id, "-", revision, "-", static_cast<int>(type)));
  e.set_type(type);
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
  return e;
}

class AnalyticsFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    // Noon UTC today: "yesterday" and "today" are unambiguous whatever the wall clock.
    now_ = absl::FromCivil(absl::CivilDay(absl::ToCivilDay(absl::Now(), absl::UTCTimeZone())),
                           absl::UTCTimeZone()) +
           absl::Hours(12);
    memory_ = std::make_unique<MemoryViewStore>(
        MemoryViewStoreOptions{absl::Minutes(30), [this] { return now_; }});
    store_ = std::make_unique<FaultyViewStore>(*memory_);
    Rebuild();
  }

  // A new batcher and core (a new process) over the same store.
  void Rebuild(BatcherOptions batcher = {}, ViewFilter filter = {}) {
    core_.reset();
    batcher_.reset();
    filter_ = std::make_unique<ViewFilter>(std::move(filter));
    batcher.retry_interval = absl::Milliseconds(50);
    batcher_ = std::make_unique<ViewBatcher>(*store_, batcher, [this] { return now_; });
    ASSERT_OK(batcher_->Start());
    core_ = std::make_unique<AnalyticsCore>(*store_, *batcher_, *filter_, [this] { return now_; });
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

  ArticleStats StatsOf(const std::string& id, int window_days = 0) {
    absl::StatusOr<StatsResult> r = core_->GetStats({id}, window_days);
    EXPECT_OK(r);
    return r.ok() && r->stats.size() == 1 ? r->stats[0] : ArticleStats{};
  }

  // Hands an article event to the events/ handler, as the stream reader does.
  void Publish(const std::string& id, events::v1::ArticleEventType type, int64_t revision,
               const std::string& category = "", std::vector<std::string> ancestors = {},
               std::vector<std::string> locales = {"en"}) {
    StreamEntry entry{StreamId{static_cast<uint64_t>(absl::ToUnixMillis(now_)), ++sequence_},
                      std::make_shared<events::v1::ArticleEvent>(ArticleEventOf(
                          id, type, revision, category, std::move(ancestors), std::move(locales)))};
    ASSERT_OK(ApplyArticleEvents(*store_, {entry}));
  }

  absl::Time now_;
  uint64_t sequence_ = 0;
  std::unique_ptr<MemoryViewStore> memory_;
  std::unique_ptr<FaultyViewStore> store_;
  std::unique_ptr<ViewFilter> filter_;
  std::unique_ptr<ViewBatcher> batcher_;
  std::unique_ptr<AnalyticsCore> core_;
};

}  // namespace bulletin::analytics
