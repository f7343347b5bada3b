// Kill drills (CTest label `fault`): the three real binaries and a real redis-server on
// loopback, a bounded load of publishes (editor) and views (frontend), and a partner
// subscribed by a webhook (a local HTTP receiver) and by a Subscribe stream that resumes
// with its last resume token whenever it breaks. Each drill SIGKILLs one process by PID
// (content, analytics, notifications or redis-server) under that load and restarts it on
// the same port and data, as a supervisor would, then asserts: every service SERVING
// within 5 s of the restart, no acknowledged write lost, every acknowledged publish on both
// the webhook and the stream (repeats only as the same event_id), and view totals exact.
// Redis runs with appendfsync always here, so Redis itself loses no acknowledged write
// and any loss found is Bulletin's.
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "services/notifications/tests/http_receiver.h"
#include "tests/system.h"

namespace bulletin::testing {
namespace {

namespace cv1 = ::bulletin::content::v1;
namespace av1 = ::bulletin::analytics::v1;
namespace ev1 = ::bulletin::events::v1;
namespace nv1 = ::bulletin::notify::v1;

// How long a write is retried (with the same request_id) before the load gives up on it.
constexpr absl::Duration kResolveDeadline = absl::Seconds(20);
// The budget the issue sets for a restarted service (or every service after a Redis
// restart) to answer SERVING.
constexpr absl::Duration kServingBudget = absl::Seconds(5);
// Bounds of the load: at most this many writes of each kind, paced.
constexpr int kMaxArticles = 60;
constexpr int kMaxViews = 3000;
constexpr absl::Duration kArticlePace = absl::Milliseconds(150);
constexpr absl::Duration kViewPace = absl::Milliseconds(4);

// A channel that reconnects within a few hundred milliseconds of a server coming back
// (gRPC's default backoff waits 1 s, then longer), so the load resumes promptly.
std::shared_ptr<grpc::Channel> DrillChannel(const std::string& addr) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 300);
  return grpc::CreateCustomChannel(addr, grpc::InsecureChannelCredentials(), args);
}

// Calls `attempt` (one RPC with its own deadline) until it returns OK or a status that
// `final` accepts, or kResolveDeadline passes; counts the failed attempts.
grpc::Status Resolve(const std::function<grpc::Status()>& attempt,
                     const std::function<bool(const grpc::Status&)>& final,
                     std::atomic<int>* failed_attempts) {
  const absl::Time deadline = absl::Now() + kResolveDeadline;
  while (true) {
    grpc::Status s = attempt();
    if (s.ok() || final(s) || absl::Now() > deadline) return s;
    failed_attempts->fetch_add(1);
    absl::SleepFor(absl::Milliseconds(50));
  }
}

bool NeverFinal(const grpc::Status&) { return false; }

// One ArticleEvent as a partner received it.
struct Received {
  std::string event_id;
  std::string article_id;
  ev1::ArticleEventType type = ev1::ARTICLE_EVENT_TYPE_UNSPECIFIED;
};

// The ArticleEvent inside a webhook's CloudEvents envelope: "data" is the envelope's last
// member (webhook_message.h), the ArticleEvent in the protobuf JSON mapping; the members
// before it (id, source, type, time, datacontenttype) cannot hold `,"data":`. An event id
// that differs from the webhook-id header is marked, so the checks below see two ids.
std::optional<Received> ParseWebhook(const notify::testing::ReceivedRequest& request) {
  const std::string marker = ",\"data\":";
  size_t at = request.body.find(marker);
  if (at == std::string::npos || request.body.empty() || request.body.back() != '}') {
    return std::nullopt;
  }
  const size_t start = at + marker.size();
  std::string data = request.body.substr(start, request.body.size() - 1 - start);
  ev1::ArticleEvent event;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(data, &event, options).ok()) {
    return std::nullopt;
  }
  Received r;
  r.event_id = event.event_id();
  r.article_id = event.article().id();
  r.type = event.type();
  auto header = request.headers.find("webhook-id");
  if (header == request.headers.end() || header->second != r.event_id) r.event_id += "!mismatch";
  return r;
}

// A partner's Subscribe stream that reconnects with the newest resume token it was given
// (by an event or a heartbeat) whenever the stream ends, until Stop().
class ResumingSubscriber {
 public:
  ResumingSubscriber(std::shared_ptr<grpc::Channel> channel, std::string subscription_id)
      : stub_(nv1::NotificationService::NewStub(std::move(channel))),
        subscription_id_(std::move(subscription_id)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~ResumingSubscriber() { Stop(); }

  void Stop() ABSL_LOCKS_EXCLUDED(mu_) {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
      if (context_ != nullptr) context_->TryCancel();
    }
    if (thread_.joinable()) thread_.join();
  }

  std::vector<Received> events() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return events_;
  }
  // How many streams broke, and how the first few ended (code and message).
  int break_count() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return break_count_;
  }
  std::vector<std::string> first_breaks() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return first_breaks_;
  }

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_) {
    while (true) {
      std::unique_ptr<grpc::ClientContext> context = Context(kPartnerToken, absl::Minutes(5));
      nv1::SubscribeRequest request;
      request.set_subscription_id(subscription_id_);
      {
        absl::MutexLock lock(&mu_);
        if (stopping_) return;
        context_ = context.get();
        request.set_resume_token(resume_token_);
      }
      auto reader = stub_->Subscribe(context.get(), request);
      nv1::SubscribeResponse message;
      while (reader->Read(&message)) {
        absl::MutexLock lock(&mu_);
        if (message.has_event()) {
          const ev1::ArticleEvent& e = message.event().event();
          Received r;
          r.event_id = e.event_id();
          r.article_id = e.article().id();
          r.type = e.type();
          events_.push_back(r);
          resume_token_ = message.event().resume_token();
        } else if (!message.heartbeat().resume_token().empty()) {
          resume_token_ = message.heartbeat().resume_token();
        }
      }
      grpc::Status status = reader->Finish();
      {
        absl::MutexLock lock(&mu_);
        context_ = nullptr;
        if (stopping_) return;
        if (++break_count_ <= 5) {
          first_breaks_.push_back(absl::StrCat(status.error_code(), " ", status.error_message()));
        }
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
  }

  std::unique_ptr<nv1::NotificationService::Stub> stub_;
  const std::string subscription_id_;
  std::thread thread_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::string resume_token_ ABSL_GUARDED_BY(mu_);
  std::vector<Received> events_ ABSL_GUARDED_BY(mu_);
  int break_count_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::string> first_breaks_ ABSL_GUARDED_BY(mu_);
};

// What the load was told. "Acknowledged" means the call answered OK.
struct Acknowledged {
  std::set<std::string> created;             // CreateArticle OK
  std::set<std::string> published;           // PublishArticle OK
  std::set<std::string> published_earlier;   // FAILED_PRECONDITION after a failed attempt
  std::set<std::string> publish_unresolved;  // created, publish never answered
  std::map<std::string, int64_t> views;      // RecordView OK and counted, per article
  int64_t views_not_counted = 0;             // OK with counted = false, another reason
  int64_t views_queued = 0;                  // OK with queued = true (Redis was down)
  int64_t views_by_failed_attempt = 0;       // DUPLICATE_REQUEST: an earlier try counted
  int64_t views_unresolved = 0;              // no OK within kResolveDeadline
  int64_t creates_unresolved = 0;
};

// Creates and publishes articles on one thread and records views on another, each write
// retried with its request_id until it is answered, so that every write ends
// acknowledged (or is counted as unresolved).
class Load {
 public:
  Load(System& system, std::vector<std::string> view_targets, std::string prefix)
      : content_(cv1::ContentService::NewStub(DrillChannel(system.addr(Service::kContent)))),
        analytics_(av1::AnalyticsService::NewStub(DrillChannel(system.addr(Service::kAnalytics)))),
        view_targets_(std::move(view_targets)),
        prefix_(std::move(prefix)) {}
  ~Load() { Stop(); }

  void Start() {
    publisher_ = std::thread([this] { Publish(); });
    viewer_ = std::thread([this] { View(); });
  }
  void Stop() {
    stop_ = true;
    if (publisher_.joinable()) publisher_.join();
    if (viewer_.joinable()) viewer_.join();
  }
  Acknowledged acknowledged() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return acked_;
  }
  int failed_attempts() const { return failed_attempts_.load(); }
  // Publishes answered OK so far.
  int published_count() const { return published_count_.load(); }

 private:
  void Publish() ABSL_LOCKS_EXCLUDED(mu_) {
    for (int i = 0; i < kMaxArticles && !stop_; ++i) {
      cv1::CreateArticleRequest create;
      create.set_request_id(absl::StrCat(prefix_, "-article-", i));
      cv1::Article* a = create.mutable_article();
      a->set_default_locale("en");
      const std::string title = absl::StrCat("Drill ", prefix_, " article ", i);
      (*a->mutable_translations())["en"].set_title(title);
      (*a->mutable_translations())["en"].set_body("<p>" + title + "</p>");
      cv1::Article created;
      grpc::Status s = Resolve(
          [&] {
            return content_->CreateArticle(Context(kEditorToken, absl::Seconds(2)).get(), create,
                                           &created);
          },
          NeverFinal, &failed_attempts_);
      if (!s.ok()) {
        absl::MutexLock lock(&mu_);
        ++acked_.creates_unresolved;
        continue;
      }
      {
        absl::MutexLock lock(&mu_);
        acked_.created.insert(created.id());
      }
      cv1::PublishArticleRequest publish;
      publish.set_id(created.id());
      bool failed_before = false;
      cv1::Article published;
      s = Resolve(
          [&] {
            grpc::Status r = content_->PublishArticle(Context(kEditorToken, absl::Seconds(2)).get(),
                                                      publish, &published);
            if (!r.ok() && r.error_code() != grpc::StatusCode::FAILED_PRECONDITION) {
              failed_before = true;
            }
            return r;
          },
          [&](const grpc::Status& r) {
            return failed_before && r.error_code() == grpc::StatusCode::FAILED_PRECONDITION;
          },
          &failed_attempts_);
      {
        absl::MutexLock lock(&mu_);
        if (s.ok()) {
          acked_.published.insert(created.id());
          published_count_.fetch_add(1);
        } else if (failed_before && s.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
          // An attempt that failed on the client's side had published it.
          acked_.published_earlier.insert(created.id());
        } else {
          acked_.publish_unresolved.insert(created.id());
        }
      }
      absl::SleepFor(kArticlePace);
    }
  }

  void View() ABSL_LOCKS_EXCLUDED(mu_) {
    for (int i = 0; i < kMaxViews && !stop_; ++i) {
      av1::RecordViewRequest view;
      const std::string& article = view_targets_[i % view_targets_.size()];
      view.set_article_id(article);
      view.set_visitor_id(absl::StrCat(prefix_, "-visitor-", i));
      view.set_request_id(absl::StrCat(prefix_, "-view-", i));
      av1::RecordViewResponse response;
      grpc::Status s = Resolve(
          [&] {
            return analytics_->RecordView(Context(kFrontendToken, absl::Seconds(2)).get(), view,
                                          &response);
          },
          NeverFinal, &failed_attempts_);
      absl::MutexLock lock(&mu_);
      if (!s.ok()) {
        ++acked_.views_unresolved;
      } else if (response.counted() ||
                 response.reason() == av1::NOT_COUNTED_REASON_DUPLICATE_REQUEST) {
        // DUPLICATE_REQUEST: an attempt that failed on the client's side counted it.
        ++acked_.views[article];
        if (response.queued()) ++acked_.views_queued;
        if (!response.counted()) ++acked_.views_by_failed_attempt;
      } else {
        ++acked_.views_not_counted;
      }
      if (i % 8 == 7) absl::SleepFor(kViewPace * 8);
    }
  }

  std::unique_ptr<cv1::ContentService::Stub> content_;
  std::unique_ptr<av1::AnalyticsService::Stub> analytics_;
  const std::vector<std::string> view_targets_;
  const std::string prefix_;
  std::atomic<bool> stop_{false};
  std::atomic<int> failed_attempts_{0};
  std::atomic<int> published_count_{0};
  std::thread publisher_;
  std::thread viewer_;
  absl::Mutex mu_;
  Acknowledged acked_ ABSL_GUARDED_BY(mu_);
};

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

class FaultDrillTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SystemOptions options;
    options.redis_fsync_always = true;
    // Stable consumer names, so a restarted process takes up its own pending entries;
    // short webhook retries and claim times, so the drill settles in seconds.
    options.extra_flags[Service::kAnalytics] = {"--consumer-name=drill-analytics"};
    options.extra_flags[Service::kNotifications] = {
        "--allow-private-webhooks",
        "--replica-id=drill-notifications",
        "--retry-schedule=500ms,1s,1s,1s,1s,1s,1s,1s,1s,1s",
        "--webhook-connect-timeout=1s",
        "--webhook-timeout=2s",
        "--claim-idle=2s"};
    absl::Status s = system_.Start(options);
    ASSERT_TRUE(s.ok()) << s;
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
    subscriber_ = std::make_unique<ResumingSubscriber>(
        DrillChannel(system_.addr(Service::kNotifications)), resp.subscription().id());

    // The articles the views go to, published before the load (their events count too).
    for (int i = 0; i < 3; ++i) {
      cv1::CreateArticleRequest create;
      (*create.mutable_article()->mutable_translations())["en"].set_title(
          absl::StrCat("Viewed article ", i));
      (*create.mutable_article()->mutable_translations())["en"].set_body("<p>Viewed</p>");
      create.mutable_article()->set_default_locale("en");
      cv1::Article a;
      g = content_->CreateArticle(Context(kEditorToken).get(), create, &a);
      ASSERT_TRUE(g.ok()) << g.error_message();
      cv1::PublishArticleRequest publish;
      publish.set_id(a.id());
      g = content_->PublishArticle(Context(kEditorToken).get(), publish, &a);
      ASSERT_TRUE(g.ok()) << g.error_message();
      view_targets_.push_back(a.id());
    }
  }

  void TearDown() override {
    if (load_) load_->Stop();
    if (subscriber_) subscriber_->Stop();
    if (HasFailure()) std::cerr << system_.Logs();
  }

  // Runs the load for 2 s, then lets `kill` strike right after a publish is acknowledged
  // (its event is then on its way through the outbox, the stream and the webhook sender),
  // keeps the process down 300 ms (a supervisor's restart delay), runs `restart`, and
  // asserts that `waited_for` (the restarted service, or all after a Redis restart)
  // answer SERVING within 5 s; runs the load 3 s more, stops it, and asserts that every
  // service still answers SERVING and every write of the load was answered.
  void Drill(const std::string& name, const std::function<void()>& kill,
             const std::function<absl::Status()>& restart, std::vector<Service> waited_for) {
    day_at_start_ = absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone());
    load_ = std::make_unique<Load>(system_, view_targets_, name);
    load_->Start();
    absl::SleepFor(absl::Seconds(2));
    const int published = load_->published_count();
    WaitUntil([&] { return load_->published_count() > published; }, absl::Seconds(5));
    kill();
    absl::SleepFor(absl::Milliseconds(300));
    absl::Status s = restart();
    ASSERT_TRUE(s.ok()) << s;
    for (Service service : waited_for) {
      absl::StatusOr<absl::Duration> took = system_.WaitServing(service, kServingBudget);
      ASSERT_TRUE(took.ok()) << took.status();
      std::cout << "[drill " << name << "] " << BinaryName(service) << " SERVING "
                << absl::FormatDuration(*took) << " after the restart" << std::endl;
      RecordProperty(absl::StrCat(BinaryName(service), "_serving_ms"),
                     static_cast<int>(absl::ToInt64Milliseconds(*took)));
    }
    absl::SleepFor(absl::Seconds(3));
    load_->Stop();
    for (Service service : kAllServices) {
      EXPECT_TRUE(IsServing(system_.addr(service)))
          << BinaryName(service) << " not SERVING after the " << name << " drill";
    }
    acked_ = load_->acknowledged();
    std::cout << "[drill " << name << "] articles created " << acked_.created.size()
              << ", published " << acked_.published.size() << " (+"
              << acked_.published_earlier.size() << " by an attempt that failed), views "
              << TotalViews() << " (" << acked_.views_queued << " queued, "
              << acked_.views_by_failed_attempt
              << " counted by an attempt that failed), failed attempts " << load_->failed_attempts()
              << std::endl;
    EXPECT_EQ(acked_.creates_unresolved, 0);
    EXPECT_EQ(acked_.views_unresolved, 0);
    EXPECT_TRUE(acked_.publish_unresolved.empty());
    EXPECT_GT(acked_.published.size(), 5u) << "the load hardly ran";
  }

  int64_t TotalViews() const {
    int64_t total = 0;
    for (const auto& [article, n] : acked_.views) total += n;
    return total;
  }

  // Every acknowledged create is readable, in the state its last acknowledged call left.
  void ExpectNoAcknowledgedWriteLost() {
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

  // Every acknowledged publish reaches the webhook and the stream under one event_id.
  void ExpectNoPublishedEventLost() {
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
    int unparsable = 0;
    auto webhook_events = [&] {
      std::vector<Received> out;
      unparsable = 0;
      for (const auto& request : receiver_.requests()) {
        std::optional<Received> r = ParseWebhook(request);
        if (r.has_value()) {
          out.push_back(*r);
        } else {
          ++unparsable;
        }
      }
      return out;
    };
    const absl::Time start = absl::Now();
    absl::Duration hooks_took = absl::InfiniteDuration();
    absl::Duration stream_took = absl::InfiniteDuration();
    WaitUntil(
        [&] {
          hooks = Tally(webhook_events());
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
    EXPECT_EQ(unparsable, 0) << "webhooks without an ArticleEvent in their envelope";
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
      EXPECT_EQ(h->second.size(), 1u)
          << id
          << " published under several event ids (webhook): " << absl::StrJoin(h->second, ", ");
      EXPECT_EQ(st->second, h->second) << id << ": the stream and the webhook disagree";
    }
  }

  // All-time totals are written before RecordView answers OK: exact at once.
  void ExpectArticleTotalsExact() {
    av1::GetStatsRequest req;
    for (const std::string& id : view_targets_) req.add_article_ids(id);
    av1::GetStatsResponse stats;
    grpc::Status s = analytics_->GetStats(Context().get(), req, &stats);
    ASSERT_TRUE(s.ok()) << s.error_message();
    for (const av1::ArticleStats& a : stats.stats()) {
      EXPECT_EQ(a.views(), acked_.views[a.article_id()])
          << "article " << a.article_id() << ": total " << a.views() << ", acknowledged "
          << acked_.views[a.article_id()];
    }
  }

  // Sum of the views in every point of a time series (empty article_id: the site).
  int64_t SeriesSum(const std::string& article_id, av1::Granularity granularity) {
    av1::GetTimeSeriesRequest req;
    req.set_article_id(article_id);
    req.set_granularity(granularity);
    av1::GetTimeSeriesResponse resp;
    grpc::Status s = analytics_->GetTimeSeries(Context().get(), req, &resp);
    if (!s.ok()) return -1;
    int64_t sum = 0;
    for (const av1::TimeSeriesPoint& p : resp.points()) sum += p.views();
    return sum;
  }

  // The aggregated figures (day and hour buckets, the site's counter of today) trail the
  // totals by the flush interval (1 s) but, once flushed, count every acknowledged view.
  // On failure the message gives the measured loss of each figure.
  void ExpectTimeBucketsAndSiteCountersExact() {
    struct Figure {
      std::string name;
      std::function<int64_t()> read;
      int64_t expected;
    };
    std::vector<Figure> figures;
    for (const std::string& id : view_targets_) {
      figures.push_back({"article " + id + " daily buckets",
                         [this, id] { return SeriesSum(id, av1::GRANULARITY_DAILY); },
                         acked_.views[id]});
      figures.push_back({"article " + id + " hourly buckets",
                         [this, id] { return SeriesSum(id, av1::GRANULARITY_HOURLY); },
                         acked_.views[id]});
    }
    figures.push_back({"site daily buckets",
                       [this] { return SeriesSum("", av1::GRANULARITY_DAILY); }, TotalViews()});
    figures.push_back({"site hourly buckets",
                       [this] { return SeriesSum("", av1::GRANULARITY_HOURLY); }, TotalViews()});
    if (absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone()) == day_at_start_) {
      figures.push_back({"site_today_views",
                         [this] {
                           av1::GetStatsRequest req;
                           req.add_article_ids(view_targets_[0]);
                           av1::GetStatsResponse stats;
                           grpc::Status s = analytics_->GetStats(Context().get(), req, &stats);
                           return s.ok() ? stats.site_today_views() : -1;
                         },
                         TotalViews()});
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
      EXPECT_EQ(measured[i], figures[i].expected)
          << figures[i].name << ": " << measured[i] << " counted of " << figures[i].expected
          << " acknowledged views (loss " << figures[i].expected - measured[i] << ")";
    }
  }

  void ExpectNothingLost() {
    if (HasFatalFailure()) return;
    ExpectNoAcknowledgedWriteLost();
    ExpectNoPublishedEventLost();
    ExpectArticleTotalsExact();
    ExpectTimeBucketsAndSiteCountersExact();
  }

  System system_;
  notify::testing::HttpReceiver receiver_;
  std::unique_ptr<cv1::ContentService::Stub> content_;
  std::unique_ptr<av1::AnalyticsService::Stub> analytics_;
  std::unique_ptr<ResumingSubscriber> subscriber_;
  std::vector<std::string> view_targets_;
  std::unique_ptr<Load> load_;
  Acknowledged acked_;
  std::string day_at_start_;
};

TEST_F(FaultDrillTest, SigkillContent) {
  Drill(
      "content", [&] { system_.Kill(Service::kContent); },
      [&] { return system_.Restart(Service::kContent); }, {Service::kContent});
  ExpectNothingLost();
}

TEST_F(FaultDrillTest, SigkillAnalytics) {
  Drill(
      "analytics", [&] { system_.Kill(Service::kAnalytics); },
      [&] { return system_.Restart(Service::kAnalytics); }, {Service::kAnalytics});
  ExpectNothingLost();
}

TEST_F(FaultDrillTest, SigkillNotifications) {
  Drill(
      "notifications", [&] { system_.Kill(Service::kNotifications); },
      [&] { return system_.Restart(Service::kNotifications); }, {Service::kNotifications});
  ExpectNothingLost();
}

TEST_F(FaultDrillTest, SigkillRedis) {
  Drill(
      "redis", [&] { system_.KillRedis(); }, [&] { return system_.RestartRedis(); },
      {Service::kContent, Service::kAnalytics, Service::kNotifications});
  ExpectNothingLost();
}

}  // namespace
}  // namespace bulletin::testing
