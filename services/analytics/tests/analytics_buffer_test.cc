// Store outages through the core and batcher (unit): the in-memory store behind a
// FaultyViewStore that is taken down and brought back. Views are buffered and answered
// (queued), flushed when the store returns with nothing lost or doubled, refused only when
// the buffer is full, and spilled to a file at shutdown to be replayed at the next start; a
// batch whose answer was lost is replayed without counting twice. (A real Redis killed
// mid-batch: analytics_redis_test.cc.)
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <deque>
#include <fstream>
#include <thread>

#include "services/analytics/core/spill_file.h"
#include "services/analytics/tests/analytics_fixture.h"

namespace bulletin::analytics {
namespace {

using ::bulletin::testing::StatusIs;

using AnalyticsBufferTest = AnalyticsFixture;

TEST_F(AnalyticsBufferTest, StoreDownWhileRecordingTotalEqualsCountedViews) {
  std::atomic<bool> stop{false};
  std::atomic<int64_t> counted{0}, queued{0}, sent{0};
  std::thread recorder([&] {
    for (int i = 0; !stop; ++i) {
      View v = ViewOf("outage", absl::StrCat("visitor-", i));
      v.request_id = absl::StrCat("req-", i);
      absl::StatusOr<RecordResult> r = core_->RecordView(kFrontend, v);
      ++sent;
      ASSERT_OK(r);
      if (r->counted) ++counted;
      if (r->queued) ++queued;
    }
  });
  ASSERT_TRUE(testing::WaitUntil([&] { return sent >= 200; }, absl::Seconds(10)));
  store_->SetDown(true);
  ASSERT_TRUE(testing::WaitUntil([&] { return queued >= 200; }, absl::Seconds(10)));
  EXPECT_THAT(core_->GetStats({"outage"}, 0), StatusIs(absl::StatusCode::kUnavailable));
  store_->SetDown(false);
  ASSERT_TRUE(testing::WaitUntil([&] { return batcher_->buffered() == 0; }, absl::Seconds(20)));
  const int64_t after = sent;
  ASSERT_TRUE(testing::WaitUntil([&] { return sent >= after + 100; }, absl::Seconds(10)));
  stop = true;
  recorder.join();
  EXPECT_EQ(counted, sent) << "every view has its own visitor";
  EXPECT_GE(queued, 200);
  EXPECT_EQ(StatsOf("outage").views, counted.load());
  ASSERT_OK_AND_ASSIGN(StatsResult site, core_->GetStats({"outage"}, 0));
  EXPECT_EQ(site.site_today_views, counted.load());
}

TEST_F(AnalyticsBufferTest, ABatchWhoseAnswerWasLostIsReplayedWithoutCountingTwice) {
  // No count window and no request_id from the frontend: the batcher's own request ids
  // are what catches the replay.
  for (bool own_ids : {true, false}) {
    SCOPED_TRACE(own_ids ? "with the batcher's request ids" : "without (the hole they close)");
    MemoryViewStore real({absl::ZeroDuration(), [this] { return now_; }});
    FaultyViewStore store(real);
    store.LoseNextAnswers(StoreCall::kRecord);  // it runs, then the answer is lost
    BatcherOptions options;
    options.retry_interval = absl::Milliseconds(20);
    options.request_ids_for_all = own_ids;
    ViewBatcher batcher(store, options, [this] { return now_; });
    ASSERT_OK(batcher.Start());
    AnalyticsCore core(store, batcher, *filter_, [this] { return now_; });
    ASSERT_OK_AND_ASSIGN(RecordResult first, core.RecordView(kFrontend, ViewOf("lost", "alice")));
    EXPECT_TRUE(first.queued) << "the lost answer sends the view to the buffer";
    ASSERT_TRUE(testing::WaitUntil([&] { return batcher.buffered() == 0; }, absl::Seconds(10)));
    ASSERT_OK_AND_ASSIGN(RecordResult second, core.RecordView(kFrontend, ViewOf("lost", "bob")));
    EXPECT_EQ(second.totals.views, own_ids ? 2 : 3);
  }
}

TEST_F(AnalyticsBufferTest, QueuedViewsAnswerLastKnownTotalsAndFullBufferIsUnavailable) {
  BatcherOptions options;
  options.buffer_limit = 5;
  Rebuild(options);
  ASSERT_OK(core_->ImportViews(kAdmin, {{"a", 789, 0}}));
  EXPECT_EQ(Record(ViewOf("a", "first")).totals.views, 790);
  store_->SetDown(true);
  for (int i = 0; i < 5; ++i) {
    View bot = ViewOf("a", absl::StrCat("v", i));
    if (i == 4) bot.user_agent = "Googlebot/2.1";
    RecordResult r = Record(bot);
    EXPECT_TRUE(r.queued);
    EXPECT_EQ(r.counted, i != 4) << "bots are still filtered";
    EXPECT_EQ(r.totals.views, 790 + std::min(i + 1, 4));
  }
  EXPECT_THAT(core_->RecordView(kFrontend, ViewOf("a", "one-too-many")),
              StatusIs(absl::StatusCode::kUnavailable));
  store_->SetDown(false);
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
  Rebuild(options);
  EXPECT_TRUE(Record(ViewOf("s", "before")).counted);
  store_->SetDown(true);
  for (int i = 0; i < 20; ++i) {
    View v;
    v.article_id = "s";
    v.client_ip = absl::StrCat("198.51.100.", i);  // derived visitors: resolved at replay
    v.user_agent = "Mozilla/5.0 \"quoted\" \\ back-slashed";  // escaped in the file
    EXPECT_TRUE(Record(v).queued);
  }
  core_.reset();
  batcher_->Stop();
  EXPECT_EQ(batcher_->buffered(), 20u);
  store_->SetDown(false);
  Rebuild(options);  // a new process: replays the spill file
  ASSERT_TRUE(testing::WaitUntil([&] { return batcher_->buffered() == 0; }, absl::Seconds(20)));
  ArticleStats s = StatsOf("s");
  EXPECT_EQ(s.views, 21);
  EXPECT_EQ(s.unique_visitors, 21);
  EXPECT_NE(access(options.spill_file.c_str(), F_OK), 0) << "the spill file is consumed";
}

TEST_F(AnalyticsBufferTest, QueuedViewsAreOnDiskBeforeTheAnswerAndAReplayCountsThemOnce) {
  testing::TempDir dir;
  BatcherOptions options;
  options.spill_file = dir.path() + "/spill";
  Rebuild(options);
  store_->SetDown(true);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(Record(ViewOf("w", absl::StrCat("v", i))).queued);
  // Answered, not stopped: what a SIGKILL now would leave behind.
  ASSERT_OK_AND_ASSIGN(std::deque<QueuedView> on_disk, ReadSpillFile(options.spill_file));
  ASSERT_EQ(on_disk.size(), 5u) << "each queued view is on disk before it is answered";
  for (const QueuedView& v : on_disk) EXPECT_FALSE(v.request_id.empty());
  const std::string crashed = dir.path() + "/crashed";
  ASSERT_EQ(std::rename(options.spill_file.c_str(), crashed.c_str()), 0);

  store_->SetDown(false);
  ASSERT_TRUE(testing::WaitUntil([&] { return batcher_->buffered() == 0; }, absl::Seconds(20)));
  EXPECT_NE(access(options.spill_file.c_str(), F_OK), 0) << "an empty buffer: no file";
  EXPECT_EQ(StatsOf("w").views, 5);
  // The process died after the store counted them but before the file was removed: the
  // next start replays them, and their request ids make them duplicates.
  core_.reset();
  batcher_->Stop();
  ASSERT_EQ(std::rename(crashed.c_str(), options.spill_file.c_str()), 0);
  Rebuild(options);
  ASSERT_TRUE(testing::WaitUntil([&] { return batcher_->buffered() == 0; }, absl::Seconds(20)));
  ArticleStats s = StatsOf("w");
  EXPECT_EQ(s.views, 5) << "replayed, not counted twice";
  EXPECT_EQ(s.today_views, 5);
  EXPECT_EQ((s.not_counted[NotCounted::kDuplicateRequest]), 5);

  // A crash while a line was appended leaves it cut short: that view was never answered.
  { std::ofstream(options.spill_file) << "# bulletin-analytics spill v1\nw\tv9\t\t\t\t"; }
  ASSERT_OK_AND_ASSIGN(on_disk, ReadSpillFile(options.spill_file));
  EXPECT_TRUE(on_disk.empty());
}

TEST_F(AnalyticsBufferTest, AMalformedSpillFileStopsTheStartNamingTheFlag) {
  testing::TempDir dir;
  BatcherOptions options;
  options.spill_file = dir.path() + "/spill";
  { std::ofstream(options.spill_file) << "# bulletin-analytics spill v1\nnot\ta\tview\n"; }
  ViewBatcher batcher(*store_, options, [this] { return now_; });
  EXPECT_THAT(batcher.Start(), StatusIs(absl::StatusCode::kInvalidArgument, "--spill-file: "));
  // Well-formed lines with what no request could carry: a time 2^62 µs (year 146,000), a
  // malformed id, no visitor at all.
  for (const char* line :
       {"a\tv\t\t\t\t4611686018427387904\t0", "a b\tv\t\t\t\t0\t0", "a\t\t\t\t\t0\t0"}) {
    { std::ofstream(options.spill_file) << "# bulletin-analytics spill v1\n" << line << "\n"; }
    ViewBatcher other(*store_, options, [this] { return now_; });
    EXPECT_THAT(other.Start(), StatusIs(absl::StatusCode::kInvalidArgument, "line 2 is malformed"))
        << line;
  }
}

}  // namespace
}  // namespace bulletin::analytics
