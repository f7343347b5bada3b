// The gRPC adapter of bulletin.analytics.v1.AnalyticsService (a DecodedService: a request
// that does not parse is INVALID_ARGUMENT naming the field): proto in (convert.h),
// AnalyticsCore, proto out, nothing else. RecordView is checked on the callback thread and
// queued for the batcher, which finishes the reactor with the view's own result (no
// thread waits on the store per call); RecordViews does the same per chunk
// (record_views_reactor.h); the reads run on a bounded WorkerPool. Every reactor is
// finished exactly once. Thread-safe; core, tokens and pool must outlive the service.
#pragma once

#include "bulletin/analytics/v1/analytics.grpc.pb.h"
#include "common/base/auth.h"
#include "common/base/worker_pool.h"
#include "common/grpc/decoded_service.h"
#include "services/analytics/core/analytics_core.h"

namespace bulletin::analytics {

// `v1` below is the generated bulletin::analytics::v1.
class AnalyticsService final : public DecodedService {
 public:
  AnalyticsService(AnalyticsCore& core, const TokenStore& tokens, WorkerPool& pool);

  void RecordView(const Caller& caller, const v1::RecordViewRequest* request,
                  v1::RecordViewResponse* response, UnaryDone done);
  grpc::ServerReadReactor<grpc::ByteBuffer>* RecordViews(grpc::CallbackServerContext* context,
                                                         const Caller& caller,
                                                         grpc::ByteBuffer* response);
  absl::Status GetStats(const Caller& caller, const v1::GetStatsRequest* request,
                        v1::GetStatsResponse* response);
  absl::Status GetTopArticles(const Caller& caller, const v1::GetTopArticlesRequest* request,
                              v1::GetTopArticlesResponse* response);
  absl::Status GetTimeSeries(const Caller& caller, const v1::GetTimeSeriesRequest* request,
                             v1::GetTimeSeriesResponse* response);
  absl::Status ImportViews(const Caller& caller, const v1::ImportViewsRequest* request,
                           v1::ImportViewsResponse* response);

 private:
  AnalyticsCore& core_;
};

}  // namespace bulletin::analytics
