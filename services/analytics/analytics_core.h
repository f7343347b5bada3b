// The rules of the analytics service, in plain C++: who may record and import, what a
// valid view is, who the visitor is, and what GetStats answers. Storage is a ViewStore.
//
// A visitor is the frontend's visitor_id, or else an HMAC-SHA256 of the canonical client
// IP and user agent keyed with the day's salt (shared through the store, rotated daily),
// so raw addresses never reach Redis. Thread-safe when the store is; the clock is
// injectable for tests. Every method returns UNAVAILABLE when the store is unreachable.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/base/auth.h"
#include "services/analytics/view_store.h"

namespace bulletin::analytics {

inline constexpr size_t kMaxStatsIds = 1000;
inline constexpr size_t kMaxImportItems = 1000;
inline constexpr int kMaxWindowDays = 400;
inline constexpr int kDefaultWindowDays = 30;
inline constexpr int64_t kMaxStreamItems = 100000;

class AnalyticsCore {
 public:
  using Clock = std::function<absl::Time()>;
  // `store` must outlive the core.
  explicit AnalyticsCore(ViewStore& store, Clock clock = absl::Now);

  // OK when `caller` may record views (frontend, editor, admin); UNAUTHENTICATED when
  // anonymous; PERMISSION_DENIED for another role.
  absl::Status AuthorizeRecord(const Caller& caller) const;

  // Records one view. Errors: as AuthorizeRecord; INVALID_ARGUMENT naming the field
  // ("article_id: must not be empty"); UNAVAILABLE.
  absl::StatusOr<RecordResult> RecordView(const Caller& caller, const View& view);

  // Records a chunk of a RecordViews stream whose first item has index `first_index`.
  // An invalid item ends the chunk with INVALID_ARGUMENT naming it ("views[12].locale:
  // ..."); the items before it are recorded first.
  absl::StatusOr<BatchResult> RecordViews(const Caller& caller, const std::vector<View>& views,
                                          size_t first_index);

  // Stats of 1..1000 ids (duplicates answered once, in first-seen order) over a window
  // of `window_days` days (0 means 30, at most 400). Public. INVALID_ARGUMENT naming
  // article_ids / article_ids[i] / window_days; UNAVAILABLE.
  absl::StatusOr<StatsResult> GetStats(const std::vector<std::string>& article_ids,
                                       int window_days);

  // Sets the legacy baselines of 1..1000 articles (a repeated id takes its last value) and
  // returns the new totals, one per item in request order. Admin only. Errors: as
  // AuthorizeRecord for the admin role; INVALID_ARGUMENT naming items / items[i].field;
  // UNAVAILABLE.
  absl::StatusOr<std::vector<Totals>> ImportViews(const Caller& caller,
                                                  const std::vector<ImportedCounts>& items);

 private:
  // The stored visitor for a validated view: "v:<visitor_id>" or "h:<hmac hex>".
  absl::StatusOr<std::string> VisitorOf(const View& view, absl::Time time);

  ViewStore& store_;
  const Clock clock_;
};

}  // namespace bulletin::analytics
