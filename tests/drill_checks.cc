// DrillTest (drill_load.h): the partner's setup, the loads' start and stop, and the checks
// after a drill. The checks wait a bounded time for what trails a write (events, folds)
// and report the measured loss or delay in their failure messages.
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "tests/drill_load.h"

namespace bulletin::testing {
namespace {

namespace cv1 = ::bulletin::content::v1;
namespace av1 = ::bulletin::analytics::v1;
namespace ev1 = ::bulletin::events::v1;
namespace nv1 = ::bulletin::notify::v1;

// Per channel (webhook or stream): each article's PUBLISHED event ids and how many
// deliveries repeated an event_id already seen.
struct Seen {
  std::map<std::string, std::set<std::string>> published;
  int deliveries = 0;
  int repeats = 0;
};

Seen Tally(const std::vector<Received>& events) {
  Seen seen;
  std::set<std::string> ids;
  for (const Received& r : events) {
    ++seen.deliveries;
    if (!ids.insert(r.event_id).second) ++seen.repeats;
    if (r.type == ev1::ARTICLE_EVENT_TYPE_PUBLISHED) {
      seen.published[r.article_id].insert(r.event_id);
    }
  }
  return seen;
}

}  // namespace

void DrillTest::TearDown() {
  if (load_) load_->Stop();
  if (subscriber_) subscriber_->Stop();
  if (HasFailure()) std::cerr << system_.Logs();
}

void DrillTest::StartPartner(int targets) {
  content_ = cv1::ContentService::NewStub(DrillChannel(system_.addr(Service::kContent)));
  analytics_ = av1::AnalyticsService::NewStub(DrillChannel(system_.addr(Service::kAnalytics)));
  auto notify =
      nv1::NotificationService::NewStub(DrillChannel(system_.addr(Service::kNotifications)));
  nv1::CreateSubscriptionRequest req;
  req.mutable_subscription()->set_display_name("Drill partner");
  req.mutable_subscription()->set_webhook_url(receiver_.url());
  nv1::CreateSubscriptionResponse resp;
  grpc::Status g = notify->CreateSubscription(Context(kPartnerToken).get(), req, &resp);
  ASSERT_TRUE(g.ok()) << g.error_message();
  subscription_id_ = resp.subscription().id();
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int r = 0; r < system_.replicas(Service::kNotifications); ++r) {
    channels.push_back(DrillChannel(system_.addr(Service::kNotifications, r)));
  }
  subscriber_ = std::make_unique<ResumingSubscriber>(channels, subscription_id_);
  for (int i = 0; i < targets; ++i) {
    PublishTarget(absl::StrCat("Viewed article ", i));
    if (HasFatalFailure()) return;
  }
}

std::string DrillTest::PublishTarget(const std::string& title) {
  cv1::CreateArticleRequest create;
  (*create.mutable_article()->mutable_translations())["en"].set_title(title);
  (*create.mutable_article()->mutable_translations())["en"].set_body("<p>Viewed</p>");
  create.mutable_article()->set_default_locale("en");
  cv1::Article a;
  grpc::Status g = content_->CreateArticle(Context(kEditorToken).get(), create, &a);
  EXPECT_TRUE(g.ok()) << g.error_message();
  if (!g.ok()) return "";
  cv1::PublishArticleRequest publish;
  publish.set_id(a.id());
  g = content_->PublishArticle(Context(kEditorToken).get(), publish, &a);
  EXPECT_TRUE(g.ok()) << g.error_message();
  view_targets_.push_back(a.id());
  return a.id();
}

void DrillTest::StartLoad(const std::string& name, std::vector<std::string> view_targets,
                          LoadLimits limits) {
  if (day_at_start_.empty()) {
    day_at_start_ = absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone());
  }
  if (view_targets.empty()) view_targets = view_targets_;
  load_ = std::make_unique<Load>(system_, std::move(view_targets), name, limits);
  load_->Start();
  absl::SleepFor(absl::Seconds(2));
  const int published = load_->published_count();
  WaitUntil([&] { return load_->published_count() > published; }, absl::Seconds(5));
}

void DrillTest::StopLoad(const std::string& name) {
  load_->Stop();
  Acknowledged acked = load_->acknowledged();
  std::cout << "[drill " << name << "] articles created " << acked.created.size() << ", published "
            << acked.published.size() << " (+" << acked.published_earlier.size()
            << " by an attempt that failed), views " << acked.TotalViews() << " ("
            << acked.views_queued << " queued, " << acked.views_by_failed_attempt
            << " counted by an attempt that failed), failed attempts " << load_->failed_attempts()
            << std::endl;
  EXPECT_EQ(acked.creates_unresolved, 0);
  EXPECT_EQ(acked.views_unresolved, 0);
  EXPECT_TRUE(acked.publish_unresolved.empty());
  EXPECT_GT(acked.published.size(), 5u) << "the load hardly ran";
  acked_.Merge(acked);
}

void DrillTest::ExpectNoAcknowledgedWriteLost() {
  for (const std::string& id : acked_.created) {
    cv1::GetArticleRequest get;
    get.set_id(id);
    cv1::Article a;
    grpc::Status s = content_->GetArticle(Context(kEditorToken).get(), get, &a);
    ASSERT_TRUE(s.ok()) << "acknowledged article " << id << " lost: " << s.error_message();
    if (acked_.published.count(id) || acked_.published_earlier.count(id)) {
      EXPECT_EQ(a.state(), cv1::ARTICLE_STATE_PUBLISHED) << id << " lost its publication";
    } else if (acked_.publish_unresolved.count(id) == 0) {
      EXPECT_EQ(a.state(), cv1::ARTICLE_STATE_DRAFT) << id;
    }
  }
}

void DrillTest::ExpectNoPublishedEventLost() {
  std::set<std::string> expected(view_targets_.begin(), view_targets_.end());
  expected.insert(acked_.published.begin(), acked_.published.end());
  expected.insert(acked_.published_earlier.begin(), acked_.published_earlier.end());
  Seen hooks, stream;
  auto missing = [&](const Seen& seen) {
    std::vector<std::string> out;
    for (const std::string& id : expected) {
      if (seen.published.count(id) == 0) out.push_back(id);
    }
    return out;
  };
  const absl::Time start = absl::Now();
  absl::Duration hooks_took = absl::InfiniteDuration();
  absl::Duration stream_took = absl::InfiniteDuration();
  WaitUntil(
      [&] {
        hooks = Tally(webhooks_.events());
        stream = Tally(subscriber_->events());
        if (missing(hooks).empty()) hooks_took = std::min(hooks_took, absl::Now() - start);
        if (missing(stream).empty()) stream_took = std::min(stream_took, absl::Now() - start);
        return missing(hooks).empty() && missing(stream).empty();
      },
      absl::Seconds(30));
  std::cout << "[events] " << expected.size() << " publishes; webhook deliveries "
            << hooks.deliveries << " (" << hooks.repeats << " repeated event ids), stream "
            << stream.deliveries << " (" << stream.repeats << " repeated), stream breaks "
            << subscriber_->break_count() << "; all on the webhook "
            << absl::FormatDuration(hooks_took) << " and on the stream "
            << absl::FormatDuration(stream_took) << " after the load stopped" << std::endl;
  EXPECT_EQ(webhooks_.unparsable(), 0) << "webhooks without an ArticleEvent in their envelope";
  EXPECT_EQ(hooks.published.count("") + stream.published.count(""), 0u)
      << "a PUBLISHED event without article id";
  EXPECT_TRUE(missing(hooks).empty())
      << "publishes never delivered by webhook: " << absl::StrJoin(missing(hooks), ", ");
  EXPECT_TRUE(missing(stream).empty())
      << "publishes never on the Subscribe stream: " << absl::StrJoin(missing(stream), ", ")
      << "\nfirst stream breaks: " << absl::StrJoin(subscriber_->first_breaks(), " | ");
  for (const std::string& id : expected) {
    auto h = hooks.published.find(id);
    auto st = stream.published.find(id);
    if (h == hooks.published.end() || st == stream.published.end()) continue;
    // A repeated webhook carries the same webhook-id (a differing header is marked).
    EXPECT_EQ(h->second.size(), 1u)
        << id << " published under several event ids (webhook): " << absl::StrJoin(h->second, ", ");
    EXPECT_EQ(st->second, h->second) << id << ": the stream and the webhook disagree";
  }
}

void DrillTest::ExpectArticleTotals(int64_t max_loss, absl::Duration settle) {
  av1::GetStatsRequest req;
  for (const std::string& id : view_targets_) req.add_article_ids(id);
  av1::GetStatsResponse stats;
  auto exact = [&] {
    stats.Clear();
    if (!analytics_->GetStats(Context().get(), req, &stats).ok()) return false;
    for (const av1::ArticleStats& a : stats.stats()) {
      if (a.views() != acked_.views[a.article_id()]) return false;
    }
    return true;
  };
  if (!exact() && settle > absl::ZeroDuration()) WaitUntil(exact, settle);
  ASSERT_EQ(stats.stats_size(), static_cast<int>(view_targets_.size()));
  int64_t counted = 0;
  for (const av1::ArticleStats& a : stats.stats()) counted += a.views();
  std::cout << "[views] " << acked_.TotalViews() << " acknowledged counted views, " << counted
            << " in the totals (loss " << acked_.TotalViews() - counted << ")" << std::endl;
  for (const av1::ArticleStats& a : stats.stats()) {
    const int64_t acked = acked_.views[a.article_id()];
    EXPECT_LE(a.views(), acked) << "article " << a.article_id()
                                << " counted views not acknowledged";
    EXPECT_GE(a.views(), acked - max_loss)
        << "article " << a.article_id() << ": total " << a.views() << ", acknowledged " << acked
        << " (loss " << acked - a.views() << ", at most " << max_loss << " stated)";
    if (a.views() != acked) {
      std::cout << "[views] article " << a.article_id() << ": " << acked - a.views()
                << " acknowledged views lost of " << acked << std::endl;
    }
  }
}

namespace {

// Sum of the views in every point of a time series (empty article_id: the site).
int64_t SeriesSum(av1::AnalyticsService::Stub& analytics, const std::string& article_id,
                  av1::Granularity granularity) {
  av1::GetTimeSeriesRequest req;
  req.set_article_id(article_id);
  req.set_granularity(granularity);
  av1::GetTimeSeriesResponse resp;
  grpc::Status s = analytics.GetTimeSeries(Context().get(), req, &resp);
  if (!s.ok()) return -1;
  int64_t sum = 0;
  for (const av1::TimeSeriesPoint& p : resp.points()) sum += p.views();
  return sum;
}

}  // namespace

void DrillTest::ExpectTimeBucketsAndSiteCounters(int64_t max_loss) {
  struct Figure {
    std::string name;
    std::function<int64_t()> read;
    int64_t expected;
  };
  av1::AnalyticsService::Stub& analytics = *analytics_;
  std::vector<Figure> figures;
  for (const std::string& id : view_targets_) {
    figures.push_back(
        {"article " + id + " daily buckets",
         [&analytics, id] { return SeriesSum(analytics, id, av1::GRANULARITY_DAILY); },
         acked_.views[id]});
    figures.push_back(
        {"article " + id + " hourly buckets",
         [&analytics, id] { return SeriesSum(analytics, id, av1::GRANULARITY_HOURLY); },
         acked_.views[id]});
  }
  const int64_t total = acked_.TotalViews();
  figures.push_back({"site daily buckets",
                     [&analytics] { return SeriesSum(analytics, "", av1::GRANULARITY_DAILY); },
                     total});
  figures.push_back({"site hourly buckets",
                     [&analytics] { return SeriesSum(analytics, "", av1::GRANULARITY_HOURLY); },
                     total});
  if (absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone()) == day_at_start_) {
    const std::string first = view_targets_[0];
    figures.push_back({"site_today_views",
                       [&analytics, first] {
                         av1::GetStatsRequest req;
                         req.add_article_ids(first);
                         av1::GetStatsResponse stats;
                         grpc::Status s = analytics.GetStats(Context().get(), req, &stats);
                         return s.ok() ? stats.site_today_views() : -1;
                       },
                       total});
  }
  std::vector<int64_t> measured(figures.size());
  auto all_exact = [&] {
    bool exact = true;
    for (size_t i = 0; i < figures.size(); ++i) {
      measured[i] = figures[i].read();
      exact = exact && measured[i] == figures[i].expected;
    }
    return exact;
  };
  // Five flush intervals, so a figure still short after that is lost, not late.
  WaitUntil(all_exact, absl::Seconds(5));
  for (size_t i = 0; i < figures.size(); ++i) {
    EXPECT_LE(measured[i], figures[i].expected) << figures[i].name << " counts too many";
    EXPECT_GE(measured[i], figures[i].expected - max_loss)
        << figures[i].name << ": " << measured[i] << " counted of " << figures[i].expected
        << " acknowledged views (loss " << figures[i].expected - measured[i] << ", at most "
        << max_loss << " stated)";
  }
}

}  // namespace bulletin::testing
