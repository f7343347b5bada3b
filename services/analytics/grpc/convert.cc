#include "services/analytics/grpc/convert.h"

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/proto/time.h"

namespace bulletin::analytics {

absl::StatusOr<View> ToView(const v1::RecordViewRequest& r, absl::string_view prefix) {
  View v{r.article_id(), r.visitor_id(), r.client_ip(),  r.user_agent(),
         r.locale(),     r.referrer(),   r.request_id(), std::nullopt};
  if (r.has_view_time()) {
    ASSIGN_OR_RETURN(v.view_time, FromProtoTime(r.view_time(), absl::StrCat(prefix, "view_time")));
  }
  return v;
}

absl::StatusOr<std::optional<TopKind>> TopKindOf(v1::TopKind kind) {
  switch (kind) {
    case v1::TOP_KIND_UNSPECIFIED:
      return std::nullopt;
    case v1::TOP_KIND_MOST_READ:
      return TopKind::kMostRead;
    case v1::TOP_KIND_TRENDING:
      return TopKind::kTrending;
    default:
      return absl::InvalidArgumentError("kind: must be MOST_READ or TRENDING");
  }
}

absl::StatusOr<std::optional<Window>> WindowOf(v1::TimeWindow window) {
  switch (window) {
    case v1::TIME_WINDOW_UNSPECIFIED:
      return std::nullopt;
    case v1::TIME_WINDOW_LAST_HOUR:
      return Window::kLastHour;
    case v1::TIME_WINDOW_LAST_DAY:
      return Window::kLastDay;
    case v1::TIME_WINDOW_LAST_7_DAYS:
      return Window::kLast7Days;
    case v1::TIME_WINDOW_LAST_30_DAYS:
      return Window::kLast30Days;
    case v1::TIME_WINDOW_ALL_TIME:
      return Window::kAllTime;
    default:
      return absl::InvalidArgumentError("window: unknown value");
  }
}

absl::StatusOr<std::optional<Granularity>> GranularityOf(v1::Granularity granularity) {
  switch (granularity) {
    case v1::GRANULARITY_UNSPECIFIED:
      return std::nullopt;
    case v1::GRANULARITY_HOURLY:
      return Granularity::kHourly;
    case v1::GRANULARITY_DAILY:
      return Granularity::kDaily;
    default:
      return absl::InvalidArgumentError("granularity: must be HOURLY or DAILY");
  }
}

v1::NotCountedReason ToProto(NotCounted reason) {
  switch (reason) {
    case NotCounted::kNone:
      break;
    case NotCounted::kBot:
      return v1::NOT_COUNTED_REASON_BOT;
    case NotCounted::kRepeat:
      return v1::NOT_COUNTED_REASON_REPEAT;
    case NotCounted::kExcludedAddress:
      return v1::NOT_COUNTED_REASON_EXCLUDED_ADDRESS;
    case NotCounted::kDuplicateRequest:
      return v1::NOT_COUNTED_REASON_DUPLICATE_REQUEST;
  }
  return v1::NOT_COUNTED_REASON_UNSPECIFIED;
}

void ToProto(const Totals& t, v1::ArticleTotals* out) {
  out->set_article_id(t.article_id);
  out->set_views(t.views);
  out->set_unique_visitors(t.unique_visitors);
}

void ToProto(const ArticleStats& s, v1::ArticleStats* out) {
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

void AddTallies(const std::map<NotCounted, int64_t>& tallies,
                google::protobuf::RepeatedPtrField<v1::NotCountedTally>* out) {
  for (const auto& [reason, count] : tallies) {
    v1::NotCountedTally* t = out->Add();
    t->set_reason(ToProto(reason));
    t->set_count(count);
  }
}

}  // namespace bulletin::analytics
