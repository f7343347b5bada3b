// Redis outages against a real redis-server that is killed and restarted: views are
// buffered and answered (queued), flushed when Redis returns with nothing lost or
// doubled, refused only when the buffer is full, and spilled to a file at shutdown to
// be replayed at the next start.
#include <atomic>
#include <thread>

#include "services/analytics/tests/analytics_fixture.h"

namespace bulletin::analytics {
namespace {

using AnalyticsBufferTest = AnalyticsFixture;

TEST_F(AnalyticsBufferTest, RedisStoppedWhileRecordingTotalEqualsCountedViews) {
  std::atomic<bool> stop{false};
  std::atomic<int64_t> counted{0}, queued{0}, sent{0};
  std::thread recorder([&] {
    for (int i = 0; !stop; ++i) {
      View v = ViewOf("outage", absl::StrCat("visitor-", i));
      v.request_id = absl::StrCat("req-", i);  // a batch cut by the kill is resent safely
      absl::StatusOr<RecordResult> r = core_->RecordView(kFrontend, v);
      ++sent;
      ASSERT_TRUE(r.ok()) << r.status();
      if (r->counted) ++counted;
      if (r->queued) ++queued;
    }
  });
  ASSERT_TRUE(testing::WaitUntil([&] { return sent >= 200; }, absl::Seconds(10)));
  server_->Kill();
  ASSERT_TRUE(testing::WaitUntil([&] { return queued >= 200; }, absl::Seconds(10)));
  EXPECT_EQ(core_->GetStats({"outage"}, 0).status().code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE(server_->Restart().ok());
  ASSERT_TRUE(testing::WaitUntil([&] { return batcher_->buffered() == 0; }, absl::Seconds(20)));
  const int64_t after = sent;
  ASSERT_TRUE(testing::WaitUntil([&] { return sent >= after + 100; }, absl::Seconds(10)));
  stop = true;
  recorder.join();
  EXPECT_EQ(counted, sent) << "every view has its own visitor";
  EXPECT_GE(queued, 200);
  EXPECT_EQ(StatsOf("outage").views, counted.load());
  FlushSite();
  absl::StatusOr<StatsResult> site = core_->GetStats({"outage"}, 0);
  ASSERT_TRUE(site.ok());
  // Also when Redis died after running a batch but before answering: the replay is a
  // duplicate (request_id) that counted before, so it still adds its site-wide share.
  EXPECT_EQ(site->site_today_views, counted.load());
}

// The real store, except that the answer of the first batch is "lost": it runs in Redis,
// then the caller gets UNAVAILABLE, as when Redis dies between running a batch and
// answering. (A test double around the real part: a real redis-server cannot be made to
// drop exactly one reply.)
class LosesFirstAnswer : public ViewStore {
 public:
  explicit LosesFirstAnswer(ViewStore& real) : real_(real) {}
  absl::StatusOr<std::string> DailySalt(absl::Time day) override { return real_.DailySalt(day); }
  absl::StatusOr<std::vector<RecordResult>> Record(const std::vector<ResolvedView>& views,
                                                   absl::Time now) override {
    auto r = real_.Record(views, now);
    if (r.ok() && !lost_.exchange(true)) return absl::UnavailableError("answer lost");
    return r;
  }
  absl::StatusOr<StatsResult> Stats(const std::vector<std::string>& ids, int days,
                                    absl::Time now) override {
    return real_.Stats(ids, days, now);
  }
  absl::StatusOr<std::vector<Totals>> Import(const std::vector<ImportedCounts>& items) override {
    return real_.Import(items);
  }
  absl::StatusOr<std::vector<TopEntry>> Top(const TopQuery& q, absl::Time now) override {
    return real_.Top(q, now);
  }
  absl::StatusOr<std::vector<SeriesPoint>> Series(const std::string& id, Granularity g,
                                                  absl::Time start, int points) override {
    return real_.Series(id, g, start, points);
  }
  absl::StatusOr<bool> ApplyArticle(const ArticleMeta& meta) override {
    return real_.ApplyArticle(meta);
  }

 private:
  ViewStore& real_;
  std::atomic<bool> lost_{false};
};

TEST_F(AnalyticsBufferTest, ABatchWhoseAnswerWasLostIsReplayedWithoutCountingTwice) {
  // No count window and no request_id from the frontend: the batcher's own request ids
  // are what catches the replay.
  for (bool own_ids : {true, false}) {
    SCOPED_TRACE(own_ids ? "with the batcher's request ids" : "without (the hole they close)");
    RedisViewStore real(*redis_, RedisViewStoreOptions{absl::ZeroDuration()});
    LosesFirstAnswer store(real);
    BatcherOptions options;
    options.retry_interval = absl::Milliseconds(20);
    options.request_ids_for_all = own_ids;
    ViewBatcher batcher(store, options, [this] { return now_; });
    ASSERT_TRUE(batcher.Start().ok());
    AnalyticsCore core(store, batcher, *filter_, [this] { return now_; });
    const std::string article = own_ids ? "lost-answer" : "lost-answer-no-ids";
    absl::StatusOr<RecordResult> first = core.RecordView(kFrontend, ViewOf(article, "alice"));
    ASSERT_TRUE(first.ok()) << first.status();
    EXPECT_TRUE(first->queued) << "the lost answer sends the view to the buffer";
    ASSERT_TRUE(testing::WaitUntil([&] { return batcher.buffered() == 0; }, absl::Seconds(10)));
    absl::StatusOr<RecordResult> second = core.RecordView(kFrontend, ViewOf(article, "bob"));
    ASSERT_TRUE(second.ok()) << second.status();
    EXPECT_EQ(second->totals.views, own_ids ? 2 : 3);
  }
}

TEST_F(AnalyticsBufferTest, QueuedViewsAnswerLastKnownTotalsAndFullBufferIsUnavailable) {
  BatcherOptions options;
  options.buffer_limit = 5;
  Rebuild(absl::Minutes(30), options);
  ASSERT_TRUE(core_->ImportViews(kAdmin, {{"a", 789, 0}}).ok());
  EXPECT_EQ(Record(ViewOf("a", "first")).totals.views, 790);
  server_->Kill();
  for (int i = 0; i < 5; ++i) {
    View bot = ViewOf("a", absl::StrCat("v", i));
    if (i == 4) bot.user_agent = "Googlebot/2.1";
    RecordResult r = Record(bot);
    EXPECT_TRUE(r.queued);
    EXPECT_EQ(r.counted, i != 4) << "bots are still filtered";
    EXPECT_EQ(r.totals.views, 790 + std::min(i + 1, 4));
  }
  auto full = core_->RecordView(kFrontend, ViewOf("a", "one-too-many"));
  EXPECT_EQ(full.status().code(), absl::StatusCode::kUnavailable) << full.status();
  ASSERT_TRUE(server_->Restart().ok());
  ASSERT_TRUE(testing::WaitUntil([&] { return batcher_->buffered() == 0; }, absl::Seconds(20)));
  ArticleStats s = StatsOf("a");
  EXPECT_EQ(s.views, 794);
  EXPECT_EQ((s.not_counted[NotCounted::kBot]), 1);
  RecordResult after = Record(ViewOf("a", "later"));
  EXPECT_FALSE(after.queued);
  EXPECT_EQ(after.totals.views, 795);
}

TEST_F(AnalyticsBufferTest, BufferedViewsAreSpilledAtStopAndReplayedAtStart) {
  testing::TempDir dir;
  BatcherOptions options;
  options.spill_file = dir.path() + "/spill";
  Rebuild(absl::Minutes(30), options);
  EXPECT_TRUE(Record(ViewOf("s", "before")).counted);
  server_->Kill();
  for (int i = 0; i < 20; ++i) {
    View v;
    v.article_id = "s";
    v.client_ip = absl::StrCat("198.51.100.", i);  // derived visitors: resolved at replay
    v.user_agent = "Mozilla/5.0\twith a tab";
    EXPECT_TRUE(Record(v).queued);
  }
  core_.reset();
  batcher_->Stop();
  EXPECT_EQ(batcher_->buffered(), 20u);
  ASSERT_TRUE(server_->Restart().ok());
  Rebuild(absl::Minutes(30), options);  // a new process: replays the spill file
  ASSERT_TRUE(testing::WaitUntil([&] { return batcher_->buffered() == 0; }, absl::Seconds(20)));
  ArticleStats s = StatsOf("s");
  EXPECT_EQ(s.views, 21);
  EXPECT_EQ(s.unique_visitors, 21);
  EXPECT_NE(access(options.spill_file.c_str(), F_OK), 0) << "the spill file is consumed";
}

}  // namespace
}  // namespace bulletin::analytics
