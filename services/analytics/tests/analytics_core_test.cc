// AnalyticsCore with the real batcher and filter over the in-memory store (unit): counting,
// uniques, the count window and request_id dedupe, bots and excluded addresses, address-
// derived visitors, imported baselines, GetStats in bulk, validation that names the field,
// normalised locales, and access rules. (Outages: analytics_buffer_test.cc; top lists and
// series: analytics_top_test.cc; what only Redis shows: analytics_redis_test.cc.)
#include "services/analytics/tests/analytics_fixture.h"

namespace bulletin::analytics {
namespace {

using ::bulletin::testing::StatusIs;
using ::testing::StartsWith;

using AnalyticsCoreTest = AnalyticsFixture;

TEST_F(AnalyticsCoreTest, ViewsCountAndTwoVisitorsAreTwoUniques) {
  RecordResult first = Record(ViewOf("art-1", "alice"));
  EXPECT_TRUE(first.counted);
  EXPECT_EQ(first.reason, NotCounted::kNone);
  EXPECT_EQ(first.totals.article_id, "art-1");
  EXPECT_EQ(first.totals.views, 1);
  EXPECT_EQ(first.totals.unique_visitors, 1);
  RecordResult second = Record(ViewOf("art-1", "bob"));
  EXPECT_TRUE(second.counted);
  EXPECT_EQ(second.totals.views, 2);
  EXPECT_EQ(second.totals.unique_visitors, 2);
  EXPECT_EQ(Record(ViewOf("art-2", "alice")).totals.views, 1) << "articles are separate";
}

TEST_F(AnalyticsCoreTest, EachAnswerCarriesTheUniquesRightAfterItsView) {
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

TEST_F(AnalyticsCoreTest, RepeatWithinTheWindowCountsOnceAndIsTallied) {
  EXPECT_TRUE(Record(ViewOf("a", "alice")).counted);
  RecordResult again = Record(ViewOf("a", "alice"));
  EXPECT_FALSE(again.counted);
  EXPECT_EQ(again.reason, NotCounted::kRepeat);
  EXPECT_EQ(again.totals.views, 1);
  ArticleStats s = StatsOf("a");
  EXPECT_EQ(s.views, 1);
  EXPECT_EQ((s.not_counted[NotCounted::kRepeat]), 1);
}

TEST_F(AnalyticsCoreTest, AfterTheWindowTheSameVisitorCountsAgain) {
  EXPECT_TRUE(Record(ViewOf("a", "alice")).counted);
  now_ += absl::Minutes(29);
  EXPECT_FALSE(Record(ViewOf("a", "alice")).counted) << "29 minutes: within the window";
  now_ += absl::Minutes(2);  // the window (30 minutes) lives in the store, on the store's clock
  EXPECT_TRUE(Record(ViewOf("a", "alice")).counted);
  EXPECT_EQ(StatsOf("a").views, 2);
  EXPECT_EQ(StatsOf("a").unique_visitors, 1);
}

TEST_F(AnalyticsCoreTest, RetriedRequestIdCountsOnce) {
  View v = ViewOf("a", "alice");
  v.request_id = "req-1";
  EXPECT_TRUE(Record(v).counted);
  v.visitor_id = "bob";  // even a different visitor: the request was already recorded
  RecordResult retry = Record(v);
  EXPECT_FALSE(retry.counted);
  EXPECT_EQ(retry.reason, NotCounted::kDuplicateRequest);
  EXPECT_EQ(retry.totals.views, 1);
  EXPECT_EQ((StatsOf("a").not_counted[NotCounted::kDuplicateRequest]), 1);
}

TEST_F(AnalyticsCoreTest, IpAndUserAgentMakeAVisitor) {
  View v;
  v.article_id = "a";
  v.client_ip = "203.0.113.7";
  v.user_agent = "Mozilla/5.0 Firefox";
  EXPECT_TRUE(Record(v).counted);
  EXPECT_EQ(Record(v).reason, NotCounted::kRepeat) << "same address and agent: same visitor";
  v.user_agent = "Mozilla/5.0 Chrome";
  EXPECT_TRUE(Record(v).counted);
  EXPECT_EQ(StatsOf("a").unique_visitors, 2);
  View six = v;
  six.client_ip = "2001:db8:0:0::7";
  EXPECT_TRUE(Record(six).counted);
  six.client_ip = "2001:db8::7";  // the same address, spelt another way
  EXPECT_EQ(Record(six).reason, NotCounted::kRepeat) << "addresses are compared canonically";

  // A second replica (its own batcher and core over the same store) derives the same
  // visitor: the day's salt is the store's. (No raw address in Redis: analytics_redis_test.)
  ViewBatcher other_batcher(*store_, {}, [this] { return now_; });
  ASSERT_OK(other_batcher.Start());
  AnalyticsCore other(*store_, other_batcher, *filter_, [this] { return now_; });
  ASSERT_OK_AND_ASSIGN(RecordResult r, other.RecordView(kFrontend, v));
  EXPECT_EQ(r.reason, NotCounted::kRepeat);
}

TEST_F(AnalyticsCoreTest, ImportSetsTheBaselineAndViewsAddToIt) {
  ASSERT_OK_AND_ASSIGN(std::vector<Totals> imported,
                       core_->ImportViews(kAdmin, {{"legacy", 789, 500}}));
  ASSERT_EQ(imported.size(), 1u);
  EXPECT_EQ(imported[0].views, 789);
  EXPECT_EQ(imported[0].unique_visitors, 500);
  RecordResult r = Record(ViewOf("legacy", "alice"));
  EXPECT_EQ(r.totals.views, 790);
  EXPECT_EQ(r.totals.unique_visitors, 501);
  // Importing again replaces the baseline; it does not add.
  ASSERT_OK_AND_ASSIGN(imported, core_->ImportViews(kAdmin, {{"legacy", 789, 500}}));
  EXPECT_EQ(imported[0].views, 790);
  ArticleStats s = StatsOf("legacy");
  EXPECT_EQ(s.views, 790);
  EXPECT_EQ(s.imported_views, 789);
  EXPECT_EQ(s.today_views, 1);
}

TEST_F(AnalyticsCoreTest, ImportARepeatedIdTakesTheLastValue) {
  ASSERT_OK_AND_ASSIGN(std::vector<Totals> imported,
                       core_->ImportViews(kAdmin, {{"x", 1, 0}, {"y", 5, 0}, {"x", 7, 0}}));
  ASSERT_EQ(imported.size(), 3u);
  EXPECT_EQ(imported[0].views, 7);
  EXPECT_EQ(imported[1].views, 5);
  EXPECT_EQ(imported[2].views, 7);
}

TEST_F(AnalyticsCoreTest, ImportAbove2To53IsRefusedNamingTheField) {
  // The case: 2^63-1 imported, then one view, made the totals negative.
  EXPECT_THAT(
      core_->ImportViews(kAdmin, {{"a", 1, 0}, {"b", std::numeric_limits<int64_t>::max(), 0}}),
      StatusIs(absl::StatusCode::kInvalidArgument, "items[1].views: "));
  EXPECT_THAT(core_->ImportViews(kAdmin, {{"a", 1, kMaxCount + 1}}),
              StatusIs(absl::StatusCode::kInvalidArgument, "items[0].unique_visitors: "));
  EXPECT_EQ(StatsOf("a").imported_views, 0) << "a refused import changes nothing";
  // The store adds what was counted: 2^53 imported on top of one counted view is refused.
  EXPECT_TRUE(Record(ViewOf("b", "alice")).counted);
  EXPECT_THAT(core_->ImportViews(kAdmin, {{"b", kMaxCount, 0}}),
              StatusIs(absl::StatusCode::kInvalidArgument, "items[0].views: "));
  ASSERT_OK_AND_ASSIGN(std::vector<Totals> t,
                       core_->ImportViews(kAdmin, {{"b", kMaxCount - 1, 0}}));
  EXPECT_EQ(t[0].views, kMaxCount);
  EXPECT_GT(Record(ViewOf("b", "bob")).totals.views, kMaxCount) << "positive, not wrapped";
}

TEST(AnalyticsCountsTest, SaturatingAddClampsInsteadOfWrapping) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(SaturatingAdd(kMax, 1), kMax);
  EXPECT_EQ(SaturatingAdd(kMax - 1, kMax), kMax);
  EXPECT_EQ(SaturatingAdd(kMin, -1), kMin);
  EXPECT_EQ(SaturatingAdd(kMaxCount, kMaxCount), 2 * kMaxCount);
  EXPECT_EQ(SaturatingAdd(-5, 3), -2);
}

TEST_F(AnalyticsCoreTest, StatsForManyIdsInOneCallUnknownIdsAreZero) {
  std::vector<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.push_back(absl::StrCat("id-", i));
  Record(ViewOf("id-3", "alice"));
  Record(ViewOf("id-3", "bob"));
  Record(ViewOf("id-999", "alice"));
  ids.push_back("id-3");  // a duplicate beyond 1000 distinct would still be too many
  EXPECT_THAT(core_->GetStats(ids, 0), StatusIs(absl::StatusCode::kInvalidArgument));
  ids.pop_back();
  ids[10] = "id-3";  // duplicates are answered once
  ASSERT_OK_AND_ASSIGN(StatsResult r, core_->GetStats(ids, 7));
  ASSERT_EQ(r.stats.size(), 999u);
  EXPECT_EQ(r.stats[0].article_id, "id-0");
  EXPECT_EQ(r.stats[0].views, 0);
  EXPECT_EQ(r.stats[3].views, 2);
  EXPECT_EQ(r.stats[3].unique_visitors, 2);
  EXPECT_EQ(r.stats[3].window_views, 2);
  EXPECT_EQ(r.stats[3].window_unique_visitors, 2);
  EXPECT_EQ(r.stats[3].visitors_now, 2);
  EXPECT_EQ(r.stats.back().article_id, "id-999");
  EXPECT_EQ(r.stats.back().views, 1);
}

TEST_F(AnalyticsCoreTest, ViewTimePicksTheDayAndWindowsUnionDailyVisitors) {
  View yesterday = ViewOf("a", "alice");
  yesterday.view_time = now_ - absl::Hours(20);
  EXPECT_TRUE(Record(yesterday).counted);
  EXPECT_TRUE(Record(ViewOf("b", "x")).counted);  // unrelated
  now_ += absl::Minutes(31);                      // past the count window: alice counts again
  EXPECT_TRUE(Record(ViewOf("a", "alice")).counted);
  EXPECT_TRUE(Record(ViewOf("a", "bob")).counted);
  ArticleStats today_only = StatsOf("a", 1);
  EXPECT_EQ(today_only.today_views, 2);
  EXPECT_EQ(today_only.window_views, 2);
  EXPECT_EQ(today_only.window_unique_visitors, 2);
  ArticleStats week = StatsOf("a", 7);
  EXPECT_EQ(week.views, 3);
  EXPECT_EQ(week.window_views, 3);
  EXPECT_EQ(week.window_unique_visitors, 2) << "alice on both days is one visitor";
  EXPECT_EQ(week.visitors_now, 2) << "yesterday's view is not 'now'";
}

TEST_F(AnalyticsCoreTest, InvalidInputNamesTheFieldAndChangesNothing) {
  struct Case {
    std::function<void(View&)> change;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](View& v) { v.article_id = ""; }, "article_id: "},
      {[](View& v) { v.article_id = "a/b"; }, "article_id: "},
      {[](View& v) { v.article_id = std::string(65, 'a'); }, "article_id: "},
      {[](View& v) { v.visitor_id = ""; }, "client_ip: "},
      {[](View& v) { v.visitor_id = std::string(129, 'v'); }, "visitor_id: "},
      {[](View& v) { v.client_ip = "300.1.1.1"; }, "client_ip: "},
      {[](View& v) { v.user_agent = std::string(1025, 'u'); }, "user_agent: "},
      {[](View& v) { v.locale = "e"; }, "locale: "},
      {[](View& v) { v.locale = "zh-"; }, "locale: "},
      {[](View& v) { v.locale = "en us"; }, "locale: "},
      {[](View& v) { v.referrer = std::string(2049, 'r'); }, "referrer: "},
      {[](View& v) { v.request_id = "has space"; }, "request_id: "},
      {[this](View& v) { v.view_time = now_ - absl::Hours(25); }, "view_time: "},
      {[this](View& v) { v.view_time = now_ + absl::Minutes(6); }, "view_time: "},
  };
  for (const Case& c : cases) {
    View v = ViewOf("good", "alice");
    c.change(v);
    absl::StatusOr<RecordResult> r = core_->RecordView(kFrontend, v);
    EXPECT_THAT(r, StatusIs(absl::StatusCode::kInvalidArgument)) << c.field;
    EXPECT_THAT(std::string(r.status().message()), StartsWith(c.field));
  }
  View ok = ViewOf("good", "alice");
  ok.locale = "zh-Hans-CN";
  ok.client_ip = "2001:db8::1";
  EXPECT_OK(core_->RecordView(kFrontend, ok));
  EXPECT_EQ(StatsOf("good").views, 1) << "only the valid view counted";

  EXPECT_THAT(std::string(core_->GetStats({"ok", "bad id"}, 0).status().message()),
              StartsWith("article_ids[1]: "));
  EXPECT_THAT(core_->GetStats({}, 0), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(core_->GetStats({"a"}, 401).status().message()),
              StartsWith("window_days: "));
  EXPECT_THAT(
      std::string(core_->ImportViews(kAdmin, {{"a", 1, 0}, {"b", -1, 0}}).status().message()),
      StartsWith("items[1].views: "));
  EXPECT_EQ(StatsOf("a").imported_views, 0) << "a rejected import changes nothing";
  EXPECT_THAT(std::string(core_->ImportViews(kAdmin, {}).status().message()),
              StartsWith("items: "));
}

TEST_F(AnalyticsCoreTest, ControlCharactersAreRefusedAndMessagesStayShort) {
  struct Case {
    std::function<void(View&)> change;
    std::string field;
  };
  const std::string huge(70000, 'q');
  const std::vector<Case> cases = {
      {[](View& v) { v.visitor_id = "alice\x1b[31m"; }, "visitor_id: must not contain control"},
      {[](View& v) { v.visitor_id = "\xc3\x28"; }, "visitor_id: not valid UTF-8"},
      {[](View& v) { v.user_agent = "Mozilla/5.0\a"; }, "user_agent: must not contain control"},
      {[](View& v) { v.user_agent = "Mozilla/5.0\twith a tab"; }, "user_agent: must not"},
      {[](View& v) { v.user_agent = "Mozilla \xc2\x85"; }, "user_agent: must not"},  // C1 NEL
      {[](View& v) { v.referrer = std::string("https://e.example/\0x", 20); }, "referrer: must"},
      {[](View& v) { v.referrer = "https://e.example/\xff"; }, "referrer: not valid UTF-8"},
      {[&](View& v) { v.article_id = huge; }, "article_id: "},
      {[&](View& v) { v.visitor_id = huge; }, "visitor_id: "},
      {[&](View& v) { v.user_agent = huge; }, "user_agent: "},
      {[&](View& v) { v.referrer = huge; }, "referrer: "},
      {[&](View& v) { v.locale = huge; }, "locale: "},
      {[&](View& v) { v.request_id = huge; }, "request_id: "},
      {[&](View& v) { v.client_ip = huge; }, "client_ip: "},
  };
  for (const Case& c : cases) {
    View v = ViewOf("good", "alice");
    c.change(v);
    absl::StatusOr<RecordResult> r = core_->RecordView(kFrontend, v);
    EXPECT_THAT(r, StatusIs(absl::StatusCode::kInvalidArgument, c.field)) << c.field;
    EXPECT_LT(r.status().message().size(), 120u) << c.field;
    std::vector<View> batch(3, ViewOf("good", "bob"));
    c.change(batch[2]);
    absl::StatusOr<BatchResult> b = core_->RecordViews(kFrontend, batch, 10);
    EXPECT_THAT(b, StatusIs(absl::StatusCode::kInvalidArgument, "views[12]." + c.field)) << c.field;
    EXPECT_LT(b.status().message().size(), 120u) << c.field;
  }
  EXPECT_EQ(StatsOf("good").views, 1) << "bob's first view; nothing invalid counted";
  for (const absl::Status& s :
       {core_->GetStats({huge}, 0).status(), core_->GetTopArticles({{}, {}, huge, "", 0}).status(),
        core_->GetTopArticles({{}, {}, "", huge, 0}).status(),
        core_->GetTimeSeries({huge, Granularity::kDaily, {}, {}}).status(),
        core_->ImportViews(kAdmin, {{huge, 1, 0}}).status()}) {
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_LT(s.message().size(), 120u) << s.message().substr(0, 200);
  }
}

TEST_F(AnalyticsCoreTest, LocalesAreNormalisedAsContentNormalisesThem) {
  // The one locale rule of common/base/text_rules.h: analytics used to refuse these.
  int i = 0;
  for (const char* locale : {"zh_cn", "EN", "zh-hans-cn", "en-us"}) {
    View v = ViewOf("locales", absl::StrCat("visitor-", i++));
    v.locale = locale;
    ASSERT_OK_AND_ASSIGN(RecordResult r, core_->RecordView(kFrontend, v));
    EXPECT_TRUE(r.counted) << locale;
  }
  std::vector<View> batch = {ViewOf("locales", "batch-0"), ViewOf("locales", "batch-1")};
  batch[1].locale = "ZH_TW";
  ASSERT_OK_AND_ASSIGN(BatchResult r, core_->RecordViews(kFrontend, batch, 0));
  EXPECT_EQ(r.counted, 2);
  EXPECT_EQ(StatsOf("locales").views, 6);
}

TEST_F(AnalyticsCoreTest, BatchRecordsItemsBeforeAnInvalidOneAndNamesItsIndex) {
  std::vector<View> views = {ViewOf("a", "1"), ViewOf("a", "2"), ViewOf("a", "2"), ViewOf("", "3"),
                             ViewOf("a", "4")};
  absl::StatusOr<BatchResult> r = core_->RecordViews(kFrontend, views, 10);
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(r.status().message()), StartsWith("views[13].article_id: "));
  EXPECT_EQ(StatsOf("a").views, 2);
  views.erase(views.begin() + 3);
  views.push_back(ViewOf("a", "5"));
  ASSERT_OK_AND_ASSIGN(BatchResult batch, core_->RecordViews(kFrontend, views, 0));
  EXPECT_EQ(batch.received, 5);
  EXPECT_EQ(batch.counted, 2);  // 4 and 5; the others repeat
  EXPECT_EQ(batch.not_counted[NotCounted::kRepeat], 3);
}

TEST_F(AnalyticsCoreTest, OnlyWritersRecordAndOnlyAdminsImport) {
  View v = ViewOf("a", "alice");
  EXPECT_THAT(core_->RecordView(kAnonymous, v), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(core_->RecordView(kPartner, v), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_OK(core_->RecordView(kEditor, v));
  EXPECT_OK(core_->RecordView(kAdmin, v));
  EXPECT_THAT(core_->ImportViews(kEditor, {{"a", 1, 0}}),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(core_->ImportViews(kAnonymous, {{"a", 1, 0}}),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_OK(core_->GetStats({"a"}, 0));
}

TEST_F(AnalyticsCoreTest, BotUserAgentsDoNotCountAndAreTallied) {
  ASSERT_OK_AND_ASSIGN(ViewFilter filter, ViewFilter::Create({"MyMonitor"}, ""));
  Rebuild({}, filter);
  const std::vector<std::string> bots = {
      "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
      "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
      "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
      "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
      "curl/7.88.1",
      "Wget/1.21.3",
      "python-requests/2.31.0",
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/120.0 Safari/537.36",
      "mymonitor/1.0 (operator's own pattern)",
  };
  for (size_t i = 0; i < bots.size(); ++i) {
    View v = ViewOf("a", absl::StrCat("bot-", i));
    v.user_agent = bots[i];
    RecordResult r = Record(v);
    EXPECT_FALSE(r.counted) << bots[i];
    EXPECT_EQ(r.reason, NotCounted::kBot) << bots[i];
  }
  View human = ViewOf("a", "human");
  human.user_agent =
      "Mozilla/5.0 (Linux; Android 9; CUBOT P30) AppleWebKit/537.36 Chrome/120.0 Mobile";
  EXPECT_TRUE(Record(human).counted);
  ArticleStats s = StatsOf("a");
  EXPECT_EQ(s.views, 1);
  EXPECT_EQ(s.unique_visitors, 1);
  EXPECT_EQ((s.not_counted[NotCounted::kBot]), static_cast<int64_t>(bots.size()));
  EXPECT_EQ(s.visitors_now, 1) << "bots are not visitors right now";
}

TEST(ViewFilterTest, RememberedVerdictsBelongToTheirPatternList) {
  ASSERT_OK_AND_ASSIGN(ViewFilter with, ViewFilter::Create({"MyMonitor"}, ""));
  ViewFilter without;
  const std::string ua = "mymonitor/1.0";
  for (int i = 0; i < 3; ++i) {  // the second and third rounds answer from the cache
    EXPECT_TRUE(with.IsBot(ua));
    EXPECT_FALSE(without.IsBot(ua));
    EXPECT_TRUE(without.IsBot("curl/8.0"));
    EXPECT_FALSE(with.IsBot("Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Firefox/120.0"));
  }
  EXPECT_FALSE(without.IsBot(std::string(4000, 'a'))) << "long agents are checked, not cached";
  EXPECT_TRUE(without.IsBot(std::string(4000, 'a') + "Googlebot"));
}

TEST_F(AnalyticsCoreTest, ExcludedAddressesDoNotCount) {
  ASSERT_OK_AND_ASSIGN(ViewFilter filter,
                       ViewFilter::Create({}, "10.0.0.0/8, 192.0.2.7,2001:db8::/32"));
  Rebuild({}, filter);
  for (const char* ip : {"10.1.2.3", "192.0.2.7", "2001:db8:1::5", "::ffff:10.9.9.9"}) {
    View v;
    v.article_id = "a";
    v.client_ip = ip;
    v.visitor_id = std::string("staff-") + ip;
    RecordResult r = Record(v);
    EXPECT_FALSE(r.counted) << ip;
    EXPECT_EQ(r.reason, NotCounted::kExcludedAddress) << ip;
  }
  View outside;
  outside.article_id = "a";
  outside.client_ip = "192.0.2.8";
  EXPECT_TRUE(Record(outside).counted);
  ArticleStats s = StatsOf("a");
  EXPECT_EQ(s.views, 1);
  EXPECT_EQ((s.not_counted[NotCounted::kExcludedAddress]), 4);
  EXPECT_THAT(ViewFilter::Create({}, "10.0.0.0/33"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(ViewFilter::Create({}, "not-an-ip").status().message()),
              StartsWith("--exclude-addresses"));
}

TEST_F(AnalyticsCoreTest, TenThousandDistinctVisitorsInBatches) {
  for (int chunk = 0; chunk < 10; ++chunk) {
    RecordMany("popular", 1000, absl::StrCat("visitor-", chunk, "-"));
  }
  ArticleStats s = StatsOf("popular", 1);
  EXPECT_EQ(s.views, 10000);
  EXPECT_EQ(s.unique_visitors, 10000) << "exact in memory; within 2% on Redis";
  EXPECT_EQ(s.window_unique_visitors, 10000);
  ASSERT_OK_AND_ASSIGN(StatsResult site, core_->GetStats({"popular"}, 0));
  EXPECT_EQ(site.site_today_views, 10000);
  EXPECT_EQ(site.site_visitors_now, 10000);
}

}  // namespace
}  // namespace bulletin::analytics
