// The gRPC adapter of bulletin.analytics.v1.AnalyticsService: proto in (convert.h),
// AnalyticsCore, proto out, nothing else. RecordView is checked on the callback thread and
// queued for the batcher, which finishes the reactor with the view's own result (no
// thread waits on the store per call); RecordViews does the same per chunk
// (record_views_reactor.h); the reads run on a bounded WorkerPool. Every reactor is
// finished exactly once. Thread-safe; core, tokens and pool must outlive the service.
#pragma once

#include "bulletin/analytics/v1/analytics.grpc.pb.h"
#include "common/base/auth.h"
#include "common/base/worker_pool.h"
#include "services/analytics/core/analytics_core.h"

namespace bulletin::analytics {

// `v1` below is the generated bulletin::analytics::v1.
class AnalyticsService final : public v1::AnalyticsService::CallbackService {
 public:
  AnalyticsService(AnalyticsCore& core, const TokenStore& tokens, WorkerPool& pool);

  grpc::ServerUnaryReactor* RecordView(grpc::CallbackServerContext* context,
                                       const v1::RecordViewRequest* request,
                                       v1::RecordViewResponse* response) override;
  grpc::ServerReadReactor<v1::RecordViewRequest>* RecordViews(
      grpc::CallbackServerContext* context, v1::RecordViewsResponse* response) override;
  grpc::ServerUnaryReactor* GetStats(grpc::CallbackServerContext* context,
                                     const v1::GetStatsRequest* request,
                                     v1::GetStatsResponse* response) override;
  grpc::ServerUnaryReactor* GetTopArticles(grpc::CallbackServerContext* context,
                                           const v1::GetTopArticlesRequest* request,
                                           v1::GetTopArticlesResponse* response) override;
  grpc::ServerUnaryReactor* GetTimeSeries(grpc::CallbackServerContext* context,
                                          const v1::GetTimeSeriesRequest* request,
                                          v1::GetTimeSeriesResponse* response) override;
  grpc::ServerUnaryReactor* ImportViews(grpc::CallbackServerContext* context,
                                        const v1::ImportViewsRequest* request,
                                        v1::ImportViewsResponse* response) override;

 private:
  AnalyticsCore& core_;
  const TokenStore& tokens_;
  WorkerPool& pool_;
};

}  // namespace bulletin::analytics
