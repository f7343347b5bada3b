// The seam to storage: a ViewStore counts views and reads counts back, in domain verbs.
//
// The core validates, authorizes and resolves visitors; a ViewStore only counts what it
// is given. Implementations (store/redis, store/memory) are thread-safe and pass the same
// behavioural suite (tests/view_store_suite.cc). Every method returns UNAVAILABLE when
// the store is unreachable (the caller may retry) and never INTERNAL for an outage.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/analytics/core/counts.h"
#include "services/analytics/core/view_types.h"

namespace bulletin::analytics {

// How long a store remembers a request_id (retries of the same view within this count once).
inline constexpr absl::Duration kRequestIdRetention = absl::Hours(24);

class ViewStore {
 public:
  virtual ~ViewStore() = default;

  // The secret salt of `day`'s visitor hashes (the same for any time within that UTC
  // day), created on first use and shared by every replica of the store.
  virtual absl::StatusOr<std::string> DailySalt(absl::Time day) = 0;

  // Counts `views` in order and returns one result per view with the article's totals
  // right after it. A view is not counted when it was filtered before (its `filtered`
  // reason is tallied), when its request_id was recorded within kRequestIdRetention
  // (kDuplicateRequest; counted_before says whether that first view counted), or when
  // its visitor's counted view of the article is younger than the count window
  // (kRepeat; repeats do not extend the window). Totals are counted views and distinct
  // counted visitors (an estimate in Redis) plus the imported baseline.
  // Counted views -- and only they: a retry of one that counted adds nothing -- also feed
  // the time buckets of their time, the site counters, the top lists and the trend
  // scores; every unfiltered view newer than `now` - kVisitorsNowMinutes is a visitor
  // "right now" of its minute. That side may trail by the store's flush interval, but
  // once Record returns (or has run, even when its answer was lost) it is never lost
  // with the process: the store applies it exactly once.
  virtual absl::StatusOr<std::vector<RecordResult>> Record(const std::vector<ResolvedView>& views,
                                                           absl::Time now) = 0;

  // Statistics of distinct `article_ids`, in order; unknown ids have zeros. The window is
  // the `window_days` UTC days ending with now's day.
  virtual absl::StatusOr<StatsResult> Stats(const std::vector<std::string>& article_ids,
                                            int window_days, absl::Time now) = 0;

  // Replaces the legacy baseline of each item's article, in order (a repeated id ends with
  // its last item's), and returns the totals right after each item. The all-time top list
  // counts the baseline too. All or nothing: INVALID_ARGUMENT "items[i].views: ..." (or
  // ".unique_visitors") when item i would take its article's total above kMaxCount
  // (counts.h: counted + imported), and then no baseline changes.
  virtual absl::StatusOr<std::vector<Totals>> Import(const std::vector<ImportedCounts>& items) = 0;

  // The best `query.limit` published articles for `now` that are in the category (or a
  // descendant of it) and have a translation in the locale, when those are given.
  // MOST_READ ranks by views in the window (the last 60 minutes, 24 clock hours, 7 or 30
  // UTC days, or all time), ties by article id descending. TRENDING ranks the articles
  // viewed in the window by trend score (trend.h), then views, then id. Titles and slugs
  // are in the query's locale when the article has it, else in its default locale.
  virtual absl::StatusOr<std::vector<TopEntry>> Top(const TopQuery& query, absl::Time now) = 0;

  // Views per bucket (clock hours; or UTC days, with their distinct visitors) from
  // `start` (a bucket start) for `points` buckets; an empty article_id means the site.
  virtual absl::StatusOr<std::vector<SeriesPoint>> Series(const std::string& article_id,
                                                          Granularity granularity, absl::Time start,
                                                          int points) = 0;

  // Stores an article's metadata unless a newer revision is stored, or the same revision
  // already took the article down and `meta` would publish it (returns false then).
  // Idempotent: replays of the same event change nothing.
  virtual absl::StatusOr<bool> ApplyArticle(const ArticleMeta& meta) = 0;
};

}  // namespace bulletin::analytics
