// The real bulletin-analytics binary SIGKILLed against a real Redis (TestRedis: one
// redis-server, or a 3 + 3 node Redis Cluster under the redis-cluster label): every view
// RecordView answered OK is in every aggregate after a restart -- totals, day and hour
// buckets, site counters, top lists -- exactly once. The deferred side of counted views
// (buckets, site counters, top lists) is folded into Redis every
// --aggregate-flush-interval; it is journalled in Redis with the count, so what the killed
// process had not folded yet is folded by the next one (services/analytics/store/redis/
// view_journal.h). Before the journal a kill lost that side of the unflushed interval.
// Views queued while Redis is down are in --spill-file before they are answered.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "bulletin/analytics/v1/analytics.grpc.pb.h"
#include "bulletin/events/v1/events.pb.h"
#include "common/redis/keys.h"
#include "common/redis/redis_client.h"
#include "common/testing/process.h"
#include "common/testing/redis_cluster.h"
#include "common/testing/status_matchers.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace bulletin::analytics {
namespace {

namespace v1 = ::bulletin::analytics::v1;
namespace ev = ::bulletin::events::v1;
using ::bulletin::testing::WaitUntil;

constexpr char kFrontendToken[] = "frontend-token-0123456789";
const std::vector<std::string> kArticles = {"crash-a", "crash-b", "crash-c"};

std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token = "") {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  return ctx;
}

bool Serving(const std::string& address) {
  auto health = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  grpc::health::v1::HealthCheckResponse resp;
  return health->Check(&ctx, {}, &resp).ok() &&
         resp.status() == grpc::health::v1::HealthCheckResponse::SERVING;
}

// bulletin-analytics on a free port against `redis`, with `flags` added.
class Analytics {
 public:
  Analytics(const testing::TestRedis& redis, const testing::TempDir& dir,
            std::vector<std::string> flags)
      : port_(testing::FreePort()) {
    flags.push_back(absl::StrCat("--listen=127.0.0.1:", port_));
    flags.push_back("--redis=" + redis.url());
    flags.push_back("--auth-tokens-file=" + dir.path() + "/tokens");
    started_ = process_.Start(testing::BinDir() + "/bulletin-analytics", flags, {},
                              dir.path() + "/analytics.log");
  }

  absl::Status started() const { return started_; }
  bool WaitServing() {
    return WaitUntil([&] { return Serving(address()); }, absl::Seconds(15));
  }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  testing::ChildProcess& process() { return process_; }

 private:
  const int port_;
  testing::ChildProcess process_;
  absl::Status started_;
};

// Publishes each article in the event stream, as content's relay does, so that the top
// lists list them.
void PublishArticles(RedisClient& redis) {
  for (const std::string& id : kArticles) {
    ev::ArticleEvent e;
    e.set_event_id("ev-" + id);
    e.set_type(ev::ARTICLE_EVENT_TYPE_PUBLISHED);
    e.mutable_article()->set_id(id);
    e.mutable_article()->set_revision(1);
    e.mutable_article()->set_default_locale("en");
    ev::LocalizedSummary* t = e.mutable_article()->add_translations();
    t->set_locale("en");
    t->set_title("Title " + id);
    t->set_slug(id);
    ASSERT_OK(redis.Command({"XADD", keys::kEventStream, "*", keys::kFieldEvent,
                             e.SerializeAsString(), keys::kFieldEventId, e.event_id(),
                             keys::kFieldType, "published", keys::kFieldArticleId, id}));
  }
}

// Every aggregate of the articles and the site, as a client reads them.
struct Aggregates {
  std::map<std::string, int64_t> totals, today, window, hourly, daily, daily_uniques, top_hour,
      top_day, top_all;
  int64_t site_hourly = 0, site_daily = 0;
  bool trending_lists_all = false;

  bool operator==(const Aggregates& o) const {
    return totals == o.totals && today == o.today && window == o.window && hourly == o.hourly &&
           daily == o.daily && daily_uniques == o.daily_uniques && top_hour == o.top_hour &&
           top_day == o.top_day && top_all == o.top_all && site_hourly == o.site_hourly &&
           site_daily == o.site_daily && trending_lists_all == o.trending_lists_all;
  }
};

std::ostream& operator<<(std::ostream& os, const Aggregates& a) {
  auto print = [&](const char* name, const std::map<std::string, int64_t>& m) {
    os << name << "{";
    for (const auto& [k, v] : m) os << k << ":" << v << " ";
    os << "} ";
  };
  print("totals", a.totals);
  print("today", a.today);
  print("window", a.window);
  print("hourly", a.hourly);
  print("daily", a.daily);
  print("daily_uniques", a.daily_uniques);
  print("top_hour", a.top_hour);
  print("top_day", a.top_day);
  print("top_all", a.top_all);
  return os << "site_hourly " << a.site_hourly << " site_daily " << a.site_daily << " trending "
            << a.trending_lists_all;
}

// The sum of a series' points (the range spans the test, whatever hour or day it is).
std::optional<std::pair<int64_t, int64_t>> SeriesSum(v1::AnalyticsService::Stub& stub,
                                                     const std::string& article,
                                                     v1::Granularity granularity) {
  v1::GetTimeSeriesRequest req;
  req.set_article_id(article);
  req.set_granularity(granularity);
  const absl::Time now = absl::Now();
  req.mutable_start_time()->set_seconds(absl::ToUnixSeconds(now - absl::Hours(25)));
  req.mutable_end_time()->set_seconds(absl::ToUnixSeconds(now + absl::Hours(1)));
  v1::GetTimeSeriesResponse resp;
  if (!stub.GetTimeSeries(Ctx().get(), req, &resp).ok()) return std::nullopt;
  std::pair<int64_t, int64_t> sum{0, 0};
  for (const v1::TimeSeriesPoint& p : resp.points()) {
    sum.first += p.views();
    sum.second += p.unique_visitors();
  }
  return sum;
}

std::optional<std::map<std::string, int64_t>> TopOf(v1::AnalyticsService::Stub& stub,
                                                    v1::TopKind kind, v1::TimeWindow window) {
  v1::GetTopArticlesRequest req;
  req.set_kind(kind);
  req.set_window(window);
  v1::GetTopArticlesResponse resp;
  if (!stub.GetTopArticles(Ctx().get(), req, &resp).ok()) return std::nullopt;
  std::map<std::string, int64_t> out;
  for (const v1::TopArticle& a : resp.articles()) out[a.article_id()] = a.views();
  return out;
}

std::optional<Aggregates> Read(v1::AnalyticsService::Stub& stub) {
  Aggregates a;
  v1::GetStatsRequest stats;
  for (const std::string& id : kArticles) stats.add_article_ids(id);
  stats.set_window_days(2);
  v1::GetStatsResponse out;
  if (!stub.GetStats(Ctx().get(), stats, &out).ok()) return std::nullopt;
  for (const v1::ArticleStats& s : out.stats()) {
    a.totals[s.article_id()] = s.views();
    a.today[s.article_id()] = s.today_views();
    a.window[s.article_id()] = s.window_views();
  }
  for (const std::string& id : kArticles) {
    auto hourly = SeriesSum(stub, id, v1::GRANULARITY_HOURLY);
    auto daily = SeriesSum(stub, id, v1::GRANULARITY_DAILY);
    if (!hourly || !daily) return std::nullopt;
    a.hourly[id] = hourly->first;
    a.daily[id] = daily->first;
    a.daily_uniques[id] = daily->second;
  }
  auto site_hourly = SeriesSum(stub, "", v1::GRANULARITY_HOURLY);
  auto site_daily = SeriesSum(stub, "", v1::GRANULARITY_DAILY);
  auto top_hour = TopOf(stub, v1::TOP_KIND_MOST_READ, v1::TIME_WINDOW_LAST_HOUR);
  auto top_day = TopOf(stub, v1::TOP_KIND_MOST_READ, v1::TIME_WINDOW_LAST_DAY);
  auto top_all = TopOf(stub, v1::TOP_KIND_MOST_READ, v1::TIME_WINDOW_ALL_TIME);
  auto trending = TopOf(stub, v1::TOP_KIND_TRENDING, v1::TIME_WINDOW_LAST_HOUR);
  if (!site_hourly || !site_daily || !top_hour || !top_day || !top_all || !trending) {
    return std::nullopt;
  }
  a.site_hourly = site_hourly->first;
  a.site_daily = site_daily->first;
  a.top_hour = *top_hour;
  a.top_day = *top_day;
  a.top_all = *top_all;
  a.trending_lists_all = trending->size() == kArticles.size();
  return a;
}

// What every aggregate must read when article i was counted counted[i] times by
// uniques[i] distinct visitors.
Aggregates Expected(const std::map<std::string, int64_t>& counted,
                    const std::map<std::string, int64_t>& uniques) {
  Aggregates a;
  for (const auto& [id, n] : counted) {
    for (auto* m : {&a.totals, &a.today, &a.window, &a.hourly, &a.daily, &a.top_hour, &a.top_day,
                    &a.top_all}) {
      (*m)[id] = n;
    }
    a.daily_uniques[id] = uniques.at(id);
    a.site_hourly += n;
    a.site_daily += n;
  }
  a.trending_lists_all = true;
  return a;
}

class AnalyticsCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(redis_, testing::TestRedis::Start());
    client_ = std::make_unique<RedisClient>(redis_->options());
    std::ofstream(dir_.path() + "/tokens") << "frontend " << kFrontendToken << "\n";
    PublishArticles(*client_);
  }

  std::unique_ptr<v1::AnalyticsService::Stub> StubOf(Analytics& analytics) {
    return v1::AnalyticsService::NewStub(
        grpc::CreateChannel(analytics.address(), grpc::InsecureChannelCredentials()));
  }

  // The entries of every view journal: the one of a single node, or each slot's journal on
  // each master of a cluster (view_keys.h site::Journal). -1 when a node does not answer.
  int64_t JournalEntries() {
    std::vector<RedisOptions> nodes;
    if (testing::RedisTestCluster* cluster = redis_->cluster()) {
      for (int n = 0; n < cluster->size(); ++n) {
        if (cluster->alive(n)) nodes.push_back(cluster->NodeOptions(n));
      }
    } else {
      nodes.push_back(redis_->options());
    }
    int64_t entries = 0;
    for (const RedisOptions& options : nodes) {
      RedisClient node(options);
      absl::StatusOr<RedisReply> role = node.Command({"ROLE"});
      if (!role.ok() || role->elements.empty()) return -1;
      if (role->elements[0].str != "master") continue;  // a cluster's replica: MOVED
      absl::StatusOr<RedisReply> journals = node.Command({"KEYS", "*:analytics:journal"});
      if (!journals.ok()) return -1;
      for (const RedisReply& key : journals->elements) {
        absl::StatusOr<RedisReply> n = node.Command({"HLEN", key.str});
        if (!n.ok()) return -1;
        entries += n->integer;
      }
    }
    return entries;
  }

  std::unique_ptr<testing::TestRedis> redis_;
  std::unique_ptr<RedisClient> client_;
  testing::TempDir dir_;
};

TEST_F(AnalyticsCrashTest, ASigkillBeforeTheFlushLosesNoAggregateOfAnAnsweredView) {
  // A flush interval of a minute: nothing is folded before the kill.
  auto first = std::make_unique<Analytics>(
      *redis_, dir_, std::vector<std::string>{"--aggregate-flush-interval=1m"});
  ASSERT_OK(first->started());
  ASSERT_TRUE(first->WaitServing());
  auto stub = StubOf(*first);
  std::map<std::string, int64_t> counted, uniques;
  int answered = 0;
  for (int i = 0; i < 38; ++i) {  // the drill: 38 views
    v1::RecordViewRequest req;
    req.set_article_id(kArticles[i % kArticles.size()]);
    // Every fifth view is a repeat of the view before it on that article: not counted.
    req.set_visitor_id(absl::StrCat("reader-", i % 5 == 4 ? i - 3 : i));
    v1::RecordViewResponse resp;
    grpc::Status s = stub->RecordView(Ctx(kFrontendToken).get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_FALSE(resp.queued());
    ++answered;
    if (resp.counted()) {
      ++counted[req.article_id()];
      ++uniques[req.article_id()];
    }
  }
  ASSERT_EQ(answered, 38);
  std::optional<Aggregates> before = Read(*stub);
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(before->totals, counted) << "the totals are counted at once";
  EXPECT_EQ(before->site_daily, 0) << "the deferred side waits for the flush (1m)";
  EXPECT_GT(JournalEntries(), 0) << "the deferred side is journalled with the count";

  stub.reset();
  const int status = first->process().Stop(SIGKILL);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  const absl::Time killed = absl::Now();

  Analytics second(*redis_, dir_, {});
  ASSERT_OK(second.started());
  ASSERT_TRUE(second.WaitServing());
  stub = StubOf(second);
  const Aggregates want = Expected(counted, uniques);
  std::optional<Aggregates> got;
  // The killed process's journal entries are folded once they are older than the
  // recovery age (5 s at the default 1 s flush interval).
  EXPECT_TRUE(WaitUntil(
      [&] {
        got = Read(*stub);
        return got && *got == want;
      },
      absl::Seconds(30)))
      << "want " << want << "\n got " << (got ? *got : Aggregates{});
  std::fprintf(stderr, "every aggregate exact %.1f s after the kill\n",
               absl::ToDoubleSeconds(absl::Now() - killed));
  EXPECT_EQ(JournalEntries(), 0) << "every journal entry folded and deleted";

  stub.reset();
  EXPECT_EQ(second.process().Stop(SIGTERM), 0);
}

TEST_F(AnalyticsCrashTest, ASigtermFoldsEverythingBeforeItExits) {
  Analytics first(*redis_, dir_, {"--aggregate-flush-interval=1m"});
  ASSERT_OK(first.started());
  ASSERT_TRUE(first.WaitServing());
  auto stub = StubOf(first);
  std::map<std::string, int64_t> counted;
  for (int i = 0; i < 30; ++i) {
    v1::RecordViewRequest req;
    req.set_article_id(kArticles[i % kArticles.size()]);
    req.set_visitor_id(absl::StrCat("term-", i));
    v1::RecordViewResponse resp;
    grpc::Status s = stub->RecordView(Ctx(kFrontendToken).get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_TRUE(resp.counted());
    ++counted[req.article_id()];
  }
  stub.reset();
  ASSERT_EQ(first.process().Stop(SIGTERM), 0);
  EXPECT_EQ(JournalEntries(), 0) << "folded at shutdown, nothing left for recovery";
  Analytics second(*redis_, dir_, {});
  ASSERT_OK(second.started());
  ASSERT_TRUE(second.WaitServing());
  stub = StubOf(second);
  std::optional<Aggregates> got = Read(*stub);  // at once: no recovery to wait for
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, Expected(counted, counted));
  stub.reset();
  second.process().Stop(SIGTERM);
}

TEST_F(AnalyticsCrashTest, ASigkillUnderLoadLeavesEveryCountedViewInTheBuckets) {
  // The default flush interval (1 s), views in flight from four clients, a kill at some
  // point of it: whatever was counted -- answered or not -- is in every aggregate once.
  auto first = std::make_unique<Analytics>(*redis_, dir_, std::vector<std::string>{});
  ASSERT_OK(first->started());
  ASSERT_TRUE(first->WaitServing());
  std::atomic<bool> stop{false};
  std::atomic<int64_t> answered_counted{0}, sent{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      auto stub = StubOf(*first);
      for (int i = 0; !stop; ++i) {
        v1::RecordViewRequest req;
        req.set_article_id(kArticles[i % kArticles.size()]);
        req.set_visitor_id(absl::StrCat("load-", c, "-", i));
        v1::RecordViewResponse resp;
        ++sent;
        if (stub->RecordView(Ctx(kFrontendToken).get(), req, &resp).ok() && resp.counted()) {
          ++answered_counted;
        }
      }
    });
  }
  ASSERT_TRUE(WaitUntil([&] { return answered_counted >= 300; }, absl::Seconds(20)));
  const int status = first->process().Stop(SIGKILL);
  stop = true;
  for (std::thread& t : clients) t.join();
  ASSERT_TRUE(WIFSIGNALED(status)) << status;

  Analytics second(*redis_, dir_, {});
  ASSERT_OK(second.started());
  ASSERT_TRUE(second.WaitServing());
  auto stub = StubOf(second);
  std::optional<Aggregates> got;
  int64_t total = 0;
  EXPECT_TRUE(WaitUntil(
      [&] {
        got = Read(*stub);
        if (!got) return false;
        // What Redis counted is the truth: every aggregate must agree with it.
        std::map<std::string, int64_t> uniques;
        total = 0;
        for (const auto& [id, n] : got->totals) {
          uniques[id] = got->daily_uniques[id];
          total += n;
        }
        return *got == Expected(got->totals, uniques);
      },
      absl::Seconds(30)))
      << (got ? *got : Aggregates{});
  EXPECT_GE(total, answered_counted.load()) << "every answered view counted";
  EXPECT_LE(total, sent.load());
  stub.reset();
  second.process().Stop(SIGTERM);
}

TEST_F(AnalyticsCrashTest, ViewsQueuedWhileRedisIsDownSurviveASigkill) {
  // Answered `queued: true` while Redis is down, the views are in --spill-file before the
  // answer; killed before Redis is back, the next start counts them, once.
  const std::string spill = dir_.path() + "/spill";
  Analytics first(*redis_, dir_, {"--spill-file=" + spill});
  ASSERT_OK(first.started());
  ASSERT_TRUE(first.WaitServing());
  auto stub = StubOf(first);
  redis_->Kill();  // every node of a cluster
  std::map<std::string, int64_t> counted;
  for (int i = 0; i < 12; ++i) {
    v1::RecordViewRequest req;
    req.set_article_id(kArticles[i % kArticles.size()]);
    req.set_visitor_id(absl::StrCat("offline-", i));
    v1::RecordViewResponse resp;
    grpc::Status s;
    ASSERT_TRUE(WaitUntil(
        [&] {
          s = stub->RecordView(Ctx(kFrontendToken).get(), req, &resp);
          return s.ok();
        },
        absl::Seconds(10)))
        << s.error_message();
    ASSERT_TRUE(resp.queued());
    ++counted[req.article_id()];
  }
  stub.reset();
  const int status = first.process().Stop(SIGKILL);
  ASSERT_TRUE(WIFSIGNALED(status)) << status;
  ASSERT_OK(redis_->Restart());

  Analytics second(*redis_, dir_, {"--spill-file=" + spill});
  ASSERT_OK(second.started());
  ASSERT_TRUE(second.WaitServing());
  stub = StubOf(second);
  const Aggregates want = Expected(counted, counted);
  std::optional<Aggregates> got;
  EXPECT_TRUE(WaitUntil(
      [&] {
        got = Read(*stub);
        return got && *got == want;
      },
      absl::Seconds(30)))
      << "want " << want << "\n got " << (got ? *got : Aggregates{});
  EXPECT_TRUE(WaitUntil([&] { return !std::ifstream(spill).good(); }, absl::Seconds(10)))
      << "the spill file is removed once its views are counted";
  stub.reset();
  second.process().Stop(SIGTERM);
}

}  // namespace
}  // namespace bulletin::analytics
