// End to end: the three real binaries and a real redis-server, talking real gRPC over TCP.
// An article published through content travels through the outbox, the relay and the
// Redis stream to a partner's Subscribe stream; analytics counts its views.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <deque>
#include <optional>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "tests/system.h"

namespace bulletin::testing {
namespace {

namespace cv1 = ::bulletin::content::v1;
namespace av1 = ::bulletin::analytics::v1;
namespace nv1 = ::bulletin::notify::v1;

// Reads a Subscribe stream on its own thread so a test can wait for a message with a
// deadline.
class StreamReader {
 public:
  StreamReader(nv1::NotificationService::Stub& stub, const std::string& token,
               nv1::SubscribeRequest request)
      : context_(Context(token, absl::Seconds(60))) {
    reader_ = stub.Subscribe(context_.get(), request);
    thread_ = std::thread([this] {
      nv1::SubscribeResponse msg;
      while (reader_->Read(&msg)) {
        absl::MutexLock lock(&mu_);
        queue_.push_back(msg);
      }
      grpc::Status s = reader_->Finish();
      absl::MutexLock lock(&mu_);
      status_ = s;
    });
  }
  ~StreamReader() {
    context_->TryCancel();
    thread_.join();
  }

  // The next event (heartbeats skipped), or nullopt after `timeout` or at the stream's end.
  std::optional<nv1::StreamEvent> NextEvent(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    const absl::Time deadline = absl::Now() + timeout;
    auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !queue_.empty() || status_.has_value();
    };
    while (true) {
      while (!queue_.empty()) {
        nv1::SubscribeResponse msg = queue_.front();
        queue_.pop_front();
        if (msg.has_event()) return msg.event();
      }
      if (status_ || !mu_.AwaitWithDeadline(absl::Condition(&ready), deadline)) {
        return std::nullopt;
      }
    }
  }

  std::optional<grpc::Status> status() {
    absl::MutexLock lock(&mu_);
    return status_;
  }

 private:
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientReader<nv1::SubscribeResponse>> reader_;
  std::thread thread_;
  absl::Mutex mu_;
  std::deque<nv1::SubscribeResponse> queue_ ABSL_GUARDED_BY(mu_);
  std::optional<grpc::Status> status_ ABSL_GUARDED_BY(mu_);
};

class EndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::Status s = system_.Start();
    ASSERT_TRUE(s.ok()) << s;
    content_ = system_.Content();
    analytics_ = system_.Analytics();
    notify_ = system_.Notify();
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << system_.Logs();
  }

  std::string CreateSubscription() {
    nv1::CreateSubscriptionRequest req;
    req.mutable_subscription()->set_display_name("Volunteer alliance feed");
    nv1::CreateSubscriptionResponse resp;
    grpc::Status s = notify_->CreateSubscription(Context(kPartnerToken).get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(resp.signing_secret().rfind("whsec_", 0), 0u);
    return resp.subscription().id();
  }

  // Creates and publishes a bilingual article; returns its id.
  std::string PublishArticle(const std::string& title_en, const std::string& title_zh) {
    cv1::CreateArticleRequest create;
    cv1::Article* a = create.mutable_article();
    a->set_default_locale("en");
    (*a->mutable_translations())["en"].set_title(title_en);
    (*a->mutable_translations())["en"].set_body("<p>" + title_en + "</p>");
    (*a->mutable_translations())["zh-CN"].set_title(title_zh);
    (*a->mutable_translations())["zh-CN"].set_body("<p>" + title_zh + "</p>");
    cv1::Article created;
    grpc::Status s = content_->CreateArticle(Context(kEditorToken).get(), create, &created);
    EXPECT_TRUE(s.ok()) << s.error_message();
    cv1::PublishArticleRequest publish;
    publish.set_id(created.id());
    publish.set_etag(created.etag());
    cv1::Article published;
    s = content_->PublishArticle(Context(kEditorToken).get(), publish, &published);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(published.state(), cv1::ARTICLE_STATE_PUBLISHED);
    return created.id();
  }

  System system_;
  std::unique_ptr<cv1::ContentService::Stub> content_;
  std::unique_ptr<av1::AnalyticsService::Stub> analytics_;
  std::unique_ptr<nv1::NotificationService::Stub> notify_;
};

TEST_F(EndToEndTest, PublishedArticleReachesSubscriberAndResumeReplaysOnlyNewer) {
  std::string sub = CreateSubscription();
  nv1::SubscribeRequest req;
  req.set_subscription_id(sub);
  std::string first_token;
  {
    StreamReader stream(*notify_, kPartnerToken, req);
    std::string id = PublishArticle("Volunteers plant trees", "志愿者植树");
    absl::Time published = absl::Now();
    std::optional<nv1::StreamEvent> ev = stream.NextEvent(absl::Seconds(5));
    ASSERT_TRUE(ev.has_value()) << "no event within 5 s";
    EXPECT_LT(absl::Now() - published, absl::Seconds(1)) << "the event took over a second";
    EXPECT_EQ(ev->event().article().id(), id);
    EXPECT_EQ(ev->event().type(), events::v1::ARTICLE_EVENT_TYPE_PUBLISHED);
    EXPECT_FALSE(ev->event().event_id().empty());
    EXPECT_FALSE(ev->resume_token().empty());
    first_token = ev->resume_token();
  }
  // While no one listens, two more articles are published.
  std::string second = PublishArticle("Second article", "第二篇文章");
  std::string third = PublishArticle("Third article", "第三篇文章");

  // Reconnecting with the first token replays exactly what came after it.
  req.set_resume_token(first_token);
  StreamReader resumed(*notify_, kPartnerToken, req);
  std::optional<nv1::StreamEvent> ev = resumed.NextEvent(absl::Seconds(5));
  ASSERT_TRUE(ev.has_value());
  EXPECT_EQ(ev->event().article().id(), second);
  ev = resumed.NextEvent(absl::Seconds(5));
  ASSERT_TRUE(ev.has_value());
  EXPECT_EQ(ev->event().article().id(), third);
  EXPECT_FALSE(resumed.NextEvent(absl::Milliseconds(500)).has_value()) << "a duplicate arrived";
}

TEST_F(EndToEndTest, RecordViewTotalsIncrease) {
  const std::string& id = system_.demo_article_id();
  av1::RecordViewRequest req;
  req.set_article_id(id);
  req.set_visitor_id("visitor-1");
  av1::RecordViewResponse first;
  grpc::Status s = analytics_->RecordView(Context(kFrontendToken).get(), req, &first);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(first.counted());
  req.set_visitor_id("visitor-2");
  av1::RecordViewResponse second;
  s = analytics_->RecordView(Context(kFrontendToken).get(), req, &second);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(second.totals().views(), first.totals().views() + 1);
  EXPECT_EQ(second.totals().unique_visitors(), 2);

  av1::GetStatsRequest stats_req;
  stats_req.add_article_ids(id);
  stats_req.add_article_ids("no-such-article");
  av1::GetStatsResponse stats;
  s = analytics_->GetStats(Context().get(), stats_req, &stats);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(stats.stats_size(), 2);
  EXPECT_EQ(stats.stats(0).views(), second.totals().views());
  EXPECT_EQ(stats.stats(1).views(), 0);
}

TEST_F(EndToEndTest, EventSurvivesRedisDownBetweenPublishAndRelay) {
  std::string sub = CreateSubscription();
  system_.redis().Kill();
  // Content keeps serving writes: the event waits in its outbox.
  std::string id = PublishArticle("Published while Redis is down", "Redis 停机时发布");
  ASSERT_TRUE(system_.redis().Restart().ok());

  nv1::SubscribeRequest req;
  req.set_subscription_id(sub);
  std::optional<nv1::StreamEvent> ev;
  // Notifications reconnects to Redis on its own; a stream opened too early may be
  // refused with UNAVAILABLE, so retry until the deadline.
  ASSERT_TRUE(WaitUntil(
      [&] {
        StreamReader stream(*notify_, kPartnerToken, req);
        ev = stream.NextEvent(absl::Seconds(3));
        return ev.has_value();
      },
      absl::Seconds(20)))
      << "the event never arrived after Redis came back";
  EXPECT_EQ(ev->event().article().id(), id);
}

TEST_F(EndToEndTest, DemoArticleReadsInBothLanguages) {
  for (const char* locale : {"en", "zh-CN"}) {
    cv1::GetArticleRequest req;
    req.set_slug(system_.demo_slug());
    req.set_locale(locale);
    cv1::Article a;
    grpc::Status s = content_->GetArticle(Context().get(), req, &a);
    ASSERT_TRUE(s.ok()) << locale << ": " << s.error_message();
    EXPECT_EQ(a.returned_locale(), locale);
    ASSERT_EQ(a.translations().count(locale), 1u);
    EXPECT_NE(a.translations().at(locale).title().find(
                  std::string(locale) == "en" ? "Tripartite Meeting" : "三方"),
              std::string::npos)
        << a.translations().at(locale).title();
    EXPECT_EQ(a.published_locales_size(), 2);
  }
}

TEST_F(EndToEndTest, WritesWithoutTokenAreUnauthenticated) {
  cv1::Article created;
  cv1::CreateArticleRequest create;
  (*create.mutable_article()->mutable_translations())["en"].set_title("x");
  create.mutable_article()->set_default_locale("en");
  EXPECT_EQ(content_->CreateArticle(Context().get(), create, &created).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  av1::RecordViewRequest view;
  view.set_article_id(system_.demo_article_id());
  view.set_visitor_id("v");
  av1::RecordViewResponse counted;
  EXPECT_EQ(analytics_->RecordView(Context().get(), view, &counted).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  nv1::CreateSubscriptionRequest sub;
  sub.mutable_subscription()->set_display_name("x");
  nv1::CreateSubscriptionResponse made;
  EXPECT_EQ(notify_->CreateSubscription(Context().get(), sub, &made).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(EndToEndTest, BadInputNamesTheField) {
  cv1::GetArticleRequest get;  // neither id nor slug
  cv1::Article a;
  grpc::Status s = content_->GetArticle(Context().get(), get, &a);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  av1::RecordViewRequest view;  // no article id
  view.set_visitor_id("v");
  av1::RecordViewResponse counted;
  s = analytics_->RecordView(Context(kFrontendToken).get(), view, &counted);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("article_id"), std::string::npos) << s.error_message();

  nv1::SubscribeRequest req;
  req.set_subscription_id(CreateSubscription());
  req.set_resume_token("%%% not a token %%%");
  StreamReader stream(*notify_, kPartnerToken, req);
  EXPECT_FALSE(stream.NextEvent(absl::Seconds(5)).has_value());
  ASSERT_TRUE(stream.status().has_value());
  EXPECT_EQ(stream.status()->error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(stream.status()->error_message().find("resume_token"), std::string::npos)
      << stream.status()->error_message();
}

TEST_F(EndToEndTest, MetricsCountRpcsByMethodAndCode) {
  cv1::GetArticleRequest get;
  get.set_slug(system_.demo_slug());
  cv1::Article a;
  ASSERT_TRUE(content_->GetArticle(Context().get(), get, &a).ok());
  get.set_slug("no-such-article");
  EXPECT_EQ(content_->GetArticle(Context().get(), get, &a).error_code(),
            grpc::StatusCode::NOT_FOUND);
  absl::StatusOr<std::string> text = HttpGet(system_.content_metrics_url());
  ASSERT_TRUE(text.ok()) << text.status();
  for (const char* code : {"OK", "NotFound"}) {
    bool found = false;
    for (absl::string_view line : absl::StrSplit(*text, '\n')) {
      if (absl::StartsWith(line, "grpc_server_handled_total{") &&
          absl::StrContains(line, "grpc_service=\"bulletin.content.v1.ContentService\"") &&
          absl::StrContains(line, "grpc_method=\"GetArticle\"") &&
          absl::StrContains(line, absl::StrCat("grpc_code=\"", code, "\"")) &&
          absl::EndsWith(line, " 1")) {
        found = true;
      }
    }
    EXPECT_TRUE(found) << "no GetArticle " << code << " count of 1 in:\n" << *text;
  }
}

TEST_F(EndToEndTest, SigtermDrainsAndExitsZero) {
  // Clients stay connected. A drain with no calls in flight ends well within the drain
  // timeout (the services run with --drain-timeout=5s here); it is not instant because an
  // idle synchronous client does not poll its connection to answer the server's GOAWAY
  // ping, so the server waits for the ping to time out.
  for (const std::string& addr :
       {system_.content_addr(), system_.analytics_addr(), system_.notify_addr()}) {
    ASSERT_TRUE(IsServing(addr));
  }
  cv1::GetArticleRequest get;
  get.set_slug(system_.demo_slug());
  cv1::Article a;
  ASSERT_TRUE(content_->GetArticle(Context().get(), get, &a).ok());
  absl::Time start = absl::Now();
  std::vector<int> statuses = system_.StopServices();
  EXPECT_LT(absl::Now() - start, absl::Seconds(20)) << "the drain overran its timeout";
  for (int status : statuses) {
    ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
}

}  // namespace
}  // namespace bulletin::testing
