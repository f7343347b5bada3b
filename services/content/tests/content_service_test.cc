// gRPC tests of ContentService through a real server on a free port, over the memory
// store: status codes and field-naming messages for bad input, auth, the ABORTED trailer,
// a store outage (UNAVAILABLE, never INTERNAL), and the seeded demo article read in English
// and Chinese.
#include "services/content/grpc/content_service.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>

#include "absl/strings/match.h"
#include "bulletin/content/v1/content.grpc.pb.h"
#include "common/base/worker_pool.h"
#include "common/grpc/server.h"
#include "common/testing/process.h"
#include "common/testing/status_matchers.h"
#include "services/content/seed_demo.h"
#include "services/content/store/memory/faulty_article_store.h"
#include "services/content/store/memory/memory_article_store.h"

namespace bulletin::content {
namespace {

namespace pb = ::bulletin::content::v1;

constexpr char kEditorToken[] = "editor-token-0123456789";
constexpr char kFrontendToken[] = "frontend-token-0123456789";

class ContentServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(
        tokens_, TokenStore::Parse(
                     absl::StrCat("editor ", kEditorToken, "\nfrontend ", kFrontendToken, "\n")));
    core_ = std::make_unique<ContentCore>(faulty_, ContentOptions{});
    service_ = std::make_unique<ContentService>(*core_, tokens_, pool_);
    ServerConfig config;
    config.listen = "127.0.0.1:0";
    ASSERT_OK_AND_ASSIGN(
        server_,
        GrpcServer::Start(config, {{"bulletin.content.v1.ContentService", service_.get()}}));
    stub_ = pb::ContentService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  std::unique_ptr<grpc::ClientContext> Context(const std::string& token = "") {
    auto context = std::make_unique<grpc::ClientContext>();
    if (!token.empty()) context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return context;
  }

  static pb::CreateArticleRequest ValidArticle(const std::string& title) {
    pb::CreateArticleRequest req;
    req.mutable_article()->set_default_locale("en");
    auto& en = (*req.mutable_article()->mutable_translations())["en"];
    en.set_title(title);
    en.set_body("<p>Body</p>");
    (*req.mutable_article()->mutable_translations())["zh-cn"].set_title("标题");
    return req;
  }

  MemoryArticleStore store_;
  FaultyArticleStore faulty_{store_, store_};
  TokenStore tokens_;
  WorkerPool pool_{4, 64};
  std::unique_ptr<ContentCore> core_;
  std::unique_ptr<ContentService> service_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<pb::ContentService::Stub> stub_;
};

void ExpectInvalid(const grpc::Status& status, const std::string& field) {
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << status.error_message() << " (expected a message naming " << field << ")";
  EXPECT_TRUE(absl::StartsWith(status.error_message(), field))
      << status.error_message() << " should name " << field;
}

TEST_F(ContentServiceTest, WritesWithoutATokenAreUnauthenticatedAndFrontendIsDenied) {
  pb::Article out;
  EXPECT_EQ(stub_->CreateArticle(Context().get(), ValidArticle("x"), &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(
      stub_->CreateArticle(Context(kFrontendToken).get(), ValidArticle("x"), &out).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  pb::CreateCategoryRequest cat;
  pb::Category cat_out;
  EXPECT_EQ(stub_->CreateCategory(Context().get(), cat, &cat_out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  pb::PublishArticleRequest publish;
  publish.set_id("some-id");
  EXPECT_EQ(stub_->PublishArticle(Context(kFrontendToken).get(), publish, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  pb::GetArticleRequest get;
  get.set_slug("anything");
  EXPECT_EQ(stub_->GetArticle(Context("not-a-valid-token-at-all").get(), get, &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(ContentServiceTest, BadInputIsInvalidArgumentNamingTheField) {
  pb::Article out;
  pb::CreateArticleRequest no_article;
  ExpectInvalid(stub_->CreateArticle(Context(kEditorToken).get(), no_article, &out), "article:");
  auto empty_title = ValidArticle("");
  ExpectInvalid(stub_->CreateArticle(Context(kEditorToken).get(), empty_title, &out),
                "article.translations[en].title:");
  auto bad_default = ValidArticle("t");
  bad_default.mutable_article()->set_default_locale("fr");
  ExpectInvalid(stub_->CreateArticle(Context(kEditorToken).get(), bad_default, &out),
                "article.default_locale:");
  auto bad_request_id = ValidArticle("t");
  bad_request_id.set_request_id("has spaces");
  ExpectInvalid(stub_->CreateArticle(Context(kEditorToken).get(), bad_request_id, &out),
                "request_id:");

  pb::GetArticleRequest no_key;
  ExpectInvalid(stub_->GetArticle(Context().get(), no_key, &out), "id:");
  pb::GetArticleRequest bad_locale;
  bad_locale.set_slug("fine");
  bad_locale.set_locale("not_a-locale-at-all!");
  ExpectInvalid(stub_->GetArticle(Context().get(), bad_locale, &out), "locale:");
  pb::GetArticleRequest bad_slug;
  bad_slug.set_slug("Not A Slug");
  ExpectInvalid(stub_->GetArticle(Context().get(), bad_slug, &out), "slug:");

  pb::PublishArticleRequest bad_id;
  bad_id.set_id("bad id");
  ExpectInvalid(stub_->PublishArticle(Context(kEditorToken).get(), bad_id, &out), "id:");
  pb::PublishArticleRequest bad_time;
  bad_time.set_id("fine-id");
  bad_time.mutable_publish_time()->set_nanos(-1);
  ExpectInvalid(stub_->PublishArticle(Context(kEditorToken).get(), bad_time, &out),
                "publish_time:");

  pb::Category cat_out;
  pb::CreateCategoryRequest no_slug;
  no_slug.mutable_category()->set_default_locale("en");
  (*no_slug.mutable_category()->mutable_translations())["en"].set_name("News");
  ExpectInvalid(stub_->CreateCategory(Context(kEditorToken).get(), no_slug, &cat_out),
                "category.slug:");
  pb::GetCategoryRequest no_category_key;
  ExpectInvalid(stub_->GetCategory(Context().get(), no_category_key, &cat_out), "id:");
}

TEST_F(ContentServiceTest, CreatePublishAndReadThroughGrpc) {
  pb::CreateCategoryRequest cat;
  cat.mutable_category()->set_slug("news");
  cat.mutable_category()->set_default_locale("en");
  (*cat.mutable_category()->mutable_translations())["en"].set_name("News");
  pb::Category news;
  ASSERT_TRUE(stub_->CreateCategory(Context(kEditorToken).get(), cat, &news).ok());

  auto req = ValidArticle("Over the wire");
  req.mutable_article()->set_category_id(news.id());
  req.set_request_id("wire-1");
  pb::Article created;
  ASSERT_TRUE(stub_->CreateArticle(Context(kEditorToken).get(), req, &created).ok());
  EXPECT_EQ(created.state(), pb::ARTICLE_STATE_DRAFT);
  EXPECT_EQ(created.slug(), "over-the-wire");
  EXPECT_EQ(created.translations().count("zh-CN"), 1u);
  pb::Article repeated;
  ASSERT_TRUE(stub_->CreateArticle(Context(kEditorToken).get(), req, &repeated).ok());
  EXPECT_EQ(repeated.id(), created.id());

  pb::GetArticleRequest get;
  get.set_id(created.id());
  pb::Article read;
  EXPECT_EQ(stub_->GetArticle(Context().get(), get, &read).error_code(),
            grpc::StatusCode::NOT_FOUND);

  pb::PublishArticleRequest stale;
  stale.set_id(created.id());
  stale.set_etag("stale");
  auto stale_context = Context(kEditorToken);
  pb::Article out;
  EXPECT_EQ(stub_->PublishArticle(stale_context.get(), stale, &out).error_code(),
            grpc::StatusCode::ABORTED);
  auto trailer = stale_context->GetServerTrailingMetadata().find("bulletin-current-etag");
  ASSERT_NE(trailer, stale_context->GetServerTrailingMetadata().end());
  EXPECT_EQ(std::string(trailer->second.data(), trailer->second.size()), created.etag());

  pb::PublishArticleRequest publish;
  publish.set_id(created.id());
  publish.set_etag(created.etag());
  ASSERT_TRUE(stub_->PublishArticle(Context(kEditorToken).get(), publish, &out).ok());
  EXPECT_EQ(out.state(), pb::ARTICLE_STATE_PUBLISHED);
  EXPECT_TRUE(out.has_publish_time());
  EXPECT_EQ(stub_->PublishArticle(Context(kEditorToken).get(), publish, &out).error_code(),
            grpc::StatusCode::ABORTED);  // the etag changed with the publish

  get.set_locale("zh");
  get.set_view(pb::ARTICLE_VIEW_BASIC);
  ASSERT_TRUE(stub_->GetArticle(Context().get(), get, &read).ok());
  EXPECT_EQ(read.returned_locale(), "zh-CN");
  EXPECT_EQ(read.translations().size(), 1);
  EXPECT_EQ(read.published_locales_size(), 2);
  EXPECT_TRUE(read.translations().at("zh-CN").body().empty());

  pb::ListArticlesRequest list;
  pb::ListArticlesResponse list_out;
  ASSERT_TRUE(stub_->ListArticles(Context().get(), list, &list_out).ok());
  ASSERT_EQ(list_out.articles_size(), 1);
  EXPECT_EQ(list_out.articles(0).id(), created.id());
  EXPECT_TRUE(list_out.articles(0).translations().at("en").body().empty());  // BASIC
  list.set_page_token("tampered");
  ExpectInvalid(stub_->ListArticles(Context().get(), list, &list_out), "page_token:");
}

TEST_F(ContentServiceTest, SeededDemoArticleReadsInEnglishAndChinese) {
  ASSERT_OK_AND_ASSIGN(const Article seeded, SeedDemo(*core_, store_));
  for (const auto& [locale, title_part] : std::vector<std::pair<std::string, std::string>>{
           {"en", "Tripartite Meeting"}, {"zh-CN", "三方会议"}}) {
    pb::GetArticleRequest get;
    get.set_slug(kDemoArticleSlug);
    get.set_locale(locale);
    pb::Article read;
    grpc::Status s = stub_->GetArticle(Context().get(), get, &read);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(read.returned_locale(), locale);
    const pb::ArticleTranslation& t = read.translations().at(locale);
    EXPECT_TRUE(absl::StrContains(t.title(), title_part)) << t.title();
    EXPECT_FALSE(t.body().empty());
    EXPECT_EQ(read.state(), pb::ARTICLE_STATE_PUBLISHED);
    EXPECT_EQ(read.publish_time().seconds(), 1517796000);  // 2018-02-05 10:00 +08:00
    ASSERT_EQ(read.published_locales_size(), 2);
    EXPECT_EQ(read.published_locales(0).locale(), "en");
    EXPECT_EQ(read.published_locales(1).locale(), "zh-CN");
  }
  pb::GetCategoryRequest get_news;
  get_news.set_id(seeded.category_id);
  pb::Category news;
  ASSERT_TRUE(stub_->GetCategory(Context().get(), get_news, &news).ok());
  EXPECT_EQ(news.translations().at("zh-CN").name(), "新闻");
  ASSERT_EQ(news.ancestors_size(), 1);
  EXPECT_EQ(news.ancestors(0).translations().at("en").name(), "Home");
}

TEST_F(ContentServiceTest, StoreOutageIsUnavailableNeverInternal) {
  pb::Article created;
  ASSERT_TRUE(
      stub_->CreateArticle(Context(kEditorToken).get(), ValidArticle("Outage"), &created).ok());
  faulty_.FailAll();
  pb::GetArticleRequest get;
  get.set_id(created.id());
  pb::Article read;
  EXPECT_EQ(stub_->GetArticle(Context(kEditorToken).get(), get, &read).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  pb::Article out;
  EXPECT_EQ(stub_->CreateArticle(Context(kEditorToken).get(), ValidArticle("x"), &out).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  pb::ListArticlesRequest list;
  pb::ListArticlesResponse list_out;
  EXPECT_EQ(stub_->ListArticles(Context().get(), list, &list_out).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  faulty_.Heal();
  EXPECT_TRUE(stub_->GetArticle(Context(kEditorToken).get(), get, &read).ok());
}

}  // namespace
}  // namespace bulletin::content
