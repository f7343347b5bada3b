// Backend: the upstream calls bulletin-web makes, one blocking method per RPC of content
// and analytics it uses, returning the proto or the upstream's status (UNAVAILABLE and
// DEADLINE_EXCEEDED when a service is unreachable). GrpcBackend is the real one; the unit
// tests use an in-memory fake with the same interface. Implementations are thread-safe;
// callers run them on worker threads, never on the HTTP I/O threads.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bulletin/analytics/v1/analytics.pb.h"
#include "bulletin/content/v1/content.pb.h"

namespace bulletin::web {

namespace cpb = ::bulletin::content::v1;
namespace apb = ::bulletin::analytics::v1;

class Backend {
 public:
  virtual ~Backend() = default;
  virtual absl::StatusOr<cpb::Article> GetArticle(const cpb::GetArticleRequest& r) = 0;
  virtual absl::StatusOr<cpb::ListArticlesResponse> ListArticles(
      const cpb::ListArticlesRequest& r) = 0;
  virtual absl::StatusOr<cpb::Category> GetCategory(const cpb::GetCategoryRequest& r) = 0;
  virtual absl::StatusOr<cpb::ListCategoriesResponse> ListCategories(
      const cpb::ListCategoriesRequest& r) = 0;
  virtual absl::StatusOr<cpb::SearchArticlesResponse> SearchArticles(
      const cpb::SearchArticlesRequest& r) = 0;
  virtual absl::StatusOr<cpb::ListRelatedArticlesResponse> ListRelatedArticles(
      const cpb::ListRelatedArticlesRequest& r) = 0;
  virtual absl::StatusOr<apb::RecordViewResponse> RecordView(const apb::RecordViewRequest& r) = 0;
  virtual absl::StatusOr<apb::GetStatsResponse> GetStats(const apb::GetStatsRequest& r) = 0;
  virtual absl::StatusOr<apb::GetTopArticlesResponse> GetTopArticles(
      const apb::GetTopArticlesRequest& r) = 0;
  virtual absl::StatusOr<apb::GetTimeSeriesResponse> GetTimeSeries(
      const apb::GetTimeSeriesRequest& r) = 0;
};

struct GrpcBackendOptions {
  std::string content;  // HOST:PORT or a gRPC target (dns:///...)
  std::string analytics;
  std::string token;  // the `frontend` bearer token; empty: anonymous
  absl::Duration deadline = absl::Seconds(2);
};

// Channels with round_robin over `dns:///` targets (DESIGN.md's scale path), plaintext.
std::unique_ptr<Backend> MakeGrpcBackend(const GrpcBackendOptions& options);

}  // namespace bulletin::web
