// The analytics adapter through a real gRPC server on port 0, over the core and the
// in-memory store (behind a FaultyViewStore, to take it down): tokens and roles, the
// RecordViews stream, contract enums and timestamps, and field-naming errors as gRPC
// statuses.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/base/auth.h"
#include "common/base/worker_pool.h"
#include "common/grpc/server.h"
#include "common/testing/status_matchers.h"
#include "services/analytics/core/analytics_core.h"
#include "services/analytics/core/view_batcher.h"
#include "services/analytics/grpc/analytics_service.h"
#include "services/analytics/store/memory/faulty_view_store.h"
#include "services/analytics/store/memory/memory_view_store.h"

namespace bulletin::analytics {
namespace {

constexpr char kAdminToken[] = "admin-token-0123456789";
constexpr char kEditorToken[] = "editor-token-0123456789";
constexpr char kFrontendToken[] = "frontend-token-0123456789";
constexpr char kPartnerToken[] = "partner-token-0123456789";
const std::string kTokens =
    absl::StrCat("admin ", kAdminToken, "\neditor ", kEditorToken, "\nfrontend ", kFrontendToken,
                 "\npartner ", kPartnerToken, " partner-a\n");

class AnalyticsGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(tokens_, TokenStore::Parse(kTokens));
    store_ = std::make_unique<FaultyViewStore>(memory_);
    batcher_ = std::make_unique<ViewBatcher>(*store_, BatcherOptions{});
    ASSERT_OK(batcher_->Start());
    core_ = std::make_unique<AnalyticsCore>(*store_, *batcher_, filter_);
    pool_ = std::make_unique<WorkerPool>(4, 256);
    service_ = std::make_unique<AnalyticsService>(*core_, tokens_, *pool_);
    ServerConfig config;
    config.listen = "127.0.0.1:0";
    config.drain_timeout = absl::Seconds(1);
    ASSERT_OK_AND_ASSIGN(
        server_, GrpcServer::Start(config, {{std::string(v1::AnalyticsService::service_full_name()),
                                             service_.get()}}));
    stub_ = v1::AnalyticsService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token = "") {
    auto ctx = std::make_unique<grpc::ClientContext>();
    if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ctx;
  }
  static v1::RecordViewRequest View(const std::string& article, const std::string& visitor) {
    v1::RecordViewRequest r;
    r.set_article_id(article);
    r.set_visitor_id(visitor);
    return r;
  }
  grpc::Status Record(const std::string& token, const v1::RecordViewRequest& req,
                      v1::RecordViewResponse* resp) {
    return stub_->RecordView(Ctx(token).get(), req, resp);
  }
  int64_t ViewsOf(const std::string& id) {
    v1::GetStatsRequest req;
    req.add_article_ids(id);
    v1::GetStatsResponse resp;
    grpc::Status s = stub_->GetStats(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return s.ok() ? resp.stats(0).views() : -1;
  }

  TokenStore tokens_;
  MemoryViewStore memory_;
  std::unique_ptr<FaultyViewStore> store_;
  ViewFilter filter_;
  std::unique_ptr<ViewBatcher> batcher_;
  std::unique_ptr<AnalyticsCore> core_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<AnalyticsService> service_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<v1::AnalyticsService::Stub> stub_;
};

TEST_F(AnalyticsGrpcTest, RecordViewNeedsAWriterToken) {
  v1::RecordViewResponse resp;
  EXPECT_EQ(Record("", View("a", "v"), &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Record("nonsense", View("a", "v"), &resp).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Record(kPartnerToken, View("a", "v"), &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status s = Record(kFrontendToken, View("a", "v"), &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(resp.counted());
  EXPECT_EQ(resp.totals().article_id(), "a");
  EXPECT_EQ(resp.totals().views(), 1);
  EXPECT_EQ(resp.totals().unique_visitors(), 1);
  s = Record(kEditorToken, View("a", "v"), &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(resp.counted());
  EXPECT_EQ(resp.reason(), v1::NOT_COUNTED_REASON_REPEAT);
}

TEST_F(AnalyticsGrpcTest, ImportViewsNeedsAdminAndTotalsBuildOnIt) {
  v1::ImportViewsRequest req;
  v1::ImportedViews* item = req.add_items();
  item->set_article_id("legacy");
  item->set_views(789);
  v1::ImportViewsResponse resp;
  EXPECT_EQ(stub_->ImportViews(Ctx().get(), req, &resp).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(stub_->ImportViews(Ctx(kEditorToken).get(), req, &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status s = stub_->ImportViews(Ctx(kAdminToken).get(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(resp.totals_size(), 1);
  EXPECT_EQ(resp.totals(0).views(), 789);
  v1::RecordViewResponse viewed;
  ASSERT_TRUE(Record(kFrontendToken, View("legacy", "v"), &viewed).ok());
  EXPECT_EQ(viewed.totals().views(), 790);
}

TEST_F(AnalyticsGrpcTest, GetStatsIsPublicButABadTokenIsRefused) {
  v1::GetStatsRequest req;
  req.add_article_ids("a");
  req.add_article_ids("unknown");
  req.add_article_ids("a");
  v1::GetStatsResponse resp;
  grpc::Status s = stub_->GetStats(Ctx().get(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(resp.stats_size(), 2);
  EXPECT_EQ(resp.stats(1).article_id(), "unknown");
  EXPECT_EQ(resp.stats(1).views(), 0);
  EXPECT_EQ(stub_->GetStats(Ctx("bogus-token-0123456789").get(), req, &resp).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(AnalyticsGrpcTest, RecordViewsCountsAStreamedBatch) {
  auto ctx = Ctx(kFrontendToken);
  v1::RecordViewsResponse resp;
  auto writer = stub_->RecordViews(ctx.get(), &resp);
  // 600 items cross several server-side chunks: 500 visitors, then 100 of them again.
  for (int i = 0; i < 600; ++i) {
    ASSERT_TRUE(writer->Write(View("batch", absl::StrCat("visitor-", i % 500))));
  }
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.received(), 600);
  EXPECT_EQ(resp.counted(), 500);
  ASSERT_EQ(resp.not_counted_size(), 1);
  EXPECT_EQ(resp.not_counted(0).reason(), v1::NOT_COUNTED_REASON_REPEAT);
  EXPECT_EQ(resp.not_counted(0).count(), 100);
  EXPECT_EQ(ViewsOf("batch"), 500);
}

TEST_F(AnalyticsGrpcTest, RecordViewsStopsAtAnInvalidItemAndNamesItsIndex) {
  auto ctx = Ctx(kFrontendToken);
  v1::RecordViewsResponse resp;
  auto writer = stub_->RecordViews(ctx.get(), &resp);
  for (int i = 0; i < 300; ++i) {
    if (!writer->Write(View(i == 270 ? "bad id!" : "stream", absl::StrCat("v", i)))) break;
  }
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().rfind("views[270].article_id: ", 0), 0u) << s.error_message();
  EXPECT_EQ(ViewsOf("stream"), 270) << "the items before the invalid one are recorded";
}

TEST_F(AnalyticsGrpcTest, RecordViewsStopsAtAMalformedTimestampAndNamesItsIndex) {
  auto ctx = Ctx(kFrontendToken);
  v1::RecordViewsResponse resp;
  auto writer = stub_->RecordViews(ctx.get(), &resp);
  for (int i = 0; i < 5; ++i) {
    v1::RecordViewRequest item = View("timestamps", absl::StrCat("v", i));
    if (i == 3) item.mutable_view_time()->set_seconds(-62135596801);  // before year 1
    if (!writer->Write(item)) break;
  }
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().rfind("views[3].view_time: ", 0), 0u) << s.error_message();
  EXPECT_EQ(ViewsOf("timestamps"), 3) << "the items before the malformed one are recorded";
}

TEST_F(AnalyticsGrpcTest, RecordViewsNeedsAWriterToken) {
  for (const char* token : {"", kPartnerToken}) {
    auto ctx = Ctx(token);
    v1::RecordViewsResponse resp;
    auto writer = stub_->RecordViews(ctx.get(), &resp);
    writer->Write(View("a", "v"));
    writer->WritesDone();
    EXPECT_EQ(writer->Finish().error_code(),
              *token ? grpc::StatusCode::PERMISSION_DENIED : grpc::StatusCode::UNAUTHENTICATED);
  }
  EXPECT_EQ(ViewsOf("a"), 0);
}

TEST_F(AnalyticsGrpcTest, InvalidArgumentNamesTheField) {
  v1::RecordViewResponse viewed;
  grpc::Status s = Record(kFrontendToken, View("", "v"), &viewed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().rfind("article_id: ", 0), 0u) << s.error_message();

  v1::RecordViewRequest future = View("a", "v");
  future.mutable_view_time()->set_seconds(absl::ToUnixSeconds(absl::Now() + absl::Hours(1)));
  s = Record(kFrontendToken, future, &viewed);
  EXPECT_EQ(s.error_message().rfind("view_time: ", 0), 0u) << s.error_message();

  v1::RecordViewRequest malformed = View("a", "v");
  malformed.mutable_view_time()->set_nanos(-1);  // not a valid Timestamp
  s = Record(kFrontendToken, malformed, &viewed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().rfind("view_time: ", 0), 0u) << s.error_message();
  EXPECT_EQ(Record("", malformed, &viewed).error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << "who is asking is checked first";

  v1::GetStatsRequest stats;
  v1::GetStatsResponse stats_resp;
  s = stub_->GetStats(Ctx().get(), stats, &stats_resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().rfind("article_ids: ", 0), 0u) << s.error_message();

  v1::ImportViewsRequest imp;
  imp.add_items()->set_article_id("a");
  imp.add_items()->set_unique_visitors(-1);
  imp.mutable_items(1)->set_article_id("b");
  v1::ImportViewsResponse imp_resp;
  s = stub_->ImportViews(Ctx(kAdminToken).get(), imp, &imp_resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().rfind("items[1].unique_visitors: ", 0), 0u) << s.error_message();
}

TEST_F(AnalyticsGrpcTest, ConcurrentRecordViewsShareRedisRoundTrips) {
  constexpr int kCalls = 200;
  struct Call {
    grpc::ClientContext ctx;
    v1::RecordViewResponse resp;
    grpc::Status status;
  };
  std::vector<std::unique_ptr<Call>> calls;
  absl::Mutex mu;
  int done = 0;
  for (int i = 0; i < kCalls; ++i) {
    calls.push_back(std::make_unique<Call>());
    Call* c = calls.back().get();
    c->ctx.AddMetadata("authorization", std::string("Bearer ") + kFrontendToken);
    v1::RecordViewRequest req = View("group", absl::StrCat("v", i));
    stub_->async()->RecordView(&c->ctx, &req, &c->resp, [&, c](grpc::Status s) {
      absl::MutexLock lock(&mu);
      c->status = s;
      ++done;
    });
  }
  {
    absl::MutexLock lock(&mu);
    auto all_done = [&done] { return done == kCalls; };
    ASSERT_TRUE(mu.AwaitWithTimeout(absl::Condition(&all_done), absl::Seconds(20)));
  }
  std::set<int64_t> totals;
  for (const auto& c : calls) {
    ASSERT_TRUE(c->status.ok()) << c->status.error_message();
    EXPECT_TRUE(c->resp.counted());
    totals.insert(c->resp.totals().views());
  }
  EXPECT_EQ(totals.size(), static_cast<size_t>(kCalls)) << "each call got its own result";
  EXPECT_EQ(*totals.rbegin(), kCalls);
  EXPECT_EQ(ViewsOf("group"), kCalls);
}

TEST_F(AnalyticsGrpcTest, TopArticlesAndTimeSeriesArePublicReads) {
  v1::GetTopArticlesRequest top;
  top.set_kind(v1::TOP_KIND_TRENDING);
  top.set_window(v1::TIME_WINDOW_LAST_7_DAYS);
  v1::GetTopArticlesResponse top_resp;
  grpc::Status s = stub_->GetTopArticles(Ctx().get(), top, &top_resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().rfind("window: ", 0), 0u) << s.error_message();
  top.set_window(v1::TIME_WINDOW_LAST_HOUR);
  s = stub_->GetTopArticles(Ctx().get(), top, &top_resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  top.set_kind(static_cast<v1::TopKind>(7));  // a number the contract does not define
  s = stub_->GetTopArticles(Ctx().get(), top, &top_resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().rfind("kind: ", 0), 0u) << s.error_message();
  top.set_kind(v1::TOP_KIND_MOST_READ);
  top.set_window(static_cast<v1::TimeWindow>(9));
  s = stub_->GetTopArticles(Ctx().get(), top, &top_resp);
  EXPECT_EQ(s.error_message().rfind("window: ", 0), 0u) << s.error_message();
  top.set_window(v1::TIME_WINDOW_LAST_HOUR);
  EXPECT_EQ(stub_->GetTopArticles(Ctx("bogus-token-0123456789").get(), top, &top_resp).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  v1::RecordViewResponse viewed;
  ASSERT_TRUE(Record(kFrontendToken, View("series", "v"), &viewed).ok());
  v1::GetTimeSeriesRequest series;
  series.set_article_id("series");
  v1::GetTimeSeriesResponse series_resp;
  s = stub_->GetTimeSeries(Ctx().get(), series, &series_resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().rfind("granularity: ", 0), 0u) << s.error_message();
  series.set_granularity(static_cast<v1::Granularity>(5));
  s = stub_->GetTimeSeries(Ctx().get(), series, &series_resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().rfind("granularity: ", 0), 0u) << s.error_message();
  series.set_granularity(v1::GRANULARITY_HOURLY);
  s = stub_->GetTimeSeries(Ctx().get(), series, &series_resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(series_resp.points_size(), 48);
  EXPECT_EQ(series_resp.points(47).views(), 1);
  EXPECT_EQ(series_resp.points(47).start_time().seconds() % 3600, 0);
}

TEST_F(AnalyticsGrpcTest, StoreDownQueuesTheView) {
  store_->SetDown(true);
  v1::RecordViewResponse viewed;
  grpc::Status s = Record(kFrontendToken, View("a", "v"), &viewed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(viewed.queued());
  EXPECT_TRUE(viewed.counted());
  v1::GetStatsRequest req;
  req.add_article_ids("a");
  v1::GetStatsResponse resp;
  EXPECT_EQ(stub_->GetStats(Ctx().get(), req, &resp).error_code(), grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace bulletin::analytics
