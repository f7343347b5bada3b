#include "services/analytics/grpc/analytics_service.h"

#include <utility>
#include <vector>

#include "common/base/status_macros.h"
#include "common/grpc/status.h"
#include "common/proto/time.h"
#include "services/analytics/grpc/convert.h"
#include "services/analytics/grpc/record_views_reactor.h"

namespace bulletin::analytics {

AnalyticsService::AnalyticsService(AnalyticsCore& core, const TokenStore& tokens, WorkerPool& pool)
    : DecodedService(v1::AnalyticsService::service_full_name(), tokens, pool), core_(core) {
  AsyncUnary("RecordView", &AnalyticsService::RecordView);
  ClientStream<AnalyticsService, v1::RecordViewRequest, v1::RecordViewsResponse>(
      "RecordViews", &AnalyticsService::RecordViews);
  Unary("GetStats", &AnalyticsService::GetStats);
  Unary("GetTopArticles", &AnalyticsService::GetTopArticles);
  Unary("GetTimeSeries", &AnalyticsService::GetTimeSeries);
  Unary("ImportViews", &AnalyticsService::ImportViews);
}

void AnalyticsService::RecordView(const Caller& caller, const v1::RecordViewRequest* request,
                                  v1::RecordViewResponse* response, UnaryDone done) {
  absl::StatusOr<View> view = ToView(*request, "");
  if (!view.ok()) {
    const absl::Status allowed = core_.AuthorizeRecord(caller);  // who first, then what
    done(allowed.ok() ? view.status() : allowed);
    return;
  }
  core_.RecordView(caller, *std::move(view), [done, response](absl::StatusOr<RecordResult> r) {
    if (r.ok()) {
      response->set_counted(r->counted);
      response->set_reason(ToProto(r->reason));
      response->set_queued(r->queued);
      ToProto(r->totals, response->mutable_totals());
    }
    done(r.status());
  });
}

grpc::ServerReadReactor<grpc::ByteBuffer>* AnalyticsService::RecordViews(
    grpc::CallbackServerContext* context, const Caller& caller, grpc::ByteBuffer* response) {
  return new RecordViewsReactor(context, core_, caller, response);
}

absl::Status AnalyticsService::GetStats(const Caller&, const v1::GetStatsRequest* request,
                                        v1::GetStatsResponse* response) {
  const std::vector<std::string> ids(request->article_ids().begin(), request->article_ids().end());
  ASSIGN_OR_RETURN(const StatsResult r, core_.GetStats(ids, request->window_days()));
  for (const ArticleStats& s : r.stats) ToProto(s, response->add_stats());
  response->set_site_visitors_now(r.site_visitors_now);
  response->set_site_today_views(r.site_today_views);
  return absl::OkStatus();
}

absl::Status AnalyticsService::GetTopArticles(const Caller&,
                                              const v1::GetTopArticlesRequest* request,
                                              v1::GetTopArticlesResponse* response) {
  TopRequest top;
  ASSIGN_OR_RETURN(top.kind, TopKindOf(request->kind()));
  ASSIGN_OR_RETURN(top.window, WindowOf(request->window()));
  top.category_id = request->category_id();
  top.locale = request->locale();
  top.page_size = request->page_size();
  ASSIGN_OR_RETURN(const std::vector<TopEntry> entries, core_.GetTopArticles(top));
  int rank = 0;
  for (const TopEntry& e : entries) {
    v1::TopArticle* out = response->add_articles();
    out->set_article_id(e.article_id);
    out->set_rank(++rank);
    out->set_views(e.views);
    out->set_score(e.score);
    out->set_title(e.title);
    out->set_slug(e.slug);
    out->set_locale(e.locale);
  }
  return absl::OkStatus();
}

absl::Status AnalyticsService::GetTimeSeries(const Caller&, const v1::GetTimeSeriesRequest* request,
                                             v1::GetTimeSeriesResponse* response) {
  SeriesRequest series;
  series.article_id = request->article_id();
  ASSIGN_OR_RETURN(series.granularity, GranularityOf(request->granularity()));
  if (request->has_start_time()) {
    ASSIGN_OR_RETURN(series.start, FromProtoTime(request->start_time(), "start_time"));
  }
  if (request->has_end_time()) {
    ASSIGN_OR_RETURN(series.end, FromProtoTime(request->end_time(), "end_time"));
  }
  ASSIGN_OR_RETURN(const std::vector<SeriesPoint> points, core_.GetTimeSeries(series));
  for (const SeriesPoint& p : points) {
    v1::TimeSeriesPoint* out = response->add_points();
    ToProtoTime(p.start, out->mutable_start_time());
    out->set_views(p.views);
    out->set_unique_visitors(p.unique_visitors);
  }
  return absl::OkStatus();
}

absl::Status AnalyticsService::ImportViews(const Caller& caller,
                                           const v1::ImportViewsRequest* request,
                                           v1::ImportViewsResponse* response) {
  std::vector<ImportedCounts> items;
  items.reserve(request->items_size());
  for (const v1::ImportedViews& i : request->items()) {
    items.push_back({i.article_id(), i.views(), i.unique_visitors()});
  }
  ASSIGN_OR_RETURN(const std::vector<Totals> totals, core_.ImportViews(caller, items));
  for (const Totals& t : totals) ToProto(t, response->add_totals());
  return absl::OkStatus();
}

}  // namespace bulletin::analytics
