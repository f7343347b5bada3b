// MemoryViewStore: a working ViewStore in process memory, for fast tests (leveldb's MemEnv).
// It keeps what RedisViewStore keeps -- counts, exact visitor sets where Redis has
// HyperLogLogs, count-window and request-id markers, time buckets, top lists, trend sums,
// article metadata, baselines -- with no flush interval: every read sees every write.
// Markers expire by `clock` (Redis: its own clock). Thread-safe: one mutex.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/analytics/core/trend.h"
#include "services/analytics/core/view_store.h"

namespace bulletin::analytics {

struct MemoryViewStoreOptions {
  // A visitor's views of one article within this window count once; zero disables it.
  absl::Duration count_window = absl::Minutes(30);
  // When the count-window and request-id markers expire.
  std::function<absl::Time()> clock = absl::Now;
};

class MemoryViewStore : public ViewStore {
 public:
  explicit MemoryViewStore(MemoryViewStoreOptions options = {});

  absl::StatusOr<std::string> DailySalt(absl::Time day) override ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::vector<RecordResult>> Record(const std::vector<ResolvedView>& views,
                                                   absl::Time now) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<StatsResult> Stats(const std::vector<std::string>& article_ids, int window_days,
                                    absl::Time now) override ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::vector<Totals>> Import(const std::vector<ImportedCounts>& items) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::vector<TopEntry>> Top(const TopQuery& query, absl::Time now) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::vector<SeriesPoint>> Series(const std::string& article_id,
                                                  Granularity granularity, absl::Time start,
                                                  int points) override ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<bool> ApplyArticle(const ArticleMeta& meta) override ABSL_LOCKS_EXCLUDED(mu_);

 private:
  using Visitors = absl::flat_hash_set<std::string>;
  using Scores = std::map<std::string, double>;  // article id -> views or trend sum

  struct Request {
    bool counted = false;
    absl::Time expires;
  };
  struct Article {
    int64_t views = 0;
    Visitors visitors;
    int64_t imported_views = 0, imported_uniques = 0;
    std::map<NotCounted, int64_t> not_counted;
    absl::flat_hash_map<std::string, absl::Time> seen;  // visitor -> window end
    absl::flat_hash_map<std::string, Request> requests;
  };
  // Time buckets of one article or of the site, by bucket index since the epoch.
  struct Buckets {
    std::map<int64_t, int64_t> day_views, hour_views;
    std::map<int64_t, Visitors> day_visitors, minute_visitors;
  };
  struct Meta {
    int64_t revision = 0;
    bool published = false;
    std::set<std::string> categories, locales;  // filled while published
    std::string default_locale;
    std::map<std::string, std::pair<std::string, std::string>> titles;  // locale -> title, slug
  };

  // The index of t's bucket of `size` (minute, hour, UTC day) since the epoch.
  static int64_t BucketOf(absl::Time t, absl::Duration size);
  // One view, in order; `out` gets its result.
  void RecordOne(const ResolvedView& view, absl::Time now, RecordResult& out)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // What a counted view adds to the time buckets, site counters, top lists and trends.
  void AddCounted(const ResolvedView& view) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The window's views per article (MOST_READ scores).
  Scores WindowViews(Window window, absl::Time now) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The decayed trend sum of `scale` at `now`, in views per hour, per article.
  double TrendRate(const std::string& article_id, TrendScale scale, absl::Time now) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool Matches(const std::string& article_id, const TopQuery& query) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AddMeta(const TopQuery& query, TopEntry& entry) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const MemoryViewStoreOptions options_;
  mutable absl::Mutex mu_;
  std::map<int64_t, std::string> salts_ ABSL_GUARDED_BY(mu_);  // by UTC day
  std::map<std::string, Article> articles_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Buckets> buckets_ ABSL_GUARDED_BY(mu_);  // by article
  Buckets site_ ABSL_GUARDED_BY(mu_);
  // Top lists: views per minute, hour and day bucket, and of all time (with baselines).
  std::map<int64_t, Scores> top_minute_ ABSL_GUARDED_BY(mu_);
  std::map<int64_t, Scores> top_hour_ ABSL_GUARDED_BY(mu_);
  std::map<int64_t, Scores> top_day_ ABSL_GUARDED_BY(mu_);
  Scores top_all_ ABSL_GUARDED_BY(mu_);
  // TrendWeight sums by scale and landmark.
  std::map<std::pair<TrendScale, absl::Time>, Scores> trend_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Meta> meta_ ABSL_GUARDED_BY(mu_);
};

}  // namespace bulletin::analytics
