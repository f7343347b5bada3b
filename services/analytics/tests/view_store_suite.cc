// The ViewStore contract (core/view_store.h) as tests, run against every backend: counting
// and totals, the count window, request-id dedupe, filtered views, baselines, statistics,
// time series, top lists with their filters and metadata, trending, daily salts.
#include "services/analytics/tests/view_store_suite.h"

#include <gmock/gmock.h>

#include <limits>

#include "absl/strings/str_cat.h"
#include "common/testing/process.h"
#include "common/testing/status_matchers.h"

namespace bulletin::analytics {

using Strings = std::vector<std::string>;

void ViewStoreSuite::SetUp() {
  // Noon UTC today: "yesterday" and "today" are unambiguous whatever the wall clock.
  now_ = absl::FromCivil(absl::CivilDay(absl::ToCivilDay(absl::Now(), absl::UTCTimeZone())),
                         absl::UTCTimeZone()) +
         absl::Hours(12);
  Use(absl::Minutes(30));
}

void ViewStoreSuite::Use(absl::Duration count_window) {
  harness_.reset();
  ASSERT_OK_AND_ASSIGN(harness_, GetParam().make(count_window));
}

ResolvedView ViewStoreSuite::V(const std::string& article, const std::string& visitor,
                               std::optional<absl::Time> time, const std::string& request,
                               NotCounted filtered) const {
  return {article, visitor, request, time.value_or(now_), filtered};
}

std::vector<RecordResult> ViewStoreSuite::Record(const std::vector<ResolvedView>& views) {
  absl::StatusOr<std::vector<RecordResult>> r = store().Record(views, now_);
  EXPECT_OK(r);
  if (!r.ok()) return std::vector<RecordResult>(views.size());
  EXPECT_EQ(r->size(), views.size());
  return *std::move(r);
}

void ViewStoreSuite::RecordMany(const std::string& article, int n, const std::string& prefix,
                                std::optional<absl::Time> time) {
  std::vector<ResolvedView> views;
  for (int i = 0; i < n; ++i) views.push_back(V(article, absl::StrCat("v:", prefix, i), time));
  Record(views);
}

void ViewStoreSuite::Flush() { EXPECT_OK(harness_->Flush()); }

ArticleStats ViewStoreSuite::StatsOf(const std::string& id, int window_days) {
  Flush();
  absl::StatusOr<StatsResult> r = store().Stats({id}, window_days, now_);
  EXPECT_OK(r);
  return r.ok() && r->stats.size() == 1 ? r->stats[0] : ArticleStats{};
}

std::vector<std::string> ViewStoreSuite::TopOf(TopKind kind, Window window,
                                               const std::string& category,
                                               const std::string& locale, int limit) {
  Flush();
  absl::StatusOr<std::vector<TopEntry>> r =
      store().Top({kind, window, category, locale, limit}, now_);
  EXPECT_OK(r);
  std::vector<std::string> out;
  if (r.ok()) {
    for (const TopEntry& e : *r) out.push_back(absl::StrCat(e.article_id, ":", e.views));
  }
  return out;
}

bool ViewStoreSuite::Apply(const std::string& id, int64_t revision, bool published,
                           std::vector<std::string> categories, std::vector<std::string> locales) {
  ArticleMeta meta;
  meta.article_id = id;
  meta.revision = revision;
  meta.published = published;
  meta.categories = std::move(categories);
  meta.default_locale = locales.empty() ? "" : locales[0];
  for (const std::string& l : locales) {
    meta.translations.push_back(
        {l, absl::StrCat("Title ", id, " (", l, ")"), absl::StrCat(l, "-", id)});
  }
  absl::StatusOr<bool> applied = store().ApplyArticle(meta);
  EXPECT_OK(applied);
  return applied.ok() && *applied;
}

namespace {

using ::bulletin::testing::StatusIs;

TEST_P(ViewStoreSuite, CountsViewsAndDistinctVisitorsWithTheTotalsAfterEachView) {
  std::vector<RecordResult> r =
      Record({V("a", "v:alice"), V("a", "v:bob"), V("a", "v:alice"), V("b", "v:alice")});
  ASSERT_EQ(r.size(), 4u);
  EXPECT_TRUE(r[0].counted);
  EXPECT_TRUE(r[1].counted);
  EXPECT_FALSE(r[2].counted);
  EXPECT_EQ(r[2].reason, NotCounted::kRepeat);
  EXPECT_TRUE(r[3].counted) << "articles are separate";
  EXPECT_EQ(r[0].totals.article_id, "a");
  EXPECT_EQ(r[3].totals.article_id, "b");
  EXPECT_EQ(r[0].totals.views, 1);
  EXPECT_EQ(r[1].totals.views, 2);
  EXPECT_EQ(r[2].totals.views, 2);
  EXPECT_EQ(r[3].totals.views, 1);
  EXPECT_EQ(r[0].totals.unique_visitors, 1);
  EXPECT_EQ(r[1].totals.unique_visitors, 2);
  EXPECT_EQ(r[2].totals.unique_visitors, 2);
  EXPECT_EQ(Record({V("a", "v:carol")})[0].totals.views, 3);
  ArticleStats s = StatsOf("a");
  EXPECT_EQ(s.views, 3);
  EXPECT_EQ(s.unique_visitors, 3);
  EXPECT_EQ(s.not_counted[NotCounted::kRepeat], 1);
}

TEST_P(ViewStoreSuite, TheCountWindowExpiresAndRepeatsDoNotExtendIt) {
  Use(absl::Milliseconds(200));
  EXPECT_TRUE(Record({V("a", "v:alice")})[0].counted);
  EXPECT_EQ(Record({V("a", "v:alice")})[0].reason, NotCounted::kRepeat);
  // Repeats every few milliseconds: were the window extended by them, none would count.
  EXPECT_TRUE(
      testing::WaitUntil([&] { return Record({V("a", "v:alice")})[0].counted; }, absl::Seconds(5)));
  ArticleStats s = StatsOf("a");
  EXPECT_EQ(s.views, 2);
  EXPECT_EQ(s.unique_visitors, 1);
  EXPECT_GE(s.not_counted[NotCounted::kRepeat], 1);
}

TEST_P(ViewStoreSuite, WithoutACountWindowEveryViewCounts) {
  Use(absl::ZeroDuration());
  std::vector<RecordResult> r = Record({V("a", "v:alice"), V("a", "v:alice"), V("a", "v:alice")});
  EXPECT_TRUE(r[0].counted && r[1].counted && r[2].counted);
  EXPECT_EQ(r[2].totals.views, 3);
  EXPECT_EQ(r[2].totals.unique_visitors, 1);
}

TEST_P(ViewStoreSuite, ARequestIdCountsOnceAndRemembersWhetherItsFirstViewCounted) {
  EXPECT_TRUE(Record({V("a", "v:alice", now_, "req-1")})[0].counted);
  RecordResult retry = Record({V("a", "v:bob", now_, "req-1")})[0];
  EXPECT_FALSE(retry.counted) << "even another visitor: the request was recorded";
  EXPECT_EQ(retry.reason, NotCounted::kDuplicateRequest);
  EXPECT_TRUE(retry.counted_before);
  EXPECT_EQ(retry.totals.views, 1);
  EXPECT_EQ(Record({V("a", "v:alice", now_, "req-2")})[0].reason, NotCounted::kRepeat);
  RecordResult repeat_retry = Record({V("a", "v:carol", now_, "req-2")})[0];
  EXPECT_EQ(repeat_retry.reason, NotCounted::kDuplicateRequest);
  EXPECT_FALSE(repeat_retry.counted_before) << "its first view was a repeat";
  ArticleStats s = StatsOf("a");
  EXPECT_EQ(s.views, 1);
  EXPECT_EQ(s.not_counted[NotCounted::kDuplicateRequest], 2);
  EXPECT_EQ(s.not_counted[NotCounted::kRepeat], 1);
}

TEST_P(ViewStoreSuite, FilteredViewsAreOnlyTalliedAndLeaveNoMarkers) {
  std::vector<RecordResult> r = Record({V("a", "v:bot", now_, "req-9", NotCounted::kBot),
                                        V("a", "v:staff", now_, "", NotCounted::kExcludedAddress)});
  EXPECT_FALSE(r[0].counted);
  EXPECT_EQ(r[0].reason, NotCounted::kBot);
  EXPECT_FALSE(r[1].counted);
  EXPECT_EQ(r[1].reason, NotCounted::kExcludedAddress);
  EXPECT_EQ(r[1].totals.views, 0);
  EXPECT_TRUE(Record({V("a", "v:bot", now_, "req-9")})[0].counted)
      << "no count-window or request marker was set by the filtered view";
  ArticleStats s = StatsOf("a");
  EXPECT_EQ(s.views, 1);
  EXPECT_EQ(s.not_counted, (std::map<NotCounted, int64_t>{{NotCounted::kBot, 1},
                                                          {NotCounted::kExcludedAddress, 1}}));
  EXPECT_EQ(s.visitors_now, 1) << "filtered views are not visitors right now";
}

TEST_P(ViewStoreSuite, ImportReplacesTheBaselineAndTotalsBuildOnIt) {
  ASSERT_TRUE(Apply("legacy", 1, true));
  ASSERT_TRUE(Apply("other", 1, true));
  ASSERT_OK_AND_ASSIGN(std::vector<Totals> t, store().Import({{"legacy", 789, 500}}));
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].article_id, "legacy");
  EXPECT_EQ(t[0].views, 789);
  EXPECT_EQ(t[0].unique_visitors, 500);
  RecordResult r = Record({V("legacy", "v:alice")})[0];
  EXPECT_EQ(r.totals.views, 790);
  EXPECT_EQ(r.totals.unique_visitors, 501);
  ASSERT_OK_AND_ASSIGN(t, store().Import({{"legacy", 789, 500}}));
  EXPECT_EQ(t[0].views, 790) << "a baseline is replaced, not added";
  ASSERT_OK_AND_ASSIGN(t, store().Import({{"legacy", 100, 50}, {"other", 5, 1}}));
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].views, 101);
  EXPECT_EQ(t[0].unique_visitors, 51);
  EXPECT_EQ(t[1].views, 5);
  EXPECT_EQ(t[1].unique_visitors, 1);
  ArticleStats s = StatsOf("legacy");
  EXPECT_EQ(s.views, 101);
  EXPECT_EQ(s.unique_visitors, 51);
  EXPECT_EQ(s.imported_views, 100);
  EXPECT_EQ(s.today_views, 1);
  EXPECT_EQ(TopOf(TopKind::kMostRead, Window::kAllTime), (Strings{"legacy:101", "other:5"}));
  EXPECT_EQ(TopOf(TopKind::kMostRead, Window::kLastDay), (Strings{"legacy:1"}));
}

TEST_P(ViewStoreSuite, StatsCoverTodayTheWindowAndVisitorsRightNow) {
  Use(absl::ZeroDuration());
  Record({V("a", "v:alice", now_ - absl::Hours(20)), V("a", "v:alice"),
          V("a", "v:bob", now_ - absl::Minutes(10)), V("a", "v:carol", now_ - absl::Minutes(2)),
          V("b", "v:dave")});
  Flush();
  ASSERT_OK_AND_ASSIGN(StatsResult day, store().Stats({"a", "unknown"}, 1, now_));
  ASSERT_EQ(day.stats.size(), 2u);
  const ArticleStats& a = day.stats[0];
  EXPECT_EQ(a.article_id, "a");
  EXPECT_EQ(a.views, 4);
  EXPECT_EQ(a.unique_visitors, 3);
  EXPECT_EQ(a.today_views, 3);
  EXPECT_EQ(a.window_views, 3);
  EXPECT_EQ(a.window_unique_visitors, 3);
  EXPECT_EQ(a.visitors_now, 2) << "alice and carol: bob was 10 minutes ago";
  const ArticleStats& unknown = day.stats[1];
  EXPECT_EQ(unknown.article_id, "unknown");
  EXPECT_EQ(unknown.views + unknown.unique_visitors + unknown.today_views + unknown.window_views +
                unknown.visitors_now + unknown.imported_views,
            0);
  EXPECT_TRUE(unknown.not_counted.empty());
  EXPECT_EQ(day.site_today_views, 4);
  EXPECT_EQ(day.site_visitors_now, 3);
  ASSERT_OK_AND_ASSIGN(StatsResult week, store().Stats({"a"}, 7, now_));
  EXPECT_EQ(week.stats[0].window_views, 4);
  EXPECT_EQ(week.stats[0].window_unique_visitors, 3) << "alice on both days is one visitor";
}

TEST_P(ViewStoreSuite, SeriesAreHourlyOrDailyPerArticleAndForTheSite) {
  Use(absl::ZeroDuration());
  RecordMany("ts", 3, "a");
  RecordMany("ts", 2, "b", now_ - absl::Hours(5));
  RecordMany("ts", 4, "c", now_ - absl::Hours(48));
  RecordMany("other", 1, "d");
  Flush();
  ASSERT_OK_AND_ASSIGN(std::vector<SeriesPoint> hourly,
                       store().Series("ts", Granularity::kHourly, now_ - absl::Hours(47), 48));
  ASSERT_EQ(hourly.size(), 48u);
  EXPECT_EQ(hourly.back().start, now_);
  EXPECT_EQ(hourly.back().views, 3);
  EXPECT_EQ(hourly[42].start, now_ - absl::Hours(5));
  EXPECT_EQ(hourly[42].views, 2);
  int64_t sum = 0;
  for (const SeriesPoint& p : hourly) sum += p.views;
  EXPECT_EQ(sum, 5) << "48 hours ago is before the first point";
  const absl::Time today = now_ - absl::Hours(12);
  ASSERT_OK_AND_ASSIGN(std::vector<SeriesPoint> daily,
                       store().Series("ts", Granularity::kDaily, today - absl::Hours(24 * 29), 30));
  ASSERT_EQ(daily.size(), 30u);
  EXPECT_EQ(daily.back().start, today);
  EXPECT_EQ(daily.back().views, 5);
  EXPECT_EQ(daily.back().unique_visitors, 5);
  EXPECT_EQ(daily[27].views, 4);
  EXPECT_EQ(daily[27].unique_visitors, 4);
  ASSERT_OK_AND_ASSIGN(std::vector<SeriesPoint> site,
                       store().Series("", Granularity::kDaily, today - absl::Hours(24 * 3), 4));
  ASSERT_EQ(site.size(), 4u);
  EXPECT_EQ(site.back().views, 6);
  EXPECT_EQ(site.back().unique_visitors, 6);
  EXPECT_EQ(site[1].views, 4);
  ASSERT_OK_AND_ASSIGN(std::vector<SeriesPoint> none,
                       store().Series("unknown", Granularity::kHourly, now_, 2));
  ASSERT_EQ(none.size(), 2u);
  EXPECT_EQ(none[0].views + none[1].views, 0);
  EXPECT_EQ(none[1].start, now_ + absl::Hours(1));
}

TEST_P(ViewStoreSuite, MostReadRanksThePublishedArticlesOfEachWindow) {
  Use(absl::ZeroDuration());
  for (const char* id : {"hot", "warm", "weekly", "monthly", "legacy", "tie-a", "tie-b"}) {
    ASSERT_TRUE(Apply(id, 1, true));
  }
  RecordMany("hot", 5, "h");
  RecordMany("warm", 3, "w", now_ - absl::Hours(2));
  RecordMany("warm", 1, "w-now");
  RecordMany("weekly", 10, "k", now_ - absl::Hours(24 * 3));
  RecordMany("monthly", 20, "m", now_ - absl::Hours(24 * 20));
  RecordMany("unknown", 50, "u");  // never published: never listed
  ASSERT_OK(store().Import({{"legacy", 1000, 0}}));
  EXPECT_EQ(TopOf(TopKind::kMostRead, Window::kLastHour), (Strings{"hot:5", "warm:1"}));
  EXPECT_EQ(TopOf(TopKind::kMostRead, Window::kLastDay), (Strings{"hot:5", "warm:4"}));
  EXPECT_EQ(TopOf(TopKind::kMostRead, Window::kLast7Days),
            (Strings{"weekly:10", "hot:5", "warm:4"}));
  EXPECT_EQ(TopOf(TopKind::kMostRead, Window::kLast30Days),
            (Strings{"monthly:20", "weekly:10", "hot:5", "warm:4"}));
  EXPECT_EQ(TopOf(TopKind::kMostRead, Window::kAllTime),
            (Strings{"legacy:1000", "monthly:20", "weekly:10", "hot:5", "warm:4"}));
  EXPECT_EQ(TopOf(TopKind::kMostRead, Window::kLastDay, "", "", 1), (Strings{"hot:5"}));
  ASSERT_OK_AND_ASSIGN(std::vector<TopEntry> top,
                       store().Top({TopKind::kMostRead, Window::kLastDay, "", "", 1}, now_));
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].score, 5);
  EXPECT_EQ(top[0].title, "Title hot (en)");
  EXPECT_EQ(top[0].slug, "en-hot");
  EXPECT_EQ(top[0].locale, "en");
  RecordMany("tie-a", 2, "ta");
  RecordMany("tie-b", 2, "tb");
  EXPECT_EQ(TopOf(TopKind::kMostRead, Window::kLastHour),
            (Strings{"hot:5", "tie-b:2", "tie-a:2", "warm:1"}))
      << "equal views: article id descending";
}

TEST_P(ViewStoreSuite, TopListsFilterByCategoryOrAncestorAndByLocale) {
  ASSERT_TRUE(Apply("n1", 1, true, {"local", "home", "news"}, {"zh-CN", "en"}));
  ASSERT_TRUE(Apply("s1", 1, true, {"sports", "home"}, {"en"}));
  RecordMany("n1", 3, "a");
  RecordMany("s1", 5, "b");
  EXPECT_EQ(TopOf(TopKind::kMostRead, Window::kLastDay, "news"), (Strings{"n1:3"}));
  EXPECT_EQ(TopOf(TopKind::kMostRead, Window::kLastDay, "local"), (Strings{"n1:3"}));
  EXPECT_EQ(TopOf(TopKind::kMostRead, Window::kLastDay, "home"), (Strings{"s1:5", "n1:3"}));
  EXPECT_EQ(TopOf(TopKind::kMostRead, Window::kLastDay, "", "zh-CN"), (Strings{"n1:3"}));
  EXPECT_EQ(TopOf(TopKind::kMostRead, Window::kLastDay, "", "fr"), (Strings{}));
  EXPECT_EQ(TopOf(TopKind::kMostRead, Window::kLastDay, "home", "en"), (Strings{"s1:5", "n1:3"}));
  ASSERT_OK_AND_ASSIGN(std::vector<TopEntry> zh,
                       store().Top({TopKind::kMostRead, Window::kLastDay, "", "zh-CN", 10}, now_));
  ASSERT_EQ(zh.size(), 1u);
  EXPECT_EQ(zh[0].title, "Title n1 (zh-CN)");
  EXPECT_EQ(zh[0].slug, "zh-CN-n1");
  ASSERT_OK_AND_ASSIGN(std::vector<TopEntry> en,
                       store().Top({TopKind::kMostRead, Window::kLastDay, "home", "en", 10}, now_));
  ASSERT_EQ(en.size(), 2u);
  EXPECT_EQ(en[1].title, "Title n1 (en)");
  EXPECT_EQ(en[1].locale, "en");
  ASSERT_OK_AND_ASSIGN(std::vector<TopEntry> fallback,
                       store().Top({TopKind::kMostRead, Window::kLastDay, "home", "", 10}, now_));
  ASSERT_EQ(fallback.size(), 2u);
  EXPECT_EQ(fallback[1].locale, "zh-CN") << "no locale asked: the default locale";
  EXPECT_EQ(fallback[1].title, "Title n1 (zh-CN)");
  // A new revision moves the article between the filter sets.
  ASSERT_TRUE(Apply("n1", 2, true, {"sports", "home"}, {"en"}));
  EXPECT_EQ(TopOf(TopKind::kMostRead, Window::kLastDay, "news"), (Strings{}));
  EXPECT_EQ(TopOf(TopKind::kMostRead, Window::kLastDay, "sports"), (Strings{"s1:5", "n1:3"}));
  EXPECT_EQ(TopOf(TopKind::kMostRead, Window::kLastDay, "", "zh-CN"), (Strings{}));
}

TEST_P(ViewStoreSuite, TheNewestRevisionWinsAndATakeDownWinsAtEqualRevisions) {
  ASSERT_TRUE(Apply("p", 1, true, {"old"}));
  RecordMany("p", 2, "a");
  EXPECT_EQ(TopOf(TopKind::kMostRead, Window::kLastHour), (Strings{"p:2"}));
  EXPECT_TRUE(Apply("p", 2, false));  // deleted
  EXPECT_EQ(TopOf(TopKind::kMostRead, Window::kLastHour), (Strings{}));
  EXPECT_FALSE(Apply("p", 1, true)) << "an older revision changes nothing";
  EXPECT_FALSE(Apply("p", 2, true)) << "a replayed publish of the same snapshot";
  EXPECT_EQ(TopOf(TopKind::kMostRead, Window::kLastHour), (Strings{}));
  EXPECT_TRUE(Apply("p", 2, false)) << "a replay of the take-down is harmless";
  EXPECT_TRUE(Apply("p", 3, true, {"new"}));
  EXPECT_EQ(TopOf(TopKind::kMostRead, Window::kLastHour, "old"), (Strings{}));
  EXPECT_EQ(TopOf(TopKind::kMostRead, Window::kLastHour, "new"), (Strings{"p:2"}))
      << "published again: back, with its counts";
}

TEST_P(ViewStoreSuite, TrendingRanksARiseAboveTheArticlesOwnBaseline) {
  Use(absl::ZeroDuration());
  ASSERT_TRUE(Apply("evergreen", 1, true));
  ASSERT_TRUE(Apply("spike", 1, true));
  for (int h = 24; h >= 1; --h) {
    RecordMany("evergreen", 30, absl::StrCat("e", h, "-"), now_ - absl::Hours(h));
  }
  RecordMany("evergreen", 30, "e0-");
  RecordMany("spike", 20, "s");
  EXPECT_EQ(TopOf(TopKind::kMostRead, Window::kLastHour), (Strings{"evergreen:30", "spike:20"}));
  EXPECT_EQ(TopOf(TopKind::kTrending, Window::kLastHour), (Strings{"spike:20", "evergreen:30"}));
  ASSERT_OK_AND_ASSIGN(std::vector<TopEntry> day,
                       store().Top({TopKind::kTrending, Window::kLastDay, "", "", 10}, now_));
  ASSERT_EQ(day.size(), 2u);
  EXPECT_EQ(day[0].article_id, "evergreen") << "over a day against a week, evergreen rose";
  EXPECT_EQ(day[0].views, 720) << "the last 24 hourly buckets";
  EXPECT_GT(day[0].score, day[1].score);
}

TEST_P(ViewStoreSuite, ARetryOfACountedViewAddsNothingToTheDeferredSide) {
  // A retry stands for a first attempt whose answer was lost; that attempt's deferred
  // updates are the store's to apply (Redis journals them with the count), so the retry
  // adds neither to the totals nor to the buckets.
  EXPECT_TRUE(Record({V("p", "v:a", now_, "req-1")})[0].counted);
  RecordResult retry = Record({V("p", "v:a", now_, "req-1")})[0];
  EXPECT_EQ(retry.reason, NotCounted::kDuplicateRequest);
  EXPECT_TRUE(retry.counted_before);
  EXPECT_EQ(retry.totals.views, 1);
  ArticleStats s = StatsOf("p");
  EXPECT_EQ(s.today_views, 1);
  EXPECT_EQ(s.window_views, 1);
  EXPECT_EQ(Record({V("q", "v:b", now_, "req-2")})[0].reason, NotCounted::kNone);
  EXPECT_EQ(Record({V("q", "v:b", now_, "req-3")})[0].reason, NotCounted::kRepeat);
  RecordResult repeat = Record({V("q", "v:b", now_, "req-3")})[0];
  EXPECT_FALSE(repeat.counted_before);
  EXPECT_EQ(StatsOf("q").today_views, 1) << "a retried repeat adds nothing";
}

TEST_P(ViewStoreSuite, ImportRefusesATotalAbove2To53AndWritesNothing) {
  // The case: a baseline of 2^63-1 and one counted view made the totals negative.
  EXPECT_TRUE(Record({V("big", "v:alice")})[0].counted);
  EXPECT_THAT(store().Import({{"big", std::numeric_limits<int64_t>::max(), 0}}),
              StatusIs(absl::StatusCode::kInvalidArgument, "items[0].views: "));
  EXPECT_THAT(store().Import({{"small", 5, 1}, {"big", kMaxCount, 0}}),
              StatusIs(absl::StatusCode::kInvalidArgument, "items[1].views: "));
  EXPECT_THAT(store().Import({{"big", 0, kMaxCount}}),
              StatusIs(absl::StatusCode::kInvalidArgument, "items[0].unique_visitors: "));
  EXPECT_EQ(StatsOf("small").imported_views, 0) << "a refused import writes nothing";
  EXPECT_EQ(StatsOf("big").views, 1);

  ASSERT_OK_AND_ASSIGN(std::vector<Totals> t,
                       store().Import({{"big", kMaxCount - 1, kMaxCount - 1}}));
  EXPECT_EQ(t[0].views, kMaxCount) << "exactly 2^53 is allowed";
  EXPECT_EQ(t[0].unique_visitors, kMaxCount);
  RecordResult r = Record({V("big", "v:bob")})[0];
  EXPECT_TRUE(r.counted);
  EXPECT_EQ(r.totals.views, kMaxCount + 1) << "counting goes on past it, never wrapping";
  EXPECT_GT(StatsOf("big").views, 0);
}

TEST_P(ViewStoreSuite, ImportAppliesItemsInOrder) {
  ASSERT_TRUE(Apply("dup", 1, true));
  ASSERT_OK_AND_ASSIGN(std::vector<Totals> t, store().Import({{"dup", 5, 1}, {"dup", 7, 2}}));
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].views, 5);
  EXPECT_EQ(t[1].views, 7);
  EXPECT_EQ(StatsOf("dup").imported_views, 7) << "the last item wins";
  EXPECT_EQ(TopOf(TopKind::kMostRead, Window::kAllTime), (Strings{"dup:7"}));
}

TEST_P(ViewStoreSuite, ThereIsOneSaltPerUtcDay) {
  ASSERT_OK_AND_ASSIGN(std::string noon, store().DailySalt(now_));
  ASSERT_OK_AND_ASSIGN(std::string evening, store().DailySalt(now_ + absl::Hours(11)));
  ASSERT_OK_AND_ASSIGN(std::string tomorrow, store().DailySalt(now_ + absl::Hours(24)));
  EXPECT_GE(noon.size(), 32u);
  EXPECT_EQ(noon, evening);
  EXPECT_NE(noon, tomorrow);
}

TEST_P(ViewStoreSuite, UnknownArticlesReadAsNothing) {
  ASSERT_OK_AND_ASSIGN(StatsResult stats, store().Stats({"x", "y"}, 30, now_));
  ASSERT_EQ(stats.stats.size(), 2u);
  EXPECT_EQ(stats.stats[1].article_id, "y");
  EXPECT_EQ(stats.stats[1].views, 0);
  EXPECT_EQ(stats.site_today_views, 0);
  EXPECT_EQ(TopOf(TopKind::kTrending, Window::kLastHour), (Strings{}));
  EXPECT_TRUE(Apply("x", 1, false)) << "a take-down of an unknown article is kept";
  EXPECT_FALSE(Apply("x", 1, true)) << "so a late publish of that snapshot loses";
}

}  // namespace
}  // namespace bulletin::analytics
