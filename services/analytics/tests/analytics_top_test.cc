// Top lists and time series through the core over the in-memory store (unit), with an
// injected clock: most read per window, trending, category/locale filters (locales
// normalised), metadata learnt from ArticleEvents through the events/ handler, deleted
// articles dropped, argument checks, and zero-filled series.
#include "services/analytics/tests/analytics_fixture.h"

namespace bulletin::analytics {
namespace {

using ::bulletin::testing::StatusIs;
using events::v1::ARTICLE_EVENT_TYPE_DELETED;
using events::v1::ARTICLE_EVENT_TYPE_PUBLISHED;
using events::v1::ARTICLE_EVENT_TYPE_UNPUBLISHED;
using events::v1::ARTICLE_EVENT_TYPE_UPDATED;
using ::testing::StartsWith;

class AnalyticsTopTest : public AnalyticsFixture {
 protected:
  // "id:views" of a top list, best first.
  std::vector<std::string> Top(std::optional<TopKind> kind, std::optional<Window> window,
                               const std::string& category = "", const std::string& locale = "") {
    absl::StatusOr<std::vector<TopEntry>> r =
        core_->GetTopArticles({kind, window, category, locale, 0});
    EXPECT_OK(r);
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
  ASSERT_OK(core_->ImportViews(kAdmin, {{"legacy", 1000, 0}}));
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

  ASSERT_OK_AND_ASSIGN(auto entries, core_->GetTopArticles({kMostRead, kLastDay, "", "", 1}));
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].title, "Title hot (en)");
  EXPECT_EQ(entries[0].slug, "en-hot");
  EXPECT_EQ(entries[0].locale, "en");
  EXPECT_EQ(entries[0].score, 5);

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
  ASSERT_OK_AND_ASSIGN(auto zh, core_->GetTopArticles({kMostRead, kLastDay, "", "zh-CN", 0}));
  EXPECT_EQ(zh[0].title, "Title n1 (zh-CN)");
  ASSERT_OK_AND_ASSIGN(auto en, core_->GetTopArticles({kMostRead, kLastDay, "home", "en", 0}));
  EXPECT_EQ(en[1].title, "Title n1 (en)");
  ASSERT_OK_AND_ASSIGN(auto fallback, core_->GetTopArticles({kMostRead, kLastDay, "home", "", 0}));
  EXPECT_EQ(fallback[1].locale, "zh-CN") << "no locale asked: the default locale";

  // The locale is normalised the way content normalises it.
  EXPECT_EQ(Top(kMostRead, kLastDay, "", "zh_cn"), (Strings{"n1:3"}));
  ASSERT_OK_AND_ASSIGN(auto normalised,
                       core_->GetTopArticles({kMostRead, kLastDay, "", "ZH-cn", 0}));
  EXPECT_EQ(normalised[0].locale, "zh-CN");
  EXPECT_EQ(normalised[0].title, "Title n1 (zh-CN)");

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
  ASSERT_OK_AND_ASSIGN(auto day, core_->GetTopArticles({kTrending, kLastDay, "", "", 0}));
  ASSERT_EQ(day.size(), 2u);
  EXPECT_EQ(day[0].article_id, "evergreen");
  EXPECT_EQ(day[0].views, 720) << "the last 24 hourly buckets";
  EXPECT_GT(day[0].score, day[1].score);
}

TEST_F(AnalyticsTopTest, TopListArgumentsAreChecked) {
  auto status_of = [&](TopRequest r) { return core_->GetTopArticles(r).status(); };
  const std::vector<std::pair<TopRequest, std::string>> invalid = {
      {{kTrending, kLast7Days, "", "", 0}, "window: "},
      {{kMostRead, kLastHour, "bad id", "", 0}, "category_id: "},
      {{kMostRead, kLastHour, "", "e", 0}, "locale: "},
      {{kMostRead, kLastHour, "", "", -1}, "page_size: "},
  };
  for (const auto& [request, field] : invalid) {
    absl::Status s = status_of(request);
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument)) << field;
    EXPECT_THAT(std::string(s.message()), StartsWith(field));
  }
  EXPECT_OK(status_of({kMostRead, kLastHour, "", "", 1000})) << "page_size above 100 is capped";
  // An unknown kind number is refused by the adapter (analytics_grpc_test).
}

TEST_F(AnalyticsTopTest, TimeSeriesAreZeroFilledOldestFirst) {
  RecordMany("ts", 3, "a");
  RecordMany("ts", 2, "b", now_ - absl::Hours(5));
  At(absl::Hours(48), [&] { RecordMany("ts", 4, "c"); });

  ASSERT_OK_AND_ASSIGN(
      auto hourly, core_->GetTimeSeries({"ts", Granularity::kHourly, std::nullopt, std::nullopt}));
  ASSERT_EQ(hourly.size(), 48u);
  EXPECT_EQ(hourly.back().start, now_);  // noon: an hour start
  EXPECT_EQ(hourly.back().views, 3);
  EXPECT_EQ(hourly[42].views, 2);
  EXPECT_EQ(hourly[42].start, now_ - absl::Hours(5));
  int64_t sum = 0;
  for (const SeriesPoint& p : hourly) sum += p.views;
  EXPECT_EQ(sum, 5) << "48 hours ago is outside the 48 hourly points";

  ASSERT_OK_AND_ASSIGN(
      auto daily, core_->GetTimeSeries({"ts", Granularity::kDaily, std::nullopt, std::nullopt}));
  ASSERT_EQ(daily.size(), 30u);
  EXPECT_EQ(daily.back().start, now_ - absl::Hours(12));
  EXPECT_EQ(daily.back().views, 5);
  EXPECT_EQ(daily.back().unique_visitors, 5);
  EXPECT_EQ(daily[27].views, 4);

  ASSERT_OK_AND_ASSIGN(
      auto site, core_->GetTimeSeries({"", Granularity::kDaily, now_ - absl::Hours(24 * 3), now_}));
  ASSERT_EQ(site.size(), 4u);  // the end rounds up to include today
  EXPECT_EQ(site.back().views, 5);
  EXPECT_EQ(site[1].views, 4);

  auto message = [&](SeriesRequest r) {
    return std::string(core_->GetTimeSeries(r).status().message());
  };
  EXPECT_THAT(message({"ts", std::nullopt, std::nullopt, std::nullopt}),
              StartsWith("granularity: "));
  EXPECT_THAT(message({"bad id", Granularity::kHourly, std::nullopt, std::nullopt}),
              StartsWith("article_id: "));
  EXPECT_THAT(message({"ts", Granularity::kHourly, now_, now_ - absl::Hours(2)}),
              StartsWith("end_time: "));
  EXPECT_THAT(message({"ts", Granularity::kHourly, now_ - absl::Hours(49), now_}),
              StartsWith("start_time: "));
  EXPECT_THAT(message({"ts", Granularity::kDaily, now_ - absl::Hours(24 * 401), now_}),
              StartsWith("start_time: "));
}

TEST_F(AnalyticsTopTest, TimeSeriesTimesFarAwayAreRefusedNamingTheField) {
  const absl::Time far = absl::FromUnixSeconds(int64_t{1} << 62);  // the end time
  auto status = [&](SeriesRequest r) { return core_->GetTimeSeries(r).status(); };
  for (Granularity g : {Granularity::kHourly, Granularity::kDaily}) {
    EXPECT_THAT(status({"ts", g, std::nullopt, far}),
                StatusIs(absl::StatusCode::kInvalidArgument, "end_time: more than 24 hours"));
    EXPECT_THAT(status({"ts", g, now_, far}),
                StatusIs(absl::StatusCode::kInvalidArgument, "end_time: more than 24 hours"));
    EXPECT_THAT(status({"ts", g, far, std::nullopt}),
                StatusIs(absl::StatusCode::kInvalidArgument, "start_time: more than 24 hours"));
    EXPECT_THAT(status({"ts", g, std::nullopt, absl::InfiniteFuture()}),
                StatusIs(absl::StatusCode::kInvalidArgument, "end_time: "));
    EXPECT_THAT(status({"ts", g, absl::InfinitePast(), std::nullopt}),
                StatusIs(absl::StatusCode::kInvalidArgument, "start_time: older than"));
    EXPECT_THAT(status({"ts", g, std::nullopt, absl::InfinitePast()}),
                StatusIs(absl::StatusCode::kInvalidArgument, "end_time: older than"));
  }
  EXPECT_THAT(status({"ts", Granularity::kHourly, now_ + absl::Hours(2), std::nullopt}),
              StatusIs(absl::StatusCode::kInvalidArgument, "start_time: must not be after"));
  // The most a range may span: 48 hourly points, or 400 daily ones.
  EXPECT_THAT(status({"ts", Granularity::kHourly, now_ - absl::Hours(47), now_ + absl::Hours(2)}),
              StatusIs(absl::StatusCode::kInvalidArgument, "start_time: the range is longer"));
  ASSERT_OK_AND_ASSIGN(
      auto ahead, core_->GetTimeSeries(
                      {"ts", Granularity::kHourly, now_ - absl::Hours(2), now_ + absl::Hours(24)}));
  EXPECT_EQ(ahead.size(), 26u) << "up to 24 hours ahead is allowed (zero points)";
  ASSERT_OK_AND_ASSIGN(auto old_end, core_->GetTimeSeries({"ts", Granularity::kHourly, std::nullopt,
                                                           now_ - absl::Hours(40)}));
  EXPECT_EQ(old_end.size(), 7u) << "a default start stops at the retention";
}

}  // namespace
}  // namespace bulletin::analytics
