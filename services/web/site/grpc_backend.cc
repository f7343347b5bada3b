// The real Backend: synchronous gRPC stubs to content and analytics, each call with the
// frontend token and a deadline, the status mapped back by common/grpc/status.h.
#include <grpcpp/grpcpp.h>

#include "bulletin/analytics/v1/analytics.grpc.pb.h"
#include "bulletin/content/v1/content.grpc.pb.h"
#include "common/grpc/status.h"
#include "services/web/site/backend.h"

namespace bulletin::web {
namespace {

class GrpcBackend : public Backend {
 public:
  explicit GrpcBackend(const GrpcBackendOptions& options) : options_(options) {
    grpc::ChannelArguments args;
    args.SetLoadBalancingPolicyName("round_robin");
    content_ = cpb::ContentService::NewStub(
        grpc::CreateCustomChannel(options.content, grpc::InsecureChannelCredentials(), args));
    analytics_ = apb::AnalyticsService::NewStub(
        grpc::CreateCustomChannel(options.analytics, grpc::InsecureChannelCredentials(), args));
  }

  template <typename Resp, typename Stub, typename Req, typename Method>
  absl::StatusOr<Resp> Call(Stub& stub, Method method, const Req& request) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::milliseconds(absl::ToInt64Milliseconds(options_.deadline)));
    if (!options_.token.empty()) context.AddMetadata("authorization", "Bearer " + options_.token);
    Resp response;
    grpc::Status status = (stub.*method)(&context, request, &response);
    if (!status.ok()) return FromGrpcStatus(status);
    return response;
  }

  absl::StatusOr<cpb::Article> GetArticle(const cpb::GetArticleRequest& r) override {
    return Call<cpb::Article>(*content_, &cpb::ContentService::Stub::GetArticle, r);
  }
  absl::StatusOr<cpb::ListArticlesResponse> ListArticles(
      const cpb::ListArticlesRequest& r) override {
    return Call<cpb::ListArticlesResponse>(*content_, &cpb::ContentService::Stub::ListArticles, r);
  }
  absl::StatusOr<cpb::Category> GetCategory(const cpb::GetCategoryRequest& r) override {
    return Call<cpb::Category>(*content_, &cpb::ContentService::Stub::GetCategory, r);
  }
  absl::StatusOr<cpb::ListCategoriesResponse> ListCategories(
      const cpb::ListCategoriesRequest& r) override {
    return Call<cpb::ListCategoriesResponse>(*content_, &cpb::ContentService::Stub::ListCategories,
                                             r);
  }
  absl::StatusOr<cpb::SearchArticlesResponse> SearchArticles(
      const cpb::SearchArticlesRequest& r) override {
    return Call<cpb::SearchArticlesResponse>(*content_, &cpb::ContentService::Stub::SearchArticles,
                                             r);
  }
  absl::StatusOr<cpb::ListRelatedArticlesResponse> ListRelatedArticles(
      const cpb::ListRelatedArticlesRequest& r) override {
    return Call<cpb::ListRelatedArticlesResponse>(
        *content_, &cpb::ContentService::Stub::ListRelatedArticles, r);
  }
  absl::StatusOr<apb::RecordViewResponse> RecordView(const apb::RecordViewRequest& r) override {
    return Call<apb::RecordViewResponse>(*analytics_, &apb::AnalyticsService::Stub::RecordView, r);
  }
  absl::StatusOr<apb::GetStatsResponse> GetStats(const apb::GetStatsRequest& r) override {
    return Call<apb::GetStatsResponse>(*analytics_, &apb::AnalyticsService::Stub::GetStats, r);
  }
  absl::StatusOr<apb::GetTopArticlesResponse> GetTopArticles(
      const apb::GetTopArticlesRequest& r) override {
    return Call<apb::GetTopArticlesResponse>(*analytics_,
                                             &apb::AnalyticsService::Stub::GetTopArticles, r);
  }
  absl::StatusOr<apb::GetTimeSeriesResponse> GetTimeSeries(
      const apb::GetTimeSeriesRequest& r) override {
    return Call<apb::GetTimeSeriesResponse>(*analytics_,
                                            &apb::AnalyticsService::Stub::GetTimeSeries, r);
  }

 private:
  const GrpcBackendOptions options_;
  std::unique_ptr<cpb::ContentService::Stub> content_;
  std::unique_ptr<apb::AnalyticsService::Stub> analytics_;
};

}  // namespace

std::unique_ptr<Backend> MakeGrpcBackend(const GrpcBackendOptions& options) {
  return std::make_unique<GrpcBackend>(options);
}

}  // namespace bulletin::web
