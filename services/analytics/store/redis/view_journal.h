// The journal of the deferred side of counted views: what a batch gives the time buckets,
// site counters, top lists, trend sums and visitor sets. The counting script stores a
// batch's entry (its views, visitors, times and which counted) in the same atomic step that
// counts it, so a counted view is never without its entry; a fold applies the entries'
// aggregate and deletes them in one atomic step (site_updates.h), so each is applied once
// whichever process folds it. This file is the entry's format and its aggregation. Pure
// functions, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/analytics/core/view_types.h"
#include "services/analytics/store/redis/view_aggregate.h"

namespace bulletin::analytics {

// One view as its deferred side needs it.
struct JournalView {
  std::string visitor;
  absl::Time time;
  NotCounted filtered = NotCounted::kNone;  // filtered before counting: no deferred side
  bool counted = false;                     // what the counting script decided
};

// The views of one article in a batch, in order.
struct JournalGroup {
  std::string article_id;
  std::vector<JournalView> views;
};

// One call of the counting script: its journal entry.
struct JournalBatch {
  std::string id;  // unique; the entry's field in the journal hash
  absl::Time now;  // the batch's "now" (what counts as a visitor right now)
  std::vector<JournalGroup> groups;

  size_t views() const;
  // Whether the batch can have a deferred side at all: some view was not filtered.
  bool MayDefer() const;
};

// The entry's text up to what the counting script appends, records ended by ASCII RS: a
// version record with `now`, then per group an "a <article id>" record and per view
// "<visitor, C-escaped>\t<time, unix µs>\t<filtered reason>". The script appends "c " and
// the views' codes, comma-separated, in the same order.
std::string JournalPayload(const JournalBatch& batch);

// A stored entry (payload and codes) parsed back, `counted` set from each code (counted
// when code / 4 == 0, the counting script's encoding). INVALID_ARGUMENT when malformed.
absl::StatusOr<JournalBatch> ParseJournalEntry(const std::string& id, absl::string_view entry);

// Adds the batch's deferred updates to `out`: per article and minute its counted views,
// their trend weights and visitors; every unfiltered view newer than `now` -
// kVisitorsNowMinutes is a visitor "right now" of its minute.
void AddJournalBatch(const JournalBatch& batch, ViewAggregate& out);

}  // namespace bulletin::analytics
