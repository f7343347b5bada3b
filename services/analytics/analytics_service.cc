#include "services/analytics/analytics_service.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/grpc/call.h"
#include "common/grpc/status.h"

namespace bulletin::analytics {
namespace {

// Items recorded per worker job of a RecordViews stream: one pipelined round trip each.
constexpr size_t kStreamChunk = 256;

View ToView(const v1::RecordViewRequest& r) {
  View v{r.article_id(), r.visitor_id(), r.client_ip(),  r.user_agent(),
         r.locale(),     r.referrer(),   r.request_id(), std::nullopt};
  if (r.has_view_time()) {
    v.view_time =
        absl::FromUnixSeconds(r.view_time().seconds()) + absl::Nanoseconds(r.view_time().nanos());
  }
  return v;
}

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

grpc::ServerUnaryReactor* Unimplemented(grpc::CallbackServerContext* context,
                                        const std::string& method) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(
      grpc::Status(grpc::StatusCode::UNIMPLEMENTED, method + " is not implemented yet (issue #4)"));
  return reactor;
}

// Reads a RecordViews stream chunk by chunk; each chunk is recorded on the pool, and
// the next read starts only after it, so at most one operation is in flight at a time.
class RecordViewsReactor : public grpc::ServerReadReactor<v1::RecordViewRequest> {
 public:
  RecordViewsReactor(grpc::CallbackServerContext* context, AnalyticsCore& core, WorkerPool& pool,
                     const TokenStore& tokens, v1::RecordViewsResponse* response)
      : context_(context), core_(core), pool_(pool), response_(response) {
    absl::StatusOr<Caller> caller = CallerOf(*context, tokens);
    absl::Status allowed = caller.ok() ? core_.AuthorizeRecord(*caller) : caller.status();
    if (!allowed.ok()) {
      Finish(ToGrpcStatus(allowed));
      return;
    }
    caller_ = *caller;
    StartRead(&item_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      if (context_->IsCancelled()) {
        Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by the client"));
      } else {
        RecordChunk(/*last=*/true);
      }
      return;
    }
    if (received_ >= kMaxStreamItems) {
      Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("views: more than ", kMaxStreamItems, " items")));
      return;
    }
    ++received_;
    chunk_.push_back(ToView(item_));
    if (chunk_.size() >= kStreamChunk) {
      RecordChunk(/*last=*/false);
    } else {
      StartRead(&item_);
    }
  }

  void OnDone() override { delete this; }

 private:
  void RecordChunk(bool last) {
    if (chunk_.empty()) {
      Complete();
      return;
    }
    bool queued = pool_.TrySubmit([this, last] {
      absl::StatusOr<BatchResult> r = core_.RecordViews(caller_, chunk_, first_index_);
      if (!r.ok()) {
        Finish(ToGrpcStatus(r.status()));
        return;
      }
      total_.counted += r->counted;
      for (const auto& [reason, n] : r->not_counted) total_.not_counted[reason] += n;
      first_index_ += chunk_.size();
      chunk_.clear();
      if (last) {
        Complete();
      } else {
        StartRead(&item_);
      }
    });
    if (!queued) {
      Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          "server busy: too many requests in flight, retry later"));
    }
  }

  void Complete() {
    response_->set_received(received_);
    response_->set_counted(total_.counted);
    AddTallies(total_.not_counted, response_->mutable_not_counted());
    Finish(grpc::Status::OK);
  }

  grpc::CallbackServerContext* const context_;
  AnalyticsCore& core_;
  WorkerPool& pool_;
  v1::RecordViewsResponse* const response_;
  Caller caller_;
  v1::RecordViewRequest item_;
  std::vector<View> chunk_;
  size_t first_index_ = 0;
  int64_t received_ = 0;
  BatchResult total_;
};

}  // namespace

AnalyticsService::AnalyticsService(AnalyticsCore& core, const TokenStore& tokens, WorkerPool& pool)
    : core_(core), tokens_(tokens), pool_(pool) {}

grpc::ServerUnaryReactor* AnalyticsService::RecordView(grpc::CallbackServerContext* context,
                                                       const v1::RecordViewRequest* request,
                                                       v1::RecordViewResponse* response) {
  return RunUnary(context, pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, tokens_);
    if (!caller.ok()) return caller.status();
    absl::StatusOr<RecordResult> r = core_.RecordView(*caller, ToView(*request));
    if (!r.ok()) return r.status();
    response->set_counted(r->counted);
    response->set_reason(static_cast<v1::NotCountedReason>(r->reason));
    ToProto(r->totals, response->mutable_totals());
    return absl::OkStatus();
  });
}

grpc::ServerReadReactor<v1::RecordViewRequest>* AnalyticsService::RecordViews(
    grpc::CallbackServerContext* context, v1::RecordViewsResponse* response) {
  return new RecordViewsReactor(context, core_, pool_, tokens_, response);
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
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AnalyticsService::GetTopArticles(grpc::CallbackServerContext* context,
                                                           const v1::GetTopArticlesRequest*,
                                                           v1::GetTopArticlesResponse*) {
  return Unimplemented(context, "GetTopArticles");
}

grpc::ServerUnaryReactor* AnalyticsService::GetTimeSeries(grpc::CallbackServerContext* context,
                                                          const v1::GetTimeSeriesRequest*,
                                                          v1::GetTimeSeriesResponse*) {
  return Unimplemented(context, "GetTimeSeries");
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
