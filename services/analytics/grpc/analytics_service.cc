#include "services/analytics/grpc/analytics_service.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/grpc/call.h"
#include "common/grpc/status.h"
#include "services/analytics/grpc/record_views_reactor.h"

namespace bulletin::analytics {
namespace {

void ToProto(const Totals& t, v1::ArticleTotals* out) {
  out->set_article_id(t.article_id);
  out->set_views(t.views);
  out->set_unique_visitors(t.unique_visitors);
}

template <typename Tallies>
void AddTallies(const std::map<NotCounted, int64_t>& from, Tallies* out) {
  for (const auto& [reason, count] : from) {
    v1::NotCountedTally* t = out->Add();
    t->set_reason(static_cast<v1::NotCountedReason>(reason));
    t->set_count(count);
  }
}

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

void ToProto(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t nanos = absl::ToUnixNanos(t);
  out->set_seconds(nanos / 1000000000);
  out->set_nanos(static_cast<int32_t>(nanos % 1000000000));
}

}  // namespace

AnalyticsService::AnalyticsService(AnalyticsCore& core, const TokenStore& tokens, WorkerPool& pool)
    : core_(core), tokens_(tokens), pool_(pool) {}

grpc::ServerUnaryReactor* AnalyticsService::RecordView(grpc::CallbackServerContext* context,
                                                       const v1::RecordViewRequest* request,
                                                       v1::RecordViewResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<Caller> caller = CallerOf(*context, tokens_);
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  core_.RecordView(*caller, ToView(*request), [reactor, response](absl::StatusOr<RecordResult> r) {
    if (r.ok()) {
      response->set_counted(r->counted);
      response->set_reason(static_cast<v1::NotCountedReason>(r->reason));
      response->set_queued(r->queued);
      ToProto(r->totals, response->mutable_totals());
    }
    reactor->Finish(ToGrpcStatus(r.status()));
  });
  return reactor;
}

grpc::ServerReadReactor<v1::RecordViewRequest>* AnalyticsService::RecordViews(
    grpc::CallbackServerContext* context, v1::RecordViewsResponse* response) {
  return new RecordViewsReactor(context, core_, tokens_, response);
}

grpc::ServerUnaryReactor* AnalyticsService::GetStats(grpc::CallbackServerContext* context,
                                                     const v1::GetStatsRequest* request,
                                                     v1::GetStatsResponse* response) {
  return RunUnary(context, pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, tokens_);
    if (!caller.ok()) return caller.status();
    std::vector<std::string> ids(request->article_ids().begin(), request->article_ids().end());
    absl::StatusOr<StatsResult> r = core_.GetStats(ids, request->window_days());
    if (!r.ok()) return r.status();
    for (const ArticleStats& s : r->stats) {
      v1::ArticleStats* out = response->add_stats();
      out->set_article_id(s.article_id);
      out->set_views(s.views);
      out->set_unique_visitors(s.unique_visitors);
      out->set_window_views(s.window_views);
      out->set_window_unique_visitors(s.window_unique_visitors);
      out->set_today_views(s.today_views);
      out->set_visitors_now(s.visitors_now);
      out->set_imported_views(s.imported_views);
      AddTallies(s.not_counted, out->mutable_not_counted());
    }
    response->set_site_visitors_now(r->site_visitors_now);
    response->set_site_today_views(r->site_today_views);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AnalyticsService::GetTopArticles(grpc::CallbackServerContext* context,
                                                           const v1::GetTopArticlesRequest* request,
                                                           v1::GetTopArticlesResponse* response) {
  return RunUnary(context, pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, tokens_);
    if (!caller.ok()) return caller.status();
    absl::StatusOr<std::vector<TopEntry>> r =
        core_.GetTopArticles({request->kind(), request->window(), request->category_id(),
                              request->locale(), request->page_size()});
    if (!r.ok()) return r.status();
    int rank = 0;
    for (const TopEntry& e : *r) {
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
  });
}

grpc::ServerUnaryReactor* AnalyticsService::GetTimeSeries(grpc::CallbackServerContext* context,
                                                          const v1::GetTimeSeriesRequest* request,
                                                          v1::GetTimeSeriesResponse* response) {
  return RunUnary(context, pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, tokens_);
    if (!caller.ok()) return caller.status();
    SeriesRequest series{request->article_id(), request->granularity(), std::nullopt, std::nullopt};
    if (request->has_start_time()) series.start = FromProto(request->start_time());
    if (request->has_end_time()) series.end = FromProto(request->end_time());
    absl::StatusOr<std::vector<SeriesPoint>> r = core_.GetTimeSeries(series);
    if (!r.ok()) return r.status();
    for (const SeriesPoint& p : *r) {
      v1::TimeSeriesPoint* out = response->add_points();
      ToProto(p.start, out->mutable_start_time());
      out->set_views(p.views);
      out->set_unique_visitors(p.unique_visitors);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AnalyticsService::ImportViews(grpc::CallbackServerContext* context,
                                                        const v1::ImportViewsRequest* request,
                                                        v1::ImportViewsResponse* response) {
  return RunUnary(context, pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, tokens_);
    if (!caller.ok()) return caller.status();
    std::vector<ImportedCounts> items;
    items.reserve(request->items_size());
    for (const v1::ImportedViews& i : request->items()) {
      items.push_back({i.article_id(), i.views(), i.unique_visitors()});
    }
    absl::StatusOr<std::vector<Totals>> r = core_.ImportViews(*caller, items);
    if (!r.ok()) return r.status();
    for (const Totals& t : *r) ToProto(t, response->add_totals());
    return absl::OkStatus();
  });
}

}  // namespace bulletin::analytics
