#include "services/analytics/store/memory/memory_view_store.h"

#include <utility>

#include "common/base/ids.h"

namespace bulletin::analytics {

int64_t MemoryViewStore::BucketOf(absl::Time t, absl::Duration size) {
  return absl::Floor(t - absl::UnixEpoch(), size) / size;
}

MemoryViewStore::MemoryViewStore(MemoryViewStoreOptions options) : options_(std::move(options)) {}

absl::StatusOr<std::string> MemoryViewStore::DailySalt(absl::Time day) {
  absl::MutexLock lock(&mu_);
  std::string& salt = salts_[BucketOf(day, absl::Hours(24))];
  if (salt.empty()) salt = RandomHex(32);
  return salt;
}

absl::StatusOr<std::vector<RecordResult>> MemoryViewStore::Record(
    const std::vector<ResolvedView>& views, absl::Time now) {
  std::vector<RecordResult> results(views.size());
  absl::MutexLock lock(&mu_);
  for (size_t i = 0; i < views.size(); ++i) RecordOne(views[i], now, results[i]);
  return results;
}

void MemoryViewStore::RecordOne(const ResolvedView& v, absl::Time now, RecordResult& r) {
  const absl::Time clock = options_.clock();
  Article& a = articles_[v.article_id];
  r.reason = v.filtered;
  Request* request = nullptr;  // the marker this view set
  if (r.reason == NotCounted::kNone && !v.request_id.empty()) {
    Request& marker = a.requests[v.request_id];
    if (marker.expires > clock) {
      r.reason = NotCounted::kDuplicateRequest;
      r.counted_before = marker.counted;
    } else {
      marker = {true, clock + kRequestIdRetention};  // counted, unless a repeat below
      request = &marker;
    }
  }
  if (r.reason == NotCounted::kNone && options_.count_window > absl::ZeroDuration()) {
    absl::Time& window_end = a.seen[v.visitor];
    if (window_end > clock) {
      r.reason = NotCounted::kRepeat;
      if (request != nullptr) request->counted = false;
    } else {
      window_end = clock + options_.count_window;
    }
  }
  r.counted = r.reason == NotCounted::kNone;
  if (r.counted) {
    ++a.views;
    a.visitors.insert(v.visitor);
  } else {
    ++a.not_counted[r.reason];
  }
  r.totals = {v.article_id, SaturatingAdd(a.views, a.imported_views),
              SaturatingAdd(static_cast<int64_t>(a.visitors.size()), a.imported_uniques)};

  if (v.filtered == NotCounted::kNone && v.time > now - absl::Minutes(kVisitorsNowMinutes)) {
    const int64_t minute = BucketOf(v.time, absl::Minutes(1));
    buckets_[v.article_id].minute_visitors[minute].insert(v.visitor);
    site_.minute_visitors[minute].insert(v.visitor);
  }
  if (r.counted) AddCounted(v);
}

void MemoryViewStore::AddCounted(const ResolvedView& v) {
  const int64_t minute = BucketOf(v.time, absl::Minutes(1));
  const int64_t hour = BucketOf(v.time, absl::Hours(1));
  const int64_t day = BucketOf(v.time, absl::Hours(24));
  for (Buckets* b : {&buckets_[v.article_id], &site_}) {
    ++b->day_views[day];
    ++b->hour_views[hour];
    b->day_visitors[day].insert(v.visitor);
  }
  top_minute_[minute][v.article_id] += 1;
  top_hour_[hour][v.article_id] += 1;
  top_day_[day][v.article_id] += 1;
  top_all_[v.article_id] += 1;
  const absl::Time landmark = TrendLandmark(v.time);
  for (TrendScale scale : kTrendScales) {
    trend_[{scale, landmark}][v.article_id] += TrendWeight(v.time, landmark, scale);
  }
}

absl::StatusOr<std::vector<Totals>> MemoryViewStore::Import(
    const std::vector<ImportedCounts>& items) {
  std::vector<Totals> totals;
  absl::MutexLock lock(&mu_);
  // All or nothing: every item is checked before any is applied (as the Redis script does).
  for (size_t i = 0; i < items.size(); ++i) {
    auto found = articles_.find(items[i].article_id);
    const int64_t views = found == articles_.end() ? 0 : found->second.views;
    const int64_t uniques =
        found == articles_.end() ? 0 : static_cast<int64_t>(found->second.visitors.size());
    if (views > kMaxCount || items[i].views > kMaxCount - views) {
      return TotalTooLarge(i, "views");
    }
    if (uniques > kMaxCount || items[i].unique_visitors > kMaxCount - uniques) {
      return TotalTooLarge(i, "unique_visitors");
    }
  }
  for (const ImportedCounts& item : items) {
    Article& a = articles_[item.article_id];
    top_all_[item.article_id] += static_cast<double>(item.views - a.imported_views);
    a.imported_views = item.views;
    a.imported_uniques = item.unique_visitors;
    totals.push_back({item.article_id, a.views + item.views,
                      static_cast<int64_t>(a.visitors.size()) + item.unique_visitors});
  }
  return totals;
}

absl::StatusOr<bool> MemoryViewStore::ApplyArticle(const ArticleMeta& meta) {
  absl::MutexLock lock(&mu_);
  auto found = meta_.find(meta.article_id);
  if (found != meta_.end()) {
    const Meta& old = found->second;
    if (meta.revision < old.revision) return false;
    // At equal revisions "gone" wins: a replayed PUBLISHED does not resurrect an article
    // that its UNPUBLISHED/DELETED (same snapshot) took down.
    if (meta.revision == old.revision && !old.published && meta.published) return false;
  }
  Meta m;
  m.revision = meta.revision;
  m.published = meta.published;
  m.default_locale = meta.default_locale;
  for (const ArticleMeta::Translation& t : meta.translations) {
    m.titles[t.locale] = {t.title, t.slug};
    if (meta.published) m.locales.insert(t.locale);
  }
  if (meta.published) m.categories.insert(meta.categories.begin(), meta.categories.end());
  meta_[meta.article_id] = std::move(m);
  return true;
}

}  // namespace bulletin::analytics
