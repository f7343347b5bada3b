// Top lists and time series against a real redis-server, with an injected clock: most
// read per window, trending, category/locale filters, metadata learnt from real
// ArticleEvents on the stream, deleted articles dropped, and zero-filled series.
#include <fstream>

#include "services/analytics/store/redis/view_keys.h"
#include "services/analytics/tests/analytics_fixture.h"

namespace bulletin::analytics {
namespace {

using events::v1::ARTICLE_EVENT_TYPE_DELETED;
using events::v1::ARTICLE_EVENT_TYPE_PUBLISHED;
using events::v1::ARTICLE_EVENT_TYPE_UNPUBLISHED;
using events::v1::ARTICLE_EVENT_TYPE_UPDATED;

class AnalyticsTopTest : public AnalyticsFixture {
 protected:
  // "id:views" of a top list, best first.
  std::vector<std::string> Top(std::optional<TopKind> kind, std::optional<Window> window,
                               const std::string& category = "", const std::string& locale = "") {
    FlushSite();
    auto r = core_->GetTopArticles({kind, window, category, locale, 0});
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const TopEntry& e : *r) out.push_back(absl::StrCat(e.article_id, ":", e.views));
    }
    return out;
  }
  // Runs `f` with the clock set `back` before now.
  template <typename F>
  void At(absl::Duration back, F f) {
    const absl::Time saved = now_;
    now_ -= back;
    f();
    now_ = saved;
  }
};

using Strings = std::vector<std::string>;
constexpr TopKind kMostRead = TopKind::kMostRead;
constexpr TopKind kTrending = TopKind::kTrending;
constexpr Window kLastHour = Window::kLastHour;
constexpr Window kLastDay = Window::kLastDay;
constexpr Window kLast7Days = Window::kLast7Days;
constexpr Window kLast30Days = Window::kLast30Days;
constexpr Window kAllTime = Window::kAllTime;

TEST_F(AnalyticsTopTest, MostReadPerWindowIsOrderedAndDropsDeletedArticles) {
  RecordMany("hot", 5, "h");
  RecordMany("warm", 3, "w", now_ - absl::Hours(2));
  RecordMany("warm", 1, "w-now");
  At(absl::Hours(24 * 3), [&] { RecordMany("weekly", 10, "k"); });
  At(absl::Hours(24 * 20), [&] { RecordMany("monthly", 20, "m"); });
  RecordMany("unknown", 50, "u");  // never published: never listed
  ASSERT_TRUE(core_->ImportViews(kAdmin, {{"legacy", 1000, 0}}).ok());
  for (const char* id : {"hot", "warm", "weekly", "monthly", "legacy"}) {
    Publish(id, ARTICLE_EVENT_TYPE_PUBLISHED, 1);
  }

  EXPECT_EQ(Top(kMostRead, kLastHour), (Strings{"hot:5", "warm:1"}));
  EXPECT_EQ(Top(kMostRead, kLastDay), (Strings{"hot:5", "warm:4"}));
  EXPECT_EQ(Top(kMostRead, std::nullopt), (Strings{"hot:5", "warm:4"})) << "default: last day";
  EXPECT_EQ(Top(std::nullopt, kLast7Days), (Strings{"weekly:10", "hot:5", "warm:4"}));
  EXPECT_EQ(Top(kMostRead, kLast30Days), (Strings{"monthly:20", "weekly:10", "hot:5", "warm:4"}));
  EXPECT_EQ(Top(kMostRead, kAllTime),
            (Strings{"legacy:1000", "monthly:20", "weekly:10", "hot:5", "warm:4"}));

  auto entries = core_->GetTopArticles({kMostRead, kLastDay, "", "", 1});
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].title, "Title hot (en)");
  EXPECT_EQ((*entries)[0].slug, "en-hot");
  EXPECT_EQ((*entries)[0].locale, "en");
  EXPECT_EQ((*entries)[0].score, 5);

  Publish("hot", ARTICLE_EVENT_TYPE_DELETED, 2);
  EXPECT_EQ(Top(kMostRead, kLastHour), (Strings{"warm:1"}));
  EXPECT_EQ(Top(kMostRead, kAllTime),
            (Strings{"legacy:1000", "monthly:20", "weekly:10", "warm:4"}));
  Publish("hot", ARTICLE_EVENT_TYPE_PUBLISHED, 1);  // a late replay changes nothing
  EXPECT_EQ(Top(kMostRead, kLastHour), (Strings{"warm:1"}));
  Publish("warm", ARTICLE_EVENT_TYPE_UNPUBLISHED, 2);
  EXPECT_EQ(Top(kMostRead, kLastHour), (Strings{}));
  Publish("hot", ARTICLE_EVENT_TYPE_PUBLISHED, 3);  // published again: back, counts kept
  EXPECT_EQ(Top(kMostRead, kLastHour), (Strings{"hot:5"}));
}

TEST_F(AnalyticsTopTest, CategoryAndLocaleFiltersUseTheEventsMetadata) {
  Publish("n1", ARTICLE_EVENT_TYPE_PUBLISHED, 1, "local", {"home", "news"}, {"zh-CN", "en"});
  Publish("s1", ARTICLE_EVENT_TYPE_PUBLISHED, 1, "sports", {"home"}, {"en"});
  RecordMany("n1", 3, "a");
  RecordMany("s1", 5, "b");
  EXPECT_EQ(Top(kMostRead, kLastDay, "news"), (Strings{"n1:3"}));
  EXPECT_EQ(Top(kMostRead, kLastDay, "local"), (Strings{"n1:3"}));
  EXPECT_EQ(Top(kMostRead, kLastDay, "home"), (Strings{"s1:5", "n1:3"}));
  EXPECT_EQ(Top(kMostRead, kLastDay, "", "zh-CN"), (Strings{"n1:3"}));
  EXPECT_EQ(Top(kMostRead, kLastDay, "", "fr"), (Strings{}));
  auto zh = core_->GetTopArticles({kMostRead, kLastDay, "", "zh-CN", 0});
  ASSERT_TRUE(zh.ok());
  EXPECT_EQ((*zh)[0].title, "Title n1 (zh-CN)");
  auto en = core_->GetTopArticles({kMostRead, kLastDay, "home", "en", 0});
  ASSERT_TRUE(en.ok());
  EXPECT_EQ((*en)[1].title, "Title n1 (en)");
  auto fallback = core_->GetTopArticles({kMostRead, kLastDay, "home", "", 0});
  ASSERT_TRUE(fallback.ok());
  EXPECT_EQ((*fallback)[1].locale, "zh-CN") << "no locale asked: the default locale";

  // The locale is normalised the way content normalises it.
  EXPECT_EQ(Top(kMostRead, kLastDay, "", "zh_cn"), (Strings{"n1:3"}));
  auto normalised = core_->GetTopArticles({kMostRead, kLastDay, "", "ZH-cn", 0});
  ASSERT_TRUE(normalised.ok()) << normalised.status();
  EXPECT_EQ((*normalised)[0].locale, "zh-CN");
  EXPECT_EQ((*normalised)[0].title, "Title n1 (zh-CN)");

  Publish("n1", ARTICLE_EVENT_TYPE_UPDATED, 2, "sports", {"home"}, {"en"});
  EXPECT_EQ(Top(kMostRead, kLastDay, "news"), (Strings{}));
  EXPECT_EQ(Top(kMostRead, kLastDay, "sports"), (Strings{"s1:5", "n1:3"}));
  EXPECT_EQ(Top(kMostRead, kLastDay, "", "zh-CN"), (Strings{}));
}

TEST_F(AnalyticsTopTest, TrendingRanksTheRiseAboveTheArticlesOwnBaseline) {
  Publish("evergreen", ARTICLE_EVENT_TYPE_PUBLISHED, 1);
  Publish("spike", ARTICLE_EVENT_TYPE_PUBLISHED, 1);
  for (int h = 24; h >= 1; --h) {
    At(absl::Hours(h), [&] { RecordMany("evergreen", 30, absl::StrCat("e", h, "-")); });
  }
  RecordMany("evergreen", 30, "e0-");
  RecordMany("spike", 20, "s");
  EXPECT_EQ(Top(kMostRead, kLastHour), (Strings{"evergreen:30", "spike:20"}));
  EXPECT_EQ(Top(kTrending, kLastHour), (Strings{"spike:20", "evergreen:30"}));
  EXPECT_EQ(Top(kTrending, std::nullopt), (Strings{"spike:20", "evergreen:30"}))
      << "default: last hour";
  // Over a day against a week, the evergreen page (new this day) is the one that rose.
  auto day = core_->GetTopArticles({kTrending, kLastDay, "", "", 0});
  ASSERT_TRUE(day.ok()) << day.status();
  ASSERT_EQ(day->size(), 2u);
  EXPECT_EQ((*day)[0].article_id, "evergreen");
  EXPECT_EQ((*day)[0].views, 720) << "the last 24 hourly buckets";
  EXPECT_GT((*day)[0].score, (*day)[1].score);
}

TEST_F(AnalyticsTopTest, SiteUpdatesAreFlushedEveryIntervalAtShutdownAndAfterAnOutage) {
  Publish("p", ARTICLE_EVENT_TYPE_PUBLISHED, 1);
  auto top_unflushed = [&] {
    auto r = core_->GetTopArticles({kMostRead, kLastHour, "", "", 0});
    return r.ok() && r->size() == 1 ? (*r)[0].views : -1;
  };
  // The fixture's store flushes every second (the default) on its own.
  RecordMany("p", 3, "a");
  EXPECT_TRUE(testing::WaitUntil([&] { return top_unflushed() == 3; }, absl::Seconds(10)));

  // A store that would wait an hour: its destructor sends what it holds.
  auto slow = std::make_unique<RedisViewStore>(
      *redis_, RedisViewStoreOptions{absl::Minutes(30), absl::Hours(1)});
  ASSERT_TRUE(slow->Record({{"p", "v:b1", "", now_}, {"p", "v:b2", "", now_}}, now_).ok());
  EXPECT_EQ(top_unflushed(), 3) << "not sent yet";
  slow.reset();
  EXPECT_EQ(top_unflushed(), 5);

  // A flush that Redis does not take keeps its updates for the next one.
  slow = std::make_unique<RedisViewStore>(*redis_,
                                          RedisViewStoreOptions{absl::Minutes(30), absl::Hours(1)});
  ASSERT_TRUE(slow->Record({{"p", "v:c1", "", now_}}, now_).ok());
  server_->Kill();
  EXPECT_EQ(slow->FlushSiteUpdates().code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE(server_->Restart().ok());
  EXPECT_TRUE(slow->FlushSiteUpdates().ok());
  EXPECT_EQ(top_unflushed(), 6);
  auto stats = core_->GetStats({"p"}, 0);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->site_today_views, 6);
}

TEST_F(AnalyticsTopTest, UpdatesRedisDidNotTakeAtShutdownAreSpilledAndReplayed) {
  Publish("p", ARTICLE_EVENT_TYPE_PUBLISHED, 1);
  testing::TempDir dir;
  const std::string spill = dir.path() + "/updates";
  RedisViewStoreOptions options{absl::Minutes(30), absl::Hours(1), spill};
  auto store = std::make_unique<RedisViewStore>(*redis_, options);
  ASSERT_TRUE(store->Record({{"p", "v:a", "", now_}, {"p", "v:b", "", now_}}, now_).ok());
  server_->Kill();
  store.reset();  // Redis is down: the updates go to the spill file
  ASSERT_TRUE(std::ifstream(spill).good());
  ASSERT_TRUE(server_->Restart().ok());

  store = std::make_unique<RedisViewStore>(*redis_, options);
  ASSERT_TRUE(store->RestoreSpilledUpdates().ok());
  EXPECT_FALSE(std::ifstream(spill).good()) << "read once, then removed";
  ASSERT_TRUE(store->FlushSiteUpdates().ok());
  ArticleStats s = StatsOf("p");
  EXPECT_EQ(s.views, 2);
  EXPECT_EQ(s.today_views, 2) << "the day bucket got the spilled views";
  auto top = core_->GetTopArticles({kMostRead, kLastHour, "", "", 0});
  ASSERT_TRUE(top.ok()) << top.status();
  ASSERT_EQ(top->size(), 1u);
  EXPECT_EQ((*top)[0].views, 2);

  // A damaged file stops the start with a message naming the flag.
  { std::ofstream(spill) << "# bulletin-analytics updates v1\ncall 1\n"; }
  store = std::make_unique<RedisViewStore>(*redis_, options);
  absl::Status restored = store->RestoreSpilledUpdates();
  EXPECT_EQ(restored.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(restored.message().rfind("--spill-file: ", 0), 0u) << restored;
}

TEST_F(AnalyticsTopTest, PastTheMemberLimitVisitorsAreDroppedButViewsStillCount) {
  SiteUpdates updates(*redis_, absl::ZeroDuration(), /*max_members=*/2);
  updates.Add([&](ViewAggregate& views) {
    ViewAggregate::Entry& entry = views.EntryOf("cap", now_);
    for (int i = 0; i < 5; ++i) {
      ++entry.counted;
      views.AddVisitor(entry, now_, absl::StrCat("v:", i));
    }
  });
  ASSERT_TRUE(updates.Flush().ok());
  ArticleKeys keys("cap");
  auto replies = redis_->Pipeline({{"GET", keys.DayViews(now_)},
                                   {"PFCOUNT", keys.DayVisitors(now_)},
                                   {"PFCOUNT", site::DayVisitors(now_)}});
  ASSERT_TRUE(replies.ok()) << replies.status();
  EXPECT_EQ((*replies)[0].str, "5");
  EXPECT_EQ((*replies)[1].integer, 2);
  EXPECT_EQ((*replies)[2].integer, 2);
}

TEST_F(AnalyticsTopTest, TopListArgumentsAreChecked) {
  auto code_of = [&](TopRequest r) { return core_->GetTopArticles(r).status(); };
  EXPECT_EQ(code_of({kTrending, kLast7Days, "", "", 0}).message().rfind("window: ", 0), 0u);
  EXPECT_EQ(code_of({kMostRead, kLastHour, "bad id", "", 0}).message().rfind("category_id: ", 0),
            0u);
  EXPECT_EQ(code_of({kMostRead, kLastHour, "", "e", 0}).message().rfind("locale: ", 0), 0u);
  EXPECT_EQ(code_of({kMostRead, kLastHour, "", "", -1}).message().rfind("page_size: ", 0), 0u);
  EXPECT_TRUE(code_of({kMostRead, kLastHour, "", "", 1000}).ok())
      << "page_size above 100 is capped";
  // An unknown kind number is refused by the adapter (analytics_grpc_test).
}

TEST_F(AnalyticsTopTest, TimeSeriesAreZeroFilledOldestFirst) {
  RecordMany("ts", 3, "a");
  RecordMany("ts", 2, "b", now_ - absl::Hours(5));
  At(absl::Hours(48), [&] { RecordMany("ts", 4, "c"); });
  FlushSite();

  auto hourly = core_->GetTimeSeries({"ts", Granularity::kHourly, std::nullopt, std::nullopt});
  ASSERT_TRUE(hourly.ok()) << hourly.status();
  ASSERT_EQ(hourly->size(), 48u);
  EXPECT_EQ(hourly->back().start, now_);  // noon: an hour start
  EXPECT_EQ(hourly->back().views, 3);
  EXPECT_EQ((*hourly)[42].views, 2);
  EXPECT_EQ((*hourly)[42].start, now_ - absl::Hours(5));
  int64_t sum = 0;
  for (const SeriesPoint& p : *hourly) sum += p.views;
  EXPECT_EQ(sum, 5) << "48 hours ago is outside the 48 hourly points";

  auto daily = core_->GetTimeSeries({"ts", Granularity::kDaily, std::nullopt, std::nullopt});
  ASSERT_TRUE(daily.ok()) << daily.status();
  ASSERT_EQ(daily->size(), 30u);
  EXPECT_EQ(daily->back().start, now_ - absl::Hours(12));
  EXPECT_EQ(daily->back().views, 5);
  EXPECT_EQ(daily->back().unique_visitors, 5);
  EXPECT_EQ((*daily)[27].views, 4);

  FlushSite();
  auto site = core_->GetTimeSeries({"", Granularity::kDaily, now_ - absl::Hours(24 * 3), now_});
  ASSERT_TRUE(site.ok()) << site.status();
  ASSERT_EQ(site->size(), 4u);  // the end rounds up to include today
  EXPECT_EQ(site->back().views, 5);
  EXPECT_EQ((*site)[1].views, 4);

  auto message = [&](SeriesRequest r) {
    return std::string(core_->GetTimeSeries(r).status().message());
  };
  EXPECT_EQ(message({"ts", std::nullopt, std::nullopt, std::nullopt}).rfind("granularity: ", 0),
            0u);
  EXPECT_EQ(message({"bad id", Granularity::kHourly, std::nullopt, std::nullopt})
                .rfind("article_id: ", 0),
            0u);
  EXPECT_EQ(
      message({"ts", Granularity::kHourly, now_, now_ - absl::Hours(2)}).rfind("end_time: ", 0),
      0u);
  EXPECT_EQ(
      message({"ts", Granularity::kHourly, now_ - absl::Hours(49), now_}).rfind("start_time: ", 0),
      0u);
  EXPECT_EQ(message({"ts", Granularity::kDaily, now_ - absl::Hours(24 * 401), now_})
                .rfind("start_time: ", 0),
            0u);
}

}  // namespace
}  // namespace bulletin::analytics
