// The analytics domain types and the seam to storage: a ViewStore in domain verbs.
//
// The core validates, authorizes and resolves visitors; a ViewStore only counts what it
// is given and reads counts back. Implementations are thread-safe. Every method returns
// UNAVAILABLE when the store is unreachable (the caller may retry) and never INTERNAL for
// an outage.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace bulletin::analytics {

// Why a view was not counted. The numbers are those of bulletin.analytics.v1.
enum class NotCounted {
  kNone = 0,
  kBot = 1,
  kRepeat = 2,
  kExcludedAddress = 3,
  kDuplicateRequest = 4,
};

// One page view as the frontend reports it (RecordViewRequest without the proto).
struct View {
  std::string article_id;
  std::string visitor_id;
  std::string client_ip;
  std::string user_agent;
  std::string locale;
  std::string referrer;
  std::string request_id;
  std::optional<absl::Time> view_time;  // nullopt: now
};

// An article's all-time totals, imported baseline included.
struct Totals {
  std::string article_id;
  int64_t views = 0;
  int64_t unique_visitors = 0;
};

struct RecordResult {
  bool counted = false;
  NotCounted reason = NotCounted::kNone;
  Totals totals;
};

// Tallies of a batch (RecordViews).
struct BatchResult {
  int64_t received = 0;
  int64_t counted = 0;
  std::map<NotCounted, int64_t> not_counted;  // only non-zero reasons
};

struct ArticleStats {
  std::string article_id;
  int64_t views = 0;            // counted + imported
  int64_t unique_visitors = 0;  // HLL estimate + imported
  int64_t window_views = 0;
  int64_t window_unique_visitors = 0;
  int64_t today_views = 0;
  int64_t visitors_now = 0;  // distinct visitors in the last 5 minutes
  int64_t imported_views = 0;
  std::map<NotCounted, int64_t> not_counted;  // only non-zero reasons
};

struct StatsResult {
  std::vector<ArticleStats> stats;
};

// The legacy counts of one article (ImportViews).
struct ImportedCounts {
  std::string article_id;
  int64_t views = 0;
  int64_t unique_visitors = 0;
};

// A view ready to count: validated, the visitor resolved (never a raw IP).
struct ResolvedView {
  std::string article_id;
  std::string visitor;
  std::string request_id;  // empty: no retry dedupe
  absl::Time time;
};

class ViewStore {
 public:
  virtual ~ViewStore() = default;

  // The secret salt of `day`'s visitor hashes (any time within that UTC day), created on
  // first use and shared by every replica.
  virtual absl::StatusOr<std::string> DailySalt(absl::Time day) = 0;

  // Counts each view unless its request_id was already recorded (kDuplicateRequest) or
  // its visitor viewed the article within the count window (kRepeat), in order, and
  // returns one result per view with the article's totals after it. `now` decides which
  // views are recent enough for "visitors right now".
  virtual absl::StatusOr<std::vector<RecordResult>> Record(const std::vector<ResolvedView>& views,
                                                           absl::Time now) = 0;

  // Statistics of distinct `article_ids`, in order; unknown ids have zeros. The window is
  // the `window_days` UTC days ending with now's day.
  virtual absl::StatusOr<StatsResult> Stats(const std::vector<std::string>& article_ids,
                                            int window_days, absl::Time now) = 0;

  // Replaces the legacy baseline of each article (distinct ids) and returns their totals.
  virtual absl::StatusOr<std::vector<Totals>> Import(const std::vector<ImportedCounts>& items) = 0;
};

}  // namespace bulletin::analytics
