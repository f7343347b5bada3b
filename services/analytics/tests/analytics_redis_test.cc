// What only a real redis-server shows, through the core and RedisViewStore: the unique-
// visitor estimates (HyperLogLog, counted at most once a second), address-derived visitors
// shared by replicas and never stored raw, the deferred site-wide updates (flush interval,
// outage, spill file, member limit), a Redis killed while views are recorded, and article
// events read from the stream by the consumer group. The contract itself runs against
// Redis in redis_view_store_test.cc.
#include <atomic>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/redis/keys.h"
#include "common/redis/redis_slot.h"
#include "services/analytics/store/redis/updates_file.h"
#include "services/analytics/store/redis/view_journal.h"
#include "services/analytics/store/redis/view_keys.h"
#include "services/analytics/tests/redis_fixture.h"

namespace bulletin::analytics {
namespace {

using ::bulletin::testing::StatusIs;
using events::v1::ARTICLE_EVENT_TYPE_DELETED;
using events::v1::ARTICLE_EVENT_TYPE_PUBLISHED;
using ::testing::StartsWith;

using AnalyticsRedisTest = RedisFixture;

// The views of the only entry of the last hour's top list; -1 when there is not one.
int64_t TopViews(AnalyticsCore& core) {
  absl::StatusOr<std::vector<TopEntry>> r =
      core.GetTopArticles({TopKind::kMostRead, Window::kLastHour, "", "", 0});
  return r.ok() && r->size() == 1 ? (*r)[0].views : -1;
}

TEST_F(AnalyticsRedisTest, EachAnswerCarriesTheUniquesRightAfterItsView) {
  // Between two PFCOUNTs (at most one a second per article) the answer is the last
  // count plus the visitors that changed the HyperLogLog: exact for a small article.
  for (int i = 0; i < 40; ++i) {
    RecordResult r = Record(ViewOf("busy", absl::StrCat("visitor-", i)));
    EXPECT_EQ(r.totals.views, i + 1);
    EXPECT_EQ(r.totals.unique_visitors, i + 1);
    EXPECT_EQ(Record(ViewOf("busy", absl::StrCat("visitor-", i))).totals.unique_visitors, i + 1)
        << "a repeat adds no visitor";
  }
  // A batch with repeats: three visitors, then a fourth.
  std::vector<View> views;
  for (int i = 0; i < 5; ++i) views.push_back(ViewOf("batch", absl::StrCat("v", i % 3)));
  ASSERT_OK_AND_ASSIGN(BatchResult batch, core_->RecordViews(kFrontend, views, 0));
  EXPECT_EQ(batch.counted, 3);
  EXPECT_EQ(Record(ViewOf("batch", "v9")).totals.unique_visitors, 4);
}

TEST_F(AnalyticsRedisTest, AddressVisitorsAreSharedByReplicasAndNeverStoredRaw) {
  View v;
  v.article_id = "a";
  v.client_ip = "203.0.113.7";
  v.user_agent = "Mozilla/5.0 Firefox";
  EXPECT_TRUE(Record(v).counted);
  EXPECT_EQ(Record(v).reason, NotCounted::kRepeat) << "same address and agent: same visitor";
  v.user_agent = "Mozilla/5.0 Chrome";
  EXPECT_TRUE(Record(v).counted);
  EXPECT_EQ(StatsOf("a").unique_visitors, 2);

  // A second replica (its own store and core) derives the same visitor: the salt is shared.
  RedisViewStore other_store(*redis_, {});
  ViewBatcher other_batcher(other_store, {}, [this] { return now_; });
  ASSERT_OK(other_batcher.Start());
  AnalyticsCore other(other_store, other_batcher, *filter_, [this] { return now_; });
  ASSERT_OK_AND_ASSIGN(RecordResult r, other.RecordView(kFrontend, v));
  EXPECT_EQ(r.reason, NotCounted::kRepeat);

  ASSERT_OK_AND_ASSIGN(RedisReply keys, redis_->Command({"KEYS", "*"}));
  for (const RedisReply& k : keys.elements) {
    EXPECT_EQ(k.str.find("203.0.113"), std::string::npos) << k.str;
  }
}

TEST_F(AnalyticsRedisTest, TenThousandDistinctVisitorsAreWithinTwoPercent) {
  for (int chunk = 0; chunk < 10; ++chunk) {
    RecordMany("popular", 1000, absl::StrCat("visitor-", chunk, "-"));
  }
  ArticleStats s = StatsOf("popular", 1);
  EXPECT_EQ(s.views, 10000);
  EXPECT_NEAR(s.unique_visitors, 10000, 200);
  EXPECT_NEAR(s.window_unique_visitors, 10000, 200);
  FlushSite();
  ASSERT_OK_AND_ASSIGN(StatsResult site, core_->GetStats({"popular"}, 0));
  EXPECT_EQ(site.site_today_views, 10000);
  EXPECT_NEAR(site.site_visitors_now, 10000, 200);
}

TEST_F(AnalyticsRedisTest, SiteUpdatesAreFlushedEveryIntervalAtShutdownAndAfterAnOutage) {
  Publish("p", ARTICLE_EVENT_TYPE_PUBLISHED, 1);
  // The fixture's store flushes every second (the default) on its own.
  RecordMany("p", 3, "a");
  EXPECT_TRUE(testing::WaitUntil([&] { return TopViews(*core_) == 3; }, absl::Seconds(10)));

  // A store that would wait an hour: its destructor sends what it holds.
  auto slow = std::make_unique<RedisViewStore>(
      *redis_, RedisViewStoreOptions{absl::Minutes(30), absl::Hours(1)});
  ASSERT_OK(slow->Record({{"p", "v:b1", "", now_}, {"p", "v:b2", "", now_}}, now_));
  EXPECT_EQ(TopViews(*core_), 3) << "not sent yet";
  slow.reset();
  EXPECT_EQ(TopViews(*core_), 5);

  // A flush that Redis does not take leaves the batches in the journal, which the next
  // flush folds (here at once; the service after RecoveryAge).
  slow = std::make_unique<RedisViewStore>(*redis_,
                                          RedisViewStoreOptions{absl::Minutes(30), absl::Hours(1)});
  ASSERT_OK(slow->Record({{"p", "v:c1", "", now_}}, now_));
  server_->Kill();
  EXPECT_THAT(slow->FlushSiteUpdates(), StatusIs(absl::StatusCode::kUnavailable));
  ASSERT_OK(server_->Restart());
  EXPECT_OK(slow->FlushSiteUpdates());
  EXPECT_EQ(TopViews(*core_), 6);
  ASSERT_OK_AND_ASSIGN(StatsResult stats, core_->GetStats({"p"}, 0));
  EXPECT_EQ(stats.site_today_views, 6);
}

TEST_F(AnalyticsRedisTest, UpdatesRedisDidNotTakeAtShutdownWaitInTheJournal) {
  Publish("p", ARTICLE_EVENT_TYPE_PUBLISHED, 1);
  testing::TempDir dir;
  const std::string spill = dir.path() + "/updates";
  RedisViewStoreOptions options{absl::Minutes(30), absl::Hours(1), spill};
  auto store = std::make_unique<RedisViewStore>(*redis_, options);
  ASSERT_OK(store->Record({{"p", "v:a", "", now_}, {"p", "v:b", "", now_}}, now_));
  server_->Kill();
  store.reset();  // Redis is down: the journal written with the counts keeps the updates
  EXPECT_FALSE(std::ifstream(spill).good()) << "nothing to spill";
  ASSERT_OK(server_->Restart());
  ArticleStats s = StatsOf("p");  // the fixture's store folds the journal
  EXPECT_EQ(s.views, 2);
  EXPECT_EQ(s.today_views, 2) << "the day bucket got the journalled views";
  EXPECT_EQ(TopViews(*core_), 2);
  ASSERT_OK_AND_ASSIGN(RedisReply left, redis_->Command({"HLEN", site::Journal()}));
  EXPECT_EQ(left.integer, 0) << "folded entries are deleted";
}

TEST_F(AnalyticsRedisTest, AJournalEntryIsFoldedOnceWhoeverFoldsIt) {
  Publish("p", ARTICLE_EVENT_TYPE_PUBLISHED, 1);
  // One node: the one journal; a cluster: the journal of the article's slot, whose batch
  // ids name the slot.
  const int slot = redis_->cluster() ? KeySlot(keys::ArticlePrefix("p")) : -1;
  const std::string id_prefix = slot < 0 ? "" : absl::StrCat(slot, ".");
  RedisViewStoreOptions slow{absl::Minutes(30), absl::Hours(1)};
  auto counting = std::make_unique<RedisViewStore>(*redis_, slow);
  ASSERT_OK(counting->Record({{"p", "v:a", "", now_}, {"p", "v:b", "", now_}}, now_));
  ASSERT_OK_AND_ASSIGN(RedisReply entries, redis_->Command({"HLEN", site::Journal(slot)}));
  EXPECT_EQ(entries.integer, 1) << "journalled with the count";
  // Another process folds it from the journal first (as for a killed process's entry) ...
  RedisViewStore other(*redis_, slow);
  ASSERT_OK(other.FlushSiteUpdates());
  EXPECT_EQ(StatsOf("p").today_views, 2);
  // ... so the counting process's own fold of it finds it gone and applies nothing.
  ASSERT_OK(counting->FlushSiteUpdates());
  counting.reset();
  EXPECT_EQ(StatsOf("p").today_views, 2) << "applied once";
  EXPECT_EQ(TopViews(*core_), 2);

  // Bots only: nothing deferred, nothing journalled.
  RedisViewStore bots(*redis_, slow);
  ASSERT_OK(bots.Record({{"p", "h:x", "", now_, NotCounted::kBot}}, now_));
  ASSERT_OK_AND_ASSIGN(entries, redis_->Command({"HLEN", site::Journal(slot)}));
  EXPECT_EQ(entries.integer, 0);

  // A damaged entry is dropped rather than retried for ever; one of an unknown format is
  // left for the version that wrote it.
  const std::string bad = id_prefix + "bad", future = id_prefix + "future";
  ASSERT_OK(redis_->Pipeline({{"HSET", site::Journal(slot), bad, "j1 garbage"},
                              {"ZADD", site::JournalTimes(slot), "1", bad},
                              {"HSET", site::Journal(slot), future, "j9 ..."},
                              {"ZADD", site::JournalTimes(slot), "1", future}}));
  ASSERT_OK(bots.FlushSiteUpdates());
  ASSERT_OK_AND_ASSIGN(RedisReply kept, redis_->Command({"HKEYS", site::Journal(slot)}));
  ASSERT_EQ(kept.elements.size(), 1u);
  EXPECT_EQ(kept.elements[0].str, future);
}

TEST(AnalyticsJournalTest, AnEntryParsesBackToWhatWasCounted) {
  const absl::Time now = absl::FromUnixMicros(1700000000123456);
  JournalBatch batch;
  batch.id = "b1";
  batch.now = now;
  batch.groups = {{"a", {{"v:x\ty\n", now, NotCounted::kNone}, {"h:1", now, NotCounted::kBot}}},
                  {"b", {{"v:z", now - absl::Minutes(7), NotCounted::kNone}}}};
  EXPECT_EQ(JournalPayload(batch).find('\n'), std::string::npos)
      << "one line: scripts/bench hands the command to redis-benchmark line by line";
  ASSERT_OK_AND_ASSIGN(JournalBatch back,
                       ParseJournalEntry("b1", JournalPayload(batch) + "c 0,4,8"));
  EXPECT_EQ(back.now, now);
  ASSERT_EQ(back.groups.size(), 2u);
  EXPECT_EQ(back.groups[0].views[0].visitor, "v:x\ty\n") << "escaped and back";
  EXPECT_TRUE(back.groups[0].views[0].counted);
  EXPECT_EQ(back.groups[0].views[1].filtered, NotCounted::kBot);
  EXPECT_FALSE(back.groups[0].views[1].counted);
  EXPECT_FALSE(back.groups[1].views[0].counted) << "code 8: a repeat";
  EXPECT_EQ(back.groups[1].views[0].time, now - absl::Minutes(7));
  for (const std::string& bad : {JournalPayload(batch) + "c 0,4", JournalPayload(batch),
                                 std::string("j2 1\x1e"
                                             "c ")}) {
    EXPECT_THAT(ParseJournalEntry("b1", bad), StatusIs(absl::StatusCode::kInvalidArgument));
  }
}

TEST_F(AnalyticsRedisTest, AnEarlierVersionsSpillFileIsReplayedOnce) {
  testing::TempDir dir;
  const std::string spill = dir.path() + "/updates";
  SiteDelta delta;
  delta.Incr(site::DayViews(now_), 2, kDailyRetention);
  ASSERT_OK(WriteUpdatesFile(spill, delta.Calls(1000)));
  RedisViewStoreOptions options{absl::Minutes(30), absl::Hours(1), spill};
  auto store = std::make_unique<RedisViewStore>(*redis_, options);
  ASSERT_OK(store->RestoreSpilledUpdates());
  EXPECT_FALSE(std::ifstream(spill).good()) << "read once, then removed";
  ASSERT_OK(store->FlushSiteUpdates());
  ASSERT_OK_AND_ASSIGN(StatsResult stats, core_->GetStats({"p"}, 0));
  EXPECT_EQ(stats.site_today_views, 2);

  // A damaged file stops the start with a message naming the flag.
  { std::ofstream(spill) << "# bulletin-analytics updates v1\ncall 1\n"; }
  store = std::make_unique<RedisViewStore>(*redis_, options);
  absl::Status restored = store->RestoreSpilledUpdates();
  EXPECT_THAT(restored, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(restored.message()), StartsWith("--spill-file: "));
}

TEST_F(AnalyticsRedisTest, PastTheMemberLimitVisitorsAreDroppedButViewsStillCount) {
  SiteUpdates updates(*redis_, absl::ZeroDuration(), /*max_members=*/2);
  updates.Add("", [&](ViewAggregate& views) {
    ViewAggregate::Entry& entry = views.EntryOf("cap", now_);
    for (int i = 0; i < 5; ++i) {
      ++entry.counted;
      views.AddVisitor(entry, now_, absl::StrCat("v:", i));
    }
  });
  ASSERT_OK(updates.Flush());
  ArticleKeys keys("cap");
  ASSERT_OK_AND_ASSIGN(std::vector<RedisReply> replies,
                       redis_->Pipeline({{"GET", keys.DayViews(now_)},
                                         {"PFCOUNT", keys.DayVisitors(now_)},
                                         {"PFCOUNT", site::DayVisitors(now_)}}));
  EXPECT_EQ(replies[0].str, "5");
  EXPECT_EQ(replies[1].integer, 2);
  EXPECT_EQ(replies[2].integer, 2);
}

TEST_F(AnalyticsRedisTest, RedisKilledWhileRecordingTotalEqualsCountedViews) {
  std::atomic<bool> stop{false};
  std::atomic<int64_t> counted{0}, queued{0}, sent{0};
  std::thread recorder([&] {
    for (int i = 0; !stop; ++i) {
      View v = ViewOf("outage", absl::StrCat("visitor-", i));
      v.request_id = absl::StrCat("req-", i);  // a batch cut by the kill is resent safely
      absl::StatusOr<RecordResult> r = core_->RecordView(kFrontend, v);
      ++sent;
      ASSERT_OK(r);
      if (r->counted) ++counted;
      if (r->queued) ++queued;
    }
  });
  ASSERT_TRUE(testing::WaitUntil([&] { return sent >= 200; }, absl::Seconds(10)));
  server_->Kill();
  ASSERT_TRUE(testing::WaitUntil([&] { return queued >= 200; }, absl::Seconds(10)));
  EXPECT_THAT(core_->GetStats({"outage"}, 0), StatusIs(absl::StatusCode::kUnavailable));
  ASSERT_OK(server_->Restart());
  ASSERT_TRUE(testing::WaitUntil([&] { return batcher_->buffered() == 0; }, absl::Seconds(20)));
  const int64_t after = sent;
  ASSERT_TRUE(testing::WaitUntil([&] { return sent >= after + 100; }, absl::Seconds(10)));
  stop = true;
  recorder.join();
  EXPECT_EQ(counted, sent) << "every view has its own visitor";
  EXPECT_GE(queued, 200);
  EXPECT_EQ(StatsOf("outage").views, counted.load());
  FlushSite();
  ASSERT_OK_AND_ASSIGN(StatsResult site, core_->GetStats({"outage"}, 0));
  // Also when Redis died after running a batch but before answering: the replay is a
  // duplicate (request_id) and adds nothing; the first attempt's journal entry is folded.
  EXPECT_EQ(site.site_today_views, counted.load());
}

TEST_F(AnalyticsRedisTest, AStoredValueOfTheWrongShapeIsInternalWithoutRedisText) {
  const std::string garbage = "secret-" + std::string(70000, 'g');
  ASSERT_OK(redis_->Command({"SET", ArticleKeys("odd").Views(), garbage}));
  absl::StatusOr<StatsResult> stats = core_->GetStats({"odd"}, 0);
  EXPECT_THAT(stats, StatusIs(absl::StatusCode::kInternal, "redis: unexpected"));
  EXPECT_LT(stats.status().message().size(), 100u);
  EXPECT_THAT(std::string(stats.status().message()),
              ::testing::Not(::testing::HasSubstr("secret")));
}

TEST_F(AnalyticsRedisTest, ArticleEventsFromTheStreamReachTheTopLists) {
  RecordMany("hot", 5, "h");
  RecordMany("warm", 2, "w");
  Publish("hot", ARTICLE_EVENT_TYPE_PUBLISHED, 1);
  Publish("warm", ARTICLE_EVENT_TYPE_PUBLISHED, 1);
  FlushSite();
  ASSERT_OK_AND_ASSIGN(std::vector<TopEntry> top, core_->GetTopArticles({}));
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].article_id, "hot");
  EXPECT_EQ(top[0].title, "Title hot (en)");

  // An entry no service can decode is skipped and acknowledged, not retried forever.
  ASSERT_OK(redis_->Command({"XADD", keys::kEventStream, "*", keys::kFieldEvent, "\xff garbage"}));
  Publish("hot", ARTICLE_EVENT_TYPE_DELETED, 2);
  ASSERT_OK_AND_ASSIGN(top, core_->GetTopArticles({}));
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].article_id, "warm");
  ASSERT_OK_AND_ASSIGN(RedisReply pending,
                       redis_->Command({"XPENDING", keys::kEventStream, kConsumerGroup}));
  ASSERT_FALSE(pending.elements.empty());
  EXPECT_EQ(pending.elements[0].integer, 0) << "every entry was acknowledged";

  // Redis restarted empty (stream and group gone): the reader creates the group again.
  ASSERT_OK(redis_->Command({"FLUSHALL"}));
  RecordMany("fresh", 3, "f");
  Publish("fresh", ARTICLE_EVENT_TYPE_PUBLISHED, 1);
  FlushSite();
  ASSERT_OK_AND_ASSIGN(top, core_->GetTopArticles({}));
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].article_id, "fresh");
}

}  // namespace
}  // namespace bulletin::analytics
