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

  System system_;
};

TEST_F(ReplicasTest, ViewsThroughBothAnalyticsReplicasAddUpExactly) {
  const std::string& demo = system_.demo_article_id();
  // A second published article, written through the second content replica.
  cv1::CreateArticleRequest create;
  create.mutable_article()->set_default_locale("en");
  auto& en = (*create.mutable_article()->mutable_translations())["en"];
  en.set_title("Second story");
  en.set_body("<p>Second story</p>");
  cv1::Article created;
  ASSERT_TRUE(
      system_.Content(1)->CreateArticle(Context(kEditorToken).get(), create, &created).ok());
  cv1::PublishArticleRequest publish;
  publish.set_id(created.id());
  ASSERT_TRUE(
      system_.Content(1)->PublishArticle(Context(kEditorToken).get(), publish, &created).ok());
  const std::string other = created.id();
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
