// The Redis key family of the analytics service: the one place that names its keys.
//
// Every per-article key starts with the article's hash tag "{a:<id>}:" (common/redis/
// keys.h), so the counting script's keys share one Redis Cluster slot. Buckets are named
// by UTC calendar day ("20240131") or clock hour/minute; they expire on their own.
// Site-wide keys (the daily salt, site counters, top-list sorted sets, article metadata
// and the filter sets of top lists) share the service-wide "{bulletin}" tag, so each
// top-list query is one script in one slot. Plain functions, thread-safe.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "services/analytics/core/trend.h"
#include "services/analytics/core/view_store.h"

namespace bulletin::analytics {

// How long the buckets outlive their period (the contract keeps 48 hours of hourly and
// 400 days of daily points; a margin keeps the oldest point whole).
inline constexpr absl::Duration kHourlyRetention = absl::Hours(50);
inline constexpr absl::Duration kDailyRetention = absl::Hours(24 * 402);
inline constexpr absl::Duration kMinuteRetention = absl::Minutes(7);
inline constexpr absl::Duration kSaltRetention = absl::Hours(48);
inline constexpr absl::Duration kTopMinuteRetention = absl::Hours(2);
inline constexpr absl::Duration kTopDailyRetention = absl::Hours(24 * 32);
inline constexpr absl::Duration kTrendRetention = absl::Hours(24 * 15);

class ArticleKeys {
 public:
  explicit ArticleKeys(const std::string& article_id);

  std::string Views() const;                       // counted views, all time (string integer)
  std::string Visitors() const;                    // HyperLogLog of visitors, all time
  std::string Imported() const;                    // hash {views, uniques}: the legacy baseline
  std::string NotCounted() const;                  // hash {<reason number>: count}
  std::string DayViews(absl::Time t) const;        // views in t's UTC day
  std::string DayVisitors(absl::Time t) const;     // HyperLogLog of t's UTC day
  std::string HourViews(absl::Time t) const;       // views in t's clock hour
  std::string MinuteVisitors(absl::Time t) const;  // HyperLogLog of t's minute
  // The dedupe tables' states (hash: period name -> "L p n"); their buckets are
  // "<prefix>w<window ms>.<period>:<i>" and "<prefix>r<period>:<i>" (record_script.cc).
  std::string DedupState() const;
  // The markers of the layout before the dedupe tables (a key per view), read by the
  // counting script during an upgrade's first day only.
  std::string Seen(const std::string& visitor) const;        // count-window marker
  std::string Request(const std::string& request_id) const;  // request_id marker

 private:
  std::string prefix_;
};

// The daily salt for visitor hashes of t's UTC day.
std::string SaltKey(absl::Time t);

// Site-wide keys, all under "{bulletin}:analytics:".
namespace site {
std::string DayViews(absl::Time t);        // counted views of the site in t's day
std::string HourViews(absl::Time t);       // ... in t's hour
std::string DayVisitors(absl::Time t);     // HyperLogLog of the site's visitors in t's day
std::string MinuteVisitors(absl::Time t);  // HyperLogLog of the site's visitors in t's minute
std::string TopMinute(absl::Time t);       // sorted set article -> counted views in t's minute
std::string TopHour(absl::Time t);         // ... in t's hour
std::string TopDay(absl::Time t);          // ... in t's day
std::string TopAll();                      // ... all time, imported baselines included
std::string Trend(TrendScale scale, absl::Time landmark);  // decayed sums (core/trend.h)
std::string Meta(const std::string& article_id);           // hash: revision, titles, slugs, ...
std::string Published();                                   // set of the published article ids
std::string SetPrefix();  // + "c:<category>" / "l:<locale>": filter sets of top lists
std::string Temp(const std::string& token);  // scratch key of one top-list query
// Until when (Unix ms) the counting script reads the old layout's dedupe markers
// (RedisViewStore::ReadOldMarkers), set once by the first process of the new layout.
std::string DedupLayout();
// The journal of counted batches whose deferred side is not folded in yet (view_journal.h):
// a hash batch id -> payload, and a sorted set batch id -> Redis time (ms) it was written.
std::string Journal();
std::string JournalTimes();
// On a Redis Cluster a batch is counted in its articles' slot and journalled there: the
// journal of `slot` is "{<SlotTag(slot)>}:analytics:journal" (and ":times"); -1 names the
// one journal above.
std::string Journal(int slot);
std::string JournalTimes(int slot);
// On a Redis Cluster: batches whose site-wide side is folded (hash id -> Redis time, ms;
// sorted set by that time), so that it is applied once although the fold of the batch's
// own slot is a second step.
std::string Folded();
std::string FoldedTimes();
}  // namespace site

// A short hash tag whose Redis Cluster slot is `slot` (0..16383).
const std::string& SlotTag(int slot);
// A journalled batch's id: "<slot>.<unique>" on a cluster, "<unique>" on one node; the slot
// of the id (-1 for one node's).
std::string BatchId(int slot);
int SlotOfBatch(const std::string& id);

}  // namespace bulletin::analytics
