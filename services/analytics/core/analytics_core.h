// The rules of the analytics service, in plain C++: who may record and import, what a
// valid view is, which views are filtered (bots, excluded addresses), and what the
// reads (stats, top lists, time series) accept. Storage is a ViewStore; views reach it
// through the ViewBatcher (group commit, outage buffer), which resolves visitors so raw
// addresses never reach the store. Thread-safe; the clock is injectable for tests.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/base/auth.h"
#include "services/analytics/core/view_batcher.h"
#include "services/analytics/core/view_filter.h"
#include "services/analytics/core/view_store.h"
#include "services/analytics/core/view_types.h"

namespace bulletin::analytics {

inline constexpr size_t kMaxStatsIds = 1000;
inline constexpr size_t kMaxImportItems = 1000;
inline constexpr int kMaxWindowDays = 400;
inline constexpr int kDefaultWindowDays = 30;
inline constexpr int64_t kMaxStreamItems = 100000;
inline constexpr int kDefaultTopSize = 10;
inline constexpr int kMaxTopSize = 100;
inline constexpr int kMaxHourlyPoints = 48;
inline constexpr int kMaxDailyPoints = 400;
// How far after now a time series' start_time or end_time may lie.
inline constexpr absl::Duration kMaxSeriesLead = absl::Hours(24);

// GetTopArticles as asked; nullopt is the contract's "unspecified".
struct TopRequest {
  std::optional<TopKind> kind;   // default MOST_READ
  std::optional<Window> window;  // default LAST_DAY (MOST_READ), LAST_HOUR (TRENDING)
  std::string category_id;       // empty: any
  std::string locale;            // empty: any
  int page_size = 0;             // 0: 10; at most 100
};

// GetTimeSeries as asked.
struct SeriesRequest {
  std::string article_id;                  // empty: the whole site
  std::optional<Granularity> granularity;  // required
  std::optional<absl::Time> start;
  std::optional<absl::Time> end;
};

class AnalyticsCore {
 public:
  using Clock = std::function<absl::Time()>;
  template <typename T>
  using Done = std::function<void(absl::StatusOr<T>)>;

  // `store`, `batcher` and `filter` must outlive the core.
  AnalyticsCore(ViewStore& store, ViewBatcher& batcher, const ViewFilter& filter,
                Clock clock = absl::Now);

  // OK when `caller` may record views (frontend, editor, admin); UNAUTHENTICATED when
  // anonymous; PERMISSION_DENIED for another role.
  absl::Status AuthorizeRecord(const Caller& caller) const;

  // Records one view; `done` runs once, possibly inline. Errors: as AuthorizeRecord;
  // INVALID_ARGUMENT naming the field ("article_id: required"); UNAVAILABLE when the
  // store is down and the buffer is full. A locale is normalised ("zh_cn" -> "zh-CN").
  void RecordView(const Caller& caller, View view, Done<RecordResult> done);
  absl::StatusOr<RecordResult> RecordView(const Caller& caller, const View& view);  // blocks

  // Records a chunk of a RecordViews stream whose first item has index `first_index`.
  // An invalid item ends the chunk with INVALID_ARGUMENT naming it ("views[12].locale:
  // ..."); the items before it are recorded first.
  void RecordViews(const Caller& caller, const std::vector<View>& views, size_t first_index,
                   Done<BatchResult> done);
  absl::StatusOr<BatchResult> RecordViews(const Caller& caller, const std::vector<View>& views,
                                          size_t first_index);  // blocks

  // Stats of 1..1000 ids (duplicates answered once, in first-seen order) over a window
  // of `window_days` days (0 means 30, at most 400). Public. INVALID_ARGUMENT naming
  // article_ids / article_ids[i] / window_days; UNAVAILABLE.
  absl::StatusOr<StatsResult> GetStats(const std::vector<std::string>& article_ids,
                                       int window_days);

  // Top lists. Public. INVALID_ARGUMENT naming window (TRENDING: LAST_HOUR or LAST_DAY
  // only), category_id, locale (normalised as in RecordView) or page_size (< 0);
  // UNAVAILABLE.
  absl::StatusOr<std::vector<TopEntry>> GetTopArticles(const TopRequest& request);

  // Zero-filled points, oldest first: at most 48 hourly or 400 daily points, within the
  // retention (the last 48 hours, the last 400 days) and at most kMaxSeriesLead after now.
  // Public. INVALID_ARGUMENT naming granularity (required), article_id, start_time or
  // end_time (older than the retention, more than 24 hours after now), end_time (before
  // start_time) or start_time (range too long); UNAVAILABLE.
  absl::StatusOr<std::vector<SeriesPoint>> GetTimeSeries(const SeriesRequest& request);

  // Sets the legacy baselines of 1..1000 articles (a repeated id takes its last value) and
  // returns the new totals, one per item in request order. Admin only. Errors: as
  // AuthorizeRecord for the admin role; INVALID_ARGUMENT naming items / items[i].field,
  // also when a count is negative or would take the article's total (counted + imported)
  // above 2^53 (counts.h), in which case no baseline changes; UNAVAILABLE.
  absl::StatusOr<std::vector<Totals>> ImportViews(const Caller& caller,
                                                  const std::vector<ImportedCounts>& items);

 private:
  QueuedView Queue(View&& view, absl::Time now) const;

  ViewStore& store_;
  ViewBatcher& batcher_;
  const ViewFilter& filter_;
  const Clock clock_;
};

}  // namespace bulletin::analytics
