// Two replicas of every service on one Redis (label postgres: content's replicas share a
// PostgreSQL the System starts): views recorded through both analytics replicas add up
// exactly, as read through either (stats and the most-read list); the demo article reads
// the same through both content replicas; and a replica SIGKILLed leaves the other
// serving.
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "common/testing/status_matchers.h"
#include "tests/system.h"

namespace bulletin::testing {
namespace {

namespace av1 = ::bulletin::analytics::v1;
namespace cv1 = ::bulletin::content::v1;
namespace nv1 = ::bulletin::notify::v1;

class ReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SystemOptions options;
    for (Service s : kAllServices) options.replicas[s] = 2;
    ASSERT_OK(system_.Start(options));
  }

  // Records a view of `article` by `visitor` through analytics replica `replica`.
  bool RecordView(int replica, const std::string& article, const std::string& visitor) {
    av1::RecordViewRequest req;
    req.set_article_id(article);
    req.set_visitor_id(visitor);
    av1::RecordViewResponse resp;
    return system_.Analytics(replica)->RecordView(Context(kFrontendToken).get(), req, &resp).ok();
  }

  int64_t Views(int replica, const std::string& article) {
    av1::GetStatsRequest req;
    req.add_article_ids(article);
    av1::GetStatsResponse resp;
    grpc::Status s =
        system_.Analytics(replica)->GetStats(Context(kFrontendToken).get(), req, &resp);
    return s.ok() && resp.stats_size() == 1 ? resp.stats(0).views() : -1;
  }

  // Creates and publishes an article through content replica `replica`; returns its id.
  std::string Publish(int replica, const std::string& title) {
    cv1::CreateArticleRequest create;
    create.mutable_article()->set_default_locale("en");
    auto& en = (*create.mutable_article()->mutable_translations())["en"];
    en.set_title(title);
    en.set_body("<p>" + title + "</p>");
    cv1::Article created;
    grpc::Status s =
        system_.Content(replica)->CreateArticle(Context(kEditorToken).get(), create, &created);
    EXPECT_TRUE(s.ok()) << s.error_message();
    cv1::PublishArticleRequest publish;
    publish.set_id(created.id());
    s = system_.Content(replica)->PublishArticle(Context(kEditorToken).get(), publish, &created);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return created.id();
  }

  // The first event of a Subscribe stream opened on notifications replica `replica`
  // (heartbeats skipped), or an empty event after 10 s.
  nv1::StreamEvent FirstEvent(int replica, nv1::SubscribeRequest req) {
    std::unique_ptr<grpc::ClientContext> ctx = Context(kPartnerToken, absl::Seconds(10));
    std::unique_ptr<grpc::ClientReader<nv1::SubscribeResponse>> stream =
        system_.Notify(replica)->Subscribe(ctx.get(), req);
    nv1::SubscribeResponse msg;
    while (stream->Read(&msg)) {
      if (msg.has_event()) {
        ctx->TryCancel();
        return msg.event();
      }
    }
    return nv1::StreamEvent();
  }

  System system_;
};

TEST_F(ReplicasTest, ASubscribeStreamResumesOnTheOtherReplica) {
  nv1::CreateSubscriptionRequest create;
  create.mutable_subscription()->set_display_name("Replica feed");
  nv1::CreateSubscriptionResponse created;
  ASSERT_TRUE(
      system_.Notify(0)->CreateSubscription(Context(kPartnerToken).get(), create, &created).ok());
  nv1::SubscribeRequest req;
  req.set_subscription_id(created.subscription().id());

  const std::string first = Publish(0, "First for partners");
  nv1::StreamEvent got = FirstEvent(0, req);
  EXPECT_EQ(got.event().article().id(), first);
  ASSERT_FALSE(got.resume_token().empty());

  // The partner was cut off; the next article is published meanwhile, and the partner
  // reconnects to the other replica with its token.
  const std::string second = Publish(1, "Second for partners");
  req.set_resume_token(got.resume_token());
  got = FirstEvent(1, req);
  EXPECT_EQ(got.event().article().id(), second) << "resumed after the first event";
}

TEST_F(ReplicasTest, ViewsThroughBothAnalyticsReplicasAddUpExactly) {
  const std::string& demo = system_.demo_article_id();
  const std::string other = Publish(1, "Second story");  // through the second replica
  for (int i = 0; i < 60; ++i) {
    ASSERT_TRUE(RecordView(i % 2, demo, absl::StrCat("visitor-", i)));
    if (i < 25) {
      ASSERT_TRUE(RecordView((i + 1) % 2, other, absl::StrCat("visitor-", i)));
    }
  }
  for (int replica = 0; replica < 2; ++replica) {
    EXPECT_TRUE(WaitUntil([&] { return Views(replica, demo) == 60; }, absl::Seconds(10)))
        << "replica " << replica << " reads " << Views(replica, demo);
    EXPECT_EQ(Views(replica, other), 25);
    av1::GetTopArticlesRequest top;
    top.set_kind(av1::TOP_KIND_MOST_READ);
    top.set_window(av1::TIME_WINDOW_LAST_DAY);
    av1::GetTopArticlesResponse resp;
    // The list trails counted views by the aggregate flush (about 1 s).
    WaitUntil(
        [&] {
          resp.Clear();
          return system_.Analytics(replica)
                     ->GetTopArticles(Context(kFrontendToken).get(), top, &resp)
                     .ok() &&
                 resp.articles_size() >= 2 && resp.articles(1).views() == 25;
        },
        absl::Seconds(10));
    ASSERT_GE(resp.articles_size(), 2) << "replica " << replica;
    EXPECT_EQ(resp.articles(0).article_id(), demo);
    EXPECT_EQ(resp.articles(0).views(), 60);
    EXPECT_EQ(resp.articles(1).article_id(), other);
    EXPECT_EQ(resp.articles(1).views(), 25);
  }
}

TEST_F(ReplicasTest, EveryServiceGoesOnWhenOneOfItsReplicasIsKilled) {
  for (Service service : kAllServices) system_.Kill(service, 0);
  for (Service service : kAllServices) {
    EXPECT_TRUE(IsServing(system_.addr(service, 1))) << BinaryName(service);
  }
  cv1::GetArticleRequest get;
  get.set_slug(system_.demo_slug());
  cv1::Article article;
  ASSERT_TRUE(system_.Content(1)->GetArticle(Context().get(), get, &article).ok());
  EXPECT_EQ(article.id(), system_.demo_article_id());
  EXPECT_TRUE(RecordView(1, system_.demo_article_id(), "after-kill"));
  // And a killed replica comes back on its port.
  ASSERT_OK(system_.Restart(Service::kContent, 0));
  ASSERT_OK(system_.WaitServing(Service::kContent, absl::Seconds(15), 0).status());
}

}  // namespace
}  // namespace bulletin::testing
