// MemoryViewStore's reads: statistics, time series and top lists, computed from the same
// buckets RedisViewStore keeps (see the ViewStore contract for the windows and orders).
#include <algorithm>
#include <cmath>

#include "services/analytics/store/memory/memory_view_store.h"

namespace bulletin::analytics {
namespace {

template <typename Map>
typename Map::mapped_type ValueAt(const Map& map, int64_t key) {
  auto found = map.find(key);
  return found == map.end() ? typename Map::mapped_type{} : found->second;
}

// Distinct visitors of the `count` buckets ending with `last`.
int64_t DistinctIn(const std::map<int64_t, absl::flat_hash_set<std::string>>& buckets, int64_t last,
                   int count) {
  absl::flat_hash_set<std::string> all;
  for (int64_t b = last - count + 1; b <= last; ++b) {
    auto found = buckets.find(b);
    if (found != buckets.end()) all.insert(found->second.begin(), found->second.end());
  }
  return static_cast<int64_t>(all.size());
}

}  // namespace

absl::StatusOr<StatsResult> MemoryViewStore::Stats(const std::vector<std::string>& article_ids,
                                                   int window_days, absl::Time now) {
  const int64_t today = BucketOf(now, absl::Hours(24));
  const int64_t minute = BucketOf(now, absl::Minutes(1));
  StatsResult result;
  absl::MutexLock lock(&mu_);
  for (const std::string& id : article_ids) {
    ArticleStats s;
    s.article_id = id;
    if (auto a = articles_.find(id); a != articles_.end()) {
      s.views = SaturatingAdd(a->second.views, a->second.imported_views);
      s.unique_visitors = SaturatingAdd(static_cast<int64_t>(a->second.visitors.size()),
                                        a->second.imported_uniques);
      s.imported_views = a->second.imported_views;
      for (const auto& [reason, n] : a->second.not_counted) {
        if (n > 0) s.not_counted[reason] = n;
      }
    }
    if (auto b = buckets_.find(id); b != buckets_.end()) {
      s.today_views = ValueAt(b->second.day_views, today);
      for (int d = 0; d < window_days; ++d)
        s.window_views = SaturatingAdd(s.window_views, ValueAt(b->second.day_views, today - d));
      s.window_unique_visitors = DistinctIn(b->second.day_visitors, today, window_days);
      s.visitors_now = DistinctIn(b->second.minute_visitors, minute, kVisitorsNowMinutes);
    }
    result.stats.push_back(std::move(s));
  }
  result.site_visitors_now = DistinctIn(site_.minute_visitors, minute, kVisitorsNowMinutes);
  result.site_today_views = ValueAt(site_.day_views, today);
  return result;
}

absl::StatusOr<std::vector<SeriesPoint>> MemoryViewStore::Series(const std::string& article_id,
                                                                 Granularity granularity,
                                                                 absl::Time start, int points) {
  const bool daily = granularity == Granularity::kDaily;
  const absl::Duration step = daily ? absl::Hours(24) : absl::Hours(1);
  std::vector<SeriesPoint> out;
  absl::MutexLock lock(&mu_);
  const Buckets* b = &site_;
  if (!article_id.empty()) {
    auto found = buckets_.find(article_id);
    b = found == buckets_.end() ? nullptr : &found->second;
  }
  for (int i = 0; i < points; ++i) {
    SeriesPoint p{start + step * i};
    const int64_t bucket = BucketOf(p.start, step);
    if (b != nullptr && daily) {
      p.views = ValueAt(b->day_views, bucket);
      p.unique_visitors = DistinctIn(b->day_visitors, bucket, 1);
    } else if (b != nullptr) {
      p.views = ValueAt(b->hour_views, bucket);
    }
    out.push_back(p);
  }
  return out;
}

MemoryViewStore::Scores MemoryViewStore::WindowViews(Window window, absl::Time now) const {
  Scores sum;
  auto add = [&sum](const std::map<int64_t, Scores>& buckets, int64_t last, int count) {
    for (int64_t b = last - count + 1; b <= last; ++b) {
      auto found = buckets.find(b);
      if (found == buckets.end()) continue;
      for (const auto& [id, views] : found->second) sum[id] += views;
    }
  };
  switch (window) {
    case Window::kLastHour:
      add(top_minute_, BucketOf(now, absl::Minutes(1)), 60);
      break;
    case Window::kLastDay:
      add(top_hour_, BucketOf(now, absl::Hours(1)), 24);
      break;
    case Window::kLast7Days:
      add(top_day_, BucketOf(now, absl::Hours(24)), 7);
      break;
    case Window::kLast30Days:
      add(top_day_, BucketOf(now, absl::Hours(24)), 30);
      break;
    case Window::kAllTime:
      sum = top_all_;
      break;
  }
  return sum;
}

double MemoryViewStore::TrendRate(const std::string& article_id, TrendScale scale,
                                  absl::Time now) const {
  const absl::Time landmark = TrendLandmark(now);
  double decayed = 0;
  for (absl::Time l : {landmark, landmark - kTrendLandmarkStep}) {
    auto sums = trend_.find({scale, l});
    if (sums == trend_.end()) continue;
    auto found = sums->second.find(article_id);
    if (found != sums->second.end()) decayed += found->second * TrendDecay(now, l, scale);
  }
  return decayed * TrendRatePerHour(scale);
}

bool MemoryViewStore::Matches(const std::string& article_id, const TopQuery& query) const {
  auto found = meta_.find(article_id);
  if (found == meta_.end() || !found->second.published) return false;
  const Meta& m = found->second;
  return (query.category_id.empty() || m.categories.count(query.category_id) > 0) &&
         (query.locale.empty() || m.locales.count(query.locale) > 0);
}

void MemoryViewStore::AddMeta(const TopQuery& query, TopEntry& entry) const {
  const Meta& m = meta_.at(entry.article_id);
  std::string locale = query.locale;
  if (locale.empty() || m.titles.count(locale) == 0) locale = m.default_locale;
  entry.locale = locale;
  if (auto t = m.titles.find(locale); t != m.titles.end()) {
    entry.title = t->second.first;
    entry.slug = t->second.second;
  }
}

absl::StatusOr<std::vector<TopEntry>> MemoryViewStore::Top(const TopQuery& query, absl::Time now) {
  absl::MutexLock lock(&mu_);
  std::vector<TopEntry> entries;
  for (const auto& [id, views] : WindowViews(query.window, now)) {
    if (!Matches(id, query)) continue;
    TopEntry e;
    e.article_id = id;
    e.views = std::llround(views);
    e.score = views;
    entries.push_back(std::move(e));
  }
  if (query.kind == TopKind::kTrending) {
    for (TopEntry& e : entries) {
      e.score = TrendRate(e.article_id, FastScale(query.window), now) /
                std::max(TrendRate(e.article_id, SlowScale(query.window), now), kTrendFloorPerHour);
    }
    std::sort(entries.begin(), entries.end(), [](const TopEntry& a, const TopEntry& b) {
      if (a.score != b.score) return a.score > b.score;
      if (a.views != b.views) return a.views > b.views;
      return a.article_id < b.article_id;
    });
  } else {
    std::sort(entries.begin(), entries.end(), [](const TopEntry& a, const TopEntry& b) {
      if (a.score != b.score) return a.score > b.score;
      return a.article_id > b.article_id;  // as ZREVRANGE orders equal scores
    });
  }
  if (entries.size() > static_cast<size_t>(std::max(query.limit, 0))) {
    entries.resize(static_cast<size_t>(std::max(query.limit, 0)));
  }
  for (TopEntry& e : entries) AddMeta(query, e);
  return entries;
}

}  // namespace bulletin::analytics
