// ViewAggregate: the deferred side of counted views between two flushes -- per article and
// minute the views counted, their trend weights and the visitors seen; per minute and day
// the site's visitors -- turned into Redis updates once per flush (ToDelta). Visitor
// strings are pooled once; past `max_members` distinct visitors more are dropped from the
// HyperLogLog updates (counted in dropped()), counts and scores never. Not thread-safe.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/container/node_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/analytics/core/trend.h"

namespace bulletin::analytics {

class SiteDelta;  // site_delta.h

class ViewAggregate {
 public:
  explicit ViewAggregate(size_t max_members = std::numeric_limits<size_t>::max())
      : max_members_(max_members) {}
  ViewAggregate(ViewAggregate&&) = default;
  ViewAggregate& operator=(ViewAggregate&&) = default;

  // One article's views in one minute. References stay valid until the aggregate is
  // moved or destroyed.
  struct Entry {
    int64_t counted = 0;
    double trend[kTrendScaleCount] = {};              // TrendWeight sums, by kTrendScales
    absl::flat_hash_set<absl::string_view> here;      // visitors right now (minute)
    absl::flat_hash_set<absl::string_view> visitors;  // counted visitors (day)
  };
  // The entry of `article_id` in the minute starting `minute` (a whole minute).
  Entry& EntryOf(const std::string& article_id, absl::Time minute);

  // `visitor` was seen on the article (and the site) in the entry's minute, even if the
  // view was a repeat.
  void AddHere(Entry& entry, absl::Time minute, const std::string& visitor);
  // A counted view of `visitor` (the entry's count and weights are the caller's).
  void AddVisitor(Entry& entry, absl::Time minute, const std::string& visitor);

  bool empty() const { return entries_.empty(); }
  size_t dropped() const { return dropped_; }
  // About how many script arguments ToDelta() will take (to bound a fold's size).
  size_t approx_args() const { return approx_args_; }

  // The Redis updates of everything aggregated.
  SiteDelta ToDelta() const;

 private:
  // The pooled copy of `visitor`; empty when the pool is full (the visitor is dropped).
  absl::string_view Intern(const std::string& visitor);

  size_t max_members_;
  size_t dropped_ = 0;
  size_t approx_args_ = 0;
  absl::node_hash_set<std::string> pool_;
  absl::node_hash_map<std::pair<std::string, int64_t>, Entry> entries_;  // (article, minute)
  absl::flat_hash_map<int64_t, absl::flat_hash_set<absl::string_view>> site_here_;      // by minute
  absl::flat_hash_map<int64_t, absl::flat_hash_set<absl::string_view>> site_visitors_;  // by day
};

}  // namespace bulletin::analytics
