// gRPC tests of ContentService's reply cache (services/content/grpc/reply_cache.h) through
// a real server over the memory store: repeated public reads are answered without the
// store, and no reply outlives the data it was made of — a write through this service, an
// event naming the article (another replica's write), the cache TTL, an expiring preview
// token, a category write here (another replica's: within 1 s); editors are always
// answered by the core.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>

#include "absl/strings/str_cat.h"
#include "bulletin/content/v1/content.grpc.pb.h"
#include "common/base/worker_pool.h"
#include "common/grpc/server.h"
#include "common/testing/status_matchers.h"
#include "services/content/grpc/content_service.h"
#include "services/content/store/memory/faulty_article_store.h"
#include "services/content/store/memory/memory_article_store.h"

namespace bulletin::content {
namespace {

namespace pb = ::bulletin::content::v1;

constexpr char kEditorToken[] = "editor-token-0123456789";
constexpr char kFrontendToken[] = "frontend-token-0123456789";

class ReplyCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(
        tokens_, TokenStore::Parse(
                     absl::StrCat("editor ", kEditorToken, "\nfrontend ", kFrontendToken, "\n")));
    ContentOptions options;
    options.clock = [this] { return now_; };
    options.cache_ttl = absl::Seconds(60);
    core_ = std::make_unique<ContentCore>(faulty_, options);
    // Another replica's core over the same data: its writes reach core_ only as events.
    other_ = std::make_unique<ContentCore>(store_, options);
    service_ = std::make_unique<ContentService>(*core_, tokens_, pool_);
    service_->SetGate([this](const grpc::ServerContextBase&, const Caller&, absl::string_view) {
      ++gated_;
      return refuse_ ? absl::ResourceExhaustedError("slow down") : absl::OkStatus();
    });
    ServerConfig config;
    config.listen = "127.0.0.1:0";
    ASSERT_OK_AND_ASSIGN(
        server_,
        GrpcServer::Start(config, {{"bulletin.content.v1.ContentService", service_.get()}}));
    stub_ = pb::ContentService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
    first_ = Publish("Volunteer service meeting held");
    second_ = Publish("Volunteer service training opened");
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
    auto context = std::make_unique<grpc::ClientContext>();
    if (!token.empty()) context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return context;
  }

  pb::Article Create(const std::string& title) {
    pb::CreateArticleRequest req;
    req.mutable_article()->set_default_locale("en");
    req.mutable_article()->add_tags("volunteer service");
    auto& en = (*req.mutable_article()->mutable_translations())["en"];
    en.set_title(title);
    en.set_body("<p>Body</p>");
    pb::Article a;
    grpc::Status s = stub_->CreateArticle(Context(kEditorToken).get(), req, &a);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return a;
  }

  pb::Article Publish(const std::string& title) {
    pb::PublishArticleRequest req;
    req.set_id(Create(title).id());
    pb::Article a;
    grpc::Status s = stub_->PublishArticle(Context(kEditorToken).get(), req, &a);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return a;
  }

  absl::StatusOr<std::string> Title(const std::string& id,
                                    const std::string& token = kFrontendToken,
                                    const std::string& preview_token = "") {
    pb::GetArticleRequest req;
    req.set_id(id);
    req.set_locale("en");
    req.set_preview_token(preview_token);
    pb::Article a;
    grpc::Status s = stub_->GetArticle(Context(token).get(), req, &a);
    if (!s.ok())
      return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
    return a.translations().at("en").title();
  }

  absl::StatusOr<pb::ListArticlesResponse> List() {
    pb::ListArticlesRequest req;
    req.set_page_size(10);
    pb::ListArticlesResponse r;
    grpc::Status s = stub_->ListArticles(Context(kFrontendToken).get(), req, &r);
    if (!s.ok())
      return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
    return r;
  }

  absl::StatusOr<pb::ListRelatedArticlesResponse> Related(const std::string& id) {
    pb::ListRelatedArticlesRequest req;
    req.set_article_id(id);
    pb::ListRelatedArticlesResponse r;
    grpc::Status s = stub_->ListRelatedArticles(Context(kFrontendToken).get(), req, &r);
    if (!s.ok())
      return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
    return r;
  }

  void Retitle(const std::string& id, const std::string& title) {
    pb::UpdateArticleRequest req;
    req.mutable_article()->set_id(id);
    (*req.mutable_article()->mutable_translations())["en"].set_title(title);
    req.mutable_update_mask()->add_paths("translations.en.title");
    pb::Article a;
    grpc::Status s = stub_->UpdateArticle(Context(kEditorToken).get(), req, &a);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // Retitles through the other replica's core (no event reaches core_).
  void RetitleElsewhere(const std::string& id, const std::string& title) {
    UpdateCommand cmd;
    cmd.article.id = id;
    cmd.article.translations["en"].title = title;
    cmd.paths = {"translations.en.title"};
    ASSERT_OK(other_->UpdateArticle(Principal{Role::kEditor, ""}, std::move(cmd)).status());
  }

  absl::Time now_ = absl::FromUnixSeconds(1700000000);
  std::atomic<bool> refuse_{false};  // the gate refuses every call
  std::atomic<int> gated_{0};        // calls that reached the gate
  MemoryArticleStore store_;
  FaultyArticleStore faulty_{store_, store_};
  TokenStore tokens_;
  WorkerPool pool_{4, 64};
  std::unique_ptr<ContentCore> core_;
  std::unique_ptr<ContentCore> other_;
  std::unique_ptr<ContentService> service_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<pb::ContentService::Stub> stub_;
  pb::Article first_, second_;
};

TEST_F(ReplyCacheTest, RepeatedPublicReadsAreAnsweredWithoutTheStore) {
  ASSERT_OK_AND_ASSIGN(pb::ListArticlesResponse list, List());
  ASSERT_OK_AND_ASSIGN(pb::ListRelatedArticlesResponse related, Related(first_.id()));
  ASSERT_EQ(list.articles_size(), 2);
  ASSERT_EQ(related.articles_size(), 1);
  faulty_.FailAll();
  ASSERT_OK_AND_ASSIGN(pb::ListArticlesResponse list2, List());
  ASSERT_OK_AND_ASSIGN(pb::ListRelatedArticlesResponse related2, Related(first_.id()));
  EXPECT_EQ(list2.SerializeAsString(), list.SerializeAsString());
  EXPECT_EQ(related2.SerializeAsString(), related.SerializeAsString());
  // A read never made before goes to the store.
  pb::ListArticlesRequest other;
  other.set_page_size(1);
  pb::ListArticlesResponse r;
  EXPECT_EQ(stub_->ListArticles(Context(kFrontendToken).get(), other, &r).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(ReplyCacheTest, AWriteThroughThisServiceIsReadAtOnce) {
  ASSERT_OK_AND_ASSIGN(std::string title, Title(first_.id()));
  ASSERT_OK(List().status());
  ASSERT_OK(Related(second_.id()).status());
  Retitle(first_.id(), "Volunteer service meeting postponed");
  EXPECT_EQ(Title(first_.id()).value_or("(error)"), "Volunteer service meeting postponed");
  ASSERT_OK_AND_ASSIGN(pb::ListArticlesResponse list, List());
  ASSERT_OK_AND_ASSIGN(pb::ListRelatedArticlesResponse related, Related(second_.id()));
  auto titled = [](const pb::Article& a) { return a.translations().at("en").title(); };
  bool listed = false;
  for (const pb::Article& a : list.articles()) {
    if (a.id() == first_.id()) listed = titled(a) == "Volunteer service meeting postponed";
  }
  EXPECT_TRUE(listed);
  ASSERT_EQ(related.articles_size(), 1);
  EXPECT_EQ(titled(related.articles(0)), "Volunteer service meeting postponed");
  // A newly published article joins the list and the related articles at once.
  const pb::Article third = Publish("Volunteer service award given");
  ASSERT_OK_AND_ASSIGN(list, List());
  EXPECT_EQ(list.total_size(), 3);
  ASSERT_OK_AND_ASSIGN(related, Related(second_.id()));
  EXPECT_EQ(related.articles_size(), 2);
}

TEST_F(ReplyCacheTest, AnotherReplicasWriteIsReadOnceItsEventArrivesOrTheTtlEnds) {
  ASSERT_OK(Title(first_.id()).status());
  ASSERT_OK(Related(second_.id()).status());
  RetitleElsewhere(first_.id(), "Changed elsewhere");
  // Like the article cache: the old copy until the event (or the TTL) says otherwise.
  EXPECT_EQ(Title(first_.id()).value_or("(error)"), "Volunteer service meeting held");
  core_->cache().Erase(first_.id());  // what the cache follower does for the event
  EXPECT_EQ(Title(first_.id()).value_or("(error)"), "Changed elsewhere");
  ASSERT_OK_AND_ASSIGN(pb::ListRelatedArticlesResponse related, Related(second_.id()));
  ASSERT_EQ(related.articles_size(), 1);
  EXPECT_EQ(related.articles(0).translations().at("en").title(), "Changed elsewhere");

  RetitleElsewhere(first_.id(), "Changed again, event lost");
  EXPECT_EQ(Title(first_.id()).value_or("(error)"), "Changed elsewhere");
  now_ += absl::Seconds(61);
  EXPECT_EQ(Title(first_.id()).value_or("(error)"), "Changed again, event lost");
}

TEST_F(ReplyCacheTest, PreviewTokensAndEditorsAreAlwaysAnsweredByTheCore) {
  const pb::Article draft = Create("A draft");
  pb::CreatePreviewTokenRequest req;
  req.set_article_id(draft.id());
  req.mutable_ttl()->set_seconds(10);
  pb::PreviewToken token;
  ASSERT_TRUE(stub_->CreatePreviewToken(Context(kEditorToken).get(), req, &token).ok());
  EXPECT_EQ(Title(draft.id(), kFrontendToken, token.token()).value_or("(error)"), "A draft");
  now_ += absl::Seconds(30);  // past the token, within the cache TTL
  EXPECT_THAT(Title(draft.id(), kFrontendToken, token.token()),
              bulletin::testing::StatusIs(absl::StatusCode::kPermissionDenied, "expired"));

  // An editor's read goes to the core even when a public reply is kept.
  ASSERT_OK(Title(first_.id()).status());
  ASSERT_OK(List().status());
  faulty_.FailAll();
  EXPECT_OK(Title(first_.id()).status());                // the public reply
  EXPECT_OK(Title(first_.id(), kEditorToken).status());  // the article cache, in the core
  pb::ListArticlesRequest list;
  list.set_page_size(10);
  pb::ListArticlesResponse r;
  EXPECT_OK(List().status());
  EXPECT_EQ(stub_->ListArticles(Context(kEditorToken).get(), list, &r).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(ReplyCacheTest, AKeptReplyStillNeedsAValidTokenAndPassesTheGate) {
  ASSERT_OK(Title(first_.id()).status());
  EXPECT_THAT(Title(first_.id(), "unknown-token-0123456789"),
              bulletin::testing::StatusIs(absl::StatusCode::kUnauthenticated));
  const int gated = gated_.load();
  refuse_ = true;
  EXPECT_THAT(Title(first_.id()),
              bulletin::testing::StatusIs(absl::StatusCode::kResourceExhausted, "slow down"));
  EXPECT_EQ(gated_.load(), gated + 1);
}

TEST_F(ReplyCacheTest, ACategoryChangeIsReadAtOnceHereAndWithinASecondFromElsewhere) {
  pb::CreateCategoryRequest create;
  create.mutable_category()->set_slug("news");
  create.mutable_category()->set_default_locale("en");
  (*create.mutable_category()->mutable_translations())["en"].set_name("News");
  pb::Category news;
  ASSERT_TRUE(stub_->CreateCategory(Context(kEditorToken).get(), create, &news).ok());
  auto name = [&]() -> std::string {
    pb::GetCategoryRequest get;
    get.set_id(news.id());
    pb::Category c;
    grpc::Status s = stub_->GetCategory(Context(kFrontendToken).get(), get, &c);
    return s.ok() ? c.translations().at("en").name() : "(error) " + s.error_message();
  };
  EXPECT_EQ(name(), "News");
  pb::UpdateCategoryRequest update;
  update.mutable_category()->set_id(news.id());
  (*update.mutable_category()->mutable_translations())["en"].set_name("Latest news");
  update.mutable_update_mask()->add_paths("translations.en.name");
  pb::Category updated;
  ASSERT_TRUE(stub_->UpdateCategory(Context(kEditorToken).get(), update, &updated).ok());
  EXPECT_EQ(name(), "Latest news");

  CategoryUpdate elsewhere;
  elsewhere.category.id = news.id();
  elsewhere.category.translations["en"].name = "World news";
  elsewhere.paths = {"translations.en.name"};
  ASSERT_OK(other_->UpdateCategory(Principal{Role::kEditor, ""}, elsewhere).status());
  EXPECT_EQ(name(), "Latest news");
  now_ += absl::Milliseconds(1001);
  EXPECT_EQ(name(), "World news");
}

}  // namespace
}  // namespace bulletin::content
