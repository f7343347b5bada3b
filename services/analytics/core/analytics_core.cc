#include "services/analytics/core/analytics_core.h"

#include <algorithm>
#include <future>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"
#include "services/analytics/core/view_validation.h"

namespace bulletin::analytics {
namespace {

template <typename T>
absl::StatusOr<T> Wait(const std::function<void(AnalyticsCore::Done<T>)>& start) {
  auto promise = std::make_shared<std::promise<absl::StatusOr<T>>>();
  std::future<absl::StatusOr<T>> future = promise->get_future();
  start([promise](absl::StatusOr<T> r) { promise->set_value(std::move(r)); });
  return future.get();
}

}  // namespace

AnalyticsCore::AnalyticsCore(ViewStore& store, ViewBatcher& batcher, const ViewFilter& filter,
                             Clock clock)
    : store_(store), batcher_(batcher), filter_(filter), clock_(std::move(clock)) {}

absl::Status AnalyticsCore::AuthorizeRecord(const Caller& caller) const {
  return RequireRole(caller, {Role::kFrontend, Role::kEditor, Role::kAdmin});
}

QueuedView AnalyticsCore::Queue(View&& v, absl::Time now) const {
  const NotCounted filtered = filter_.Classify(v);
  return {std::move(v.article_id),
          std::move(v.visitor_id),
          std::move(v.client_ip),
          std::move(v.user_agent),
          std::move(v.request_id),
          v.view_time.value_or(now),
          filtered};
}

void AnalyticsCore::RecordView(const Caller& caller, View view, Done<RecordResult> done) {
  if (absl::Status s = AuthorizeRecord(caller); !s.ok()) return done(s);
  const absl::Time now = clock_();
  if (absl::Status s = ValidateView(view, now, ""); !s.ok()) return done(s);
  std::vector<QueuedView> queued;
  queued.push_back(Queue(std::move(view), now));
  batcher_.Submit(std::move(queued),
                  [done = std::move(done)](absl::StatusOr<std::vector<RecordResult>> r) {
                    if (!r.ok()) return done(r.status());
                    done(std::move(r->front()));
                  });
}

absl::StatusOr<RecordResult> AnalyticsCore::RecordView(const Caller& caller, const View& view) {
  return Wait<RecordResult>([&](Done<RecordResult> done) { RecordView(caller, view, done); });
}

void AnalyticsCore::RecordViews(const Caller& caller, const std::vector<View>& views,
                                size_t first_index, Done<BatchResult> done) {
  if (absl::Status s = AuthorizeRecord(caller); !s.ok()) return done(s);
  const absl::Time now = clock_();
  absl::Status invalid;
  std::vector<QueuedView> queued;
  queued.reserve(views.size());
  for (size_t i = 0; i < views.size(); ++i) {
    View view = views[i];
    invalid = ValidateView(view, now, absl::StrCat("views[", first_index + i, "]."));
    if (!invalid.ok()) break;
    queued.push_back(Queue(std::move(view), now));
  }
  if (queued.empty()) return invalid.ok() ? done(BatchResult{}) : done(invalid);
  batcher_.Submit(std::move(queued), [invalid, done = std::move(done)](
                                         absl::StatusOr<std::vector<RecordResult>> results) {
    if (!results.ok()) return done(results.status());
    if (!invalid.ok()) return done(invalid);
    BatchResult batch;
    for (const RecordResult& r : *results) {
      ++batch.received;
      if (r.queued) ++batch.queued;
      if (r.counted) {
        ++batch.counted;
      } else {
        ++batch.not_counted[r.reason];
      }
    }
    done(batch);
  });
}

absl::StatusOr<BatchResult> AnalyticsCore::RecordViews(const Caller& caller,
                                                       const std::vector<View>& views,
                                                       size_t first_index) {
  return Wait<BatchResult>(
      [&](Done<BatchResult> done) { RecordViews(caller, views, first_index, done); });
}

absl::StatusOr<StatsResult> AnalyticsCore::GetStats(const std::vector<std::string>& article_ids,
                                                    int window_days) {
  if (article_ids.empty()) {
    return absl::InvalidArgumentError("article_ids: must not be empty");
  }
  if (article_ids.size() > kMaxStatsIds) {
    return absl::InvalidArgumentError(
        absl::StrCat("article_ids: at most 1000 ids, got ", article_ids.size()));
  }
  if (window_days < 0 || window_days > kMaxWindowDays) {
    return absl::InvalidArgumentError("window_days: must be between 0 and 400");
  }
  std::vector<std::string> distinct;
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < article_ids.size(); ++i) {
    const std::string& id = article_ids[i];
    RETURN_IF_ERROR(CheckId(id, absl::StrCat("article_ids[", i, "]")));
    if (seen.insert(id).second) distinct.push_back(id);
  }
  return store_.Stats(distinct, window_days == 0 ? kDefaultWindowDays : window_days, clock_());
}

absl::StatusOr<std::vector<TopEntry>> AnalyticsCore::GetTopArticles(const TopRequest& request) {
  TopQuery query;
  query.kind = request.kind.value_or(TopKind::kMostRead);
  if (query.kind == TopKind::kTrending) {
    query.window = request.window.value_or(Window::kLastHour);
    if (query.window != Window::kLastHour && query.window != Window::kLastDay) {
      return absl::InvalidArgumentError("window: TRENDING takes LAST_HOUR or LAST_DAY only");
    }
  } else {
    query.window = request.window.value_or(Window::kLastDay);
  }
  query.category_id = request.category_id;
  if (!query.category_id.empty()) RETURN_IF_ERROR(CheckId(query.category_id, "category_id"));
  query.locale = request.locale;
  if (!query.locale.empty()) RETURN_IF_ERROR(CheckLocale(&query.locale, "locale"));
  if (request.page_size < 0) return absl::InvalidArgumentError("page_size: must not be negative");
  query.limit = request.page_size == 0 ? kDefaultTopSize : std::min(request.page_size, kMaxTopSize);
  return store_.Top(query, clock_());
}

absl::StatusOr<std::vector<SeriesPoint>> AnalyticsCore::GetTimeSeries(
    const SeriesRequest& request) {
  if (!request.granularity) {
    return absl::InvalidArgumentError("granularity: must be HOURLY or DAILY");
  }
  if (!request.article_id.empty()) RETURN_IF_ERROR(CheckId(request.article_id, "article_id"));
  const bool daily = *request.granularity == Granularity::kDaily;
  const absl::Duration step = daily ? absl::Hours(24) : absl::Hours(1);
  const int max_points = daily ? kMaxDailyPoints : kMaxHourlyPoints;
  // Buckets are UTC hours and days, both whole multiples of `step` since the epoch.
  auto floor = [&](absl::Time t) {
    return absl::UnixEpoch() + absl::Floor(t - absl::UnixEpoch(), step);
  };
  auto ceil = [&](absl::Time t) {
    absl::Time f = floor(t);
    return f == t ? t : f + step;
  };
  // Every given time is checked before any arithmetic on it: an end 2^62 s ahead (or
  // absl's infinities, from another adapter) names its field instead of overflowing.
  const absl::Time now = clock_();
  const absl::Time current = floor(now);
  const absl::Time oldest = current - step * (max_points - 1);  // the oldest bucket kept
  const char* retention = daily ? "400 days" : "48 hours";
  for (const auto& [time, field] :
       {std::make_pair(request.start, "start_time"), std::make_pair(request.end, "end_time")}) {
    if (!time) continue;
    if (*time > now + kMaxSeriesLead) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": more than 24 hours after now (",
                       absl::FormatTime(absl::RFC3339_sec, now, absl::UTCTimeZone()), ")"));
    }
    if (*time < oldest) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": older than the retention (", retention, ")"));
    }
  }
  const absl::Time end = request.end ? ceil(*request.end) : current + step;
  const absl::Time start = request.start
                               ? floor(*request.start)
                               : std::max(oldest, end - (daily ? step * 30 : step * max_points));
  if (end < start) {
    return absl::InvalidArgumentError(request.end
                                          ? "end_time: must not be before start_time"
                                          : "start_time: must not be after the current bucket");
  }
  const int64_t points = (end - start) / step;
  if (points > max_points) {
    return absl::InvalidArgumentError(absl::StrCat("start_time: the range is longer than ",
                                                   daily ? "400 days" : "48 hours", " (",
                                                   max_points, " points)"));
  }
  if (points == 0) return std::vector<SeriesPoint>{};
  return store_.Series(request.article_id, *request.granularity, start, static_cast<int>(points));
}

absl::StatusOr<std::vector<Totals>> AnalyticsCore::ImportViews(
    const Caller& caller, const std::vector<ImportedCounts>& items) {
  RETURN_IF_ERROR(RequireRole(caller, {Role::kAdmin}));
  if (items.empty()) return absl::InvalidArgumentError("items: must not be empty");
  if (items.size() > kMaxImportItems) {
    return absl::InvalidArgumentError(
        absl::StrCat("items: at most 1000 items, got ", items.size()));
  }
  for (size_t i = 0; i < items.size(); ++i) {
    const ImportedCounts& item = items[i];
    const std::string field = absl::StrCat("items[", i, "].");
    RETURN_IF_ERROR(CheckId(item.article_id, field + "article_id"));
    if (item.views < 0) return absl::InvalidArgumentError(field + "views: must not be negative");
    if (item.unique_visitors < 0) {
      return absl::InvalidArgumentError(field + "unique_visitors: must not be negative");
    }
    // Checked here so that every adapter refuses it; the store checks the sum with what
    // was counted, atomically with the write.
    if (item.views > kMaxCount) return TotalTooLarge(i, "views");
    if (item.unique_visitors > kMaxCount) return TotalTooLarge(i, "unique_visitors");
  }
  // The store applies the items in order, so a repeated id ends with its last value; each
  // item answers its article's final totals.
  ASSIGN_OR_RETURN(std::vector<Totals> totals, store_.Import(items));
  if (totals.size() != items.size()) {
    return absl::InternalError("view store: Import answered the wrong number of totals");
  }
  std::unordered_map<std::string, size_t> last;  // id -> index of its last item
  for (size_t i = 0; i < items.size(); ++i) last[items[i].article_id] = i;
  for (size_t i = 0; i < items.size(); ++i) totals[i] = totals[last[items[i].article_id]];
  return totals;
}

}  // namespace bulletin::analytics
