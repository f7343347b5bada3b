// The Redis key family of the analytics service: the one place that names its keys.
//
// Every per-article key starts with the article's hash tag "{a:<id>}:" (common/redis/
// keys.h), so the counting script's keys share one Redis Cluster slot. Buckets are named
// by UTC calendar day ("20240131") or clock hour/minute; they expire on their own. The
// daily salt lives under the service-wide "{bulletin}" tag. Plain functions, thread-safe.
#pragma once

#include <string>

#include "absl/time/time.h"

namespace bulletin::analytics {

// How long the buckets outlive their period (the contract keeps 48 hours of hourly and
// 400 days of daily points; a margin keeps the oldest point whole).
inline constexpr absl::Duration kHourlyRetention = absl::Hours(50);
inline constexpr absl::Duration kDailyRetention = absl::Hours(24 * 402);
inline constexpr absl::Duration kMinuteRetention = absl::Minutes(7);
inline constexpr absl::Duration kRequestIdRetention = absl::Hours(24);
inline constexpr absl::Duration kSaltRetention = absl::Hours(48);

class ArticleKeys {
 public:
  explicit ArticleKeys(const std::string& article_id);

  std::string Views() const;                           // counted views, all time (string integer)
  std::string Visitors() const;                        // HyperLogLog of visitors, all time
  std::string Imported() const;                        // hash {views, uniques}: the legacy baseline
  std::string NotCounted() const;                      // hash {<reason number>: count}
  std::string DayViews(absl::Time t) const;            // views in t's UTC day
  std::string DayVisitors(absl::Time t) const;         // HyperLogLog of t's UTC day
  std::string HourViews(absl::Time t) const;           // views in t's clock hour
  std::string MinuteVisitors(absl::Time t) const;      // HyperLogLog of t's minute
  std::string Seen(const std::string& visitor) const;  // count-window marker
  std::string Request(const std::string& request_id) const;  // request_id marker

 private:
  std::string prefix_;
};

// The daily salt for visitor hashes of t's UTC day.
std::string SaltKey(absl::Time t);

}  // namespace bulletin::analytics
