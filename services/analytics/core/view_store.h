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
  // Redis was unreachable: the view waits in the buffer, `counted` is provisional and
  // `totals` are the last known totals plus the queued views.
  bool queued = false;
  // A duplicate request_id whose first attempt counted (the store's own bookkeeping: a
  // replayed batch whose first answer was lost still owes its site-wide share).
  bool counted_before = false;
};

// Tallies of a batch (RecordViews).
struct BatchResult {
  int64_t received = 0;
  int64_t counted = 0;
  int64_t queued = 0;
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
  int64_t site_visitors_now = 0;  // distinct visitors on the site in the last 5 minutes
  int64_t site_today_views = 0;
};

// The windows and rankings of GetTopArticles (numbers as in bulletin.analytics.v1).
enum class Window { kLastHour = 1, kLastDay = 2, kLast7Days = 3, kLast30Days = 4, kAllTime = 5 };
enum class TopKind { kMostRead = 1, kTrending = 2 };

struct TopQuery {
  TopKind kind = TopKind::kMostRead;
  Window window = Window::kLastDay;
  std::string category_id;  // empty: any
  std::string locale;       // empty: any; also the preferred locale of titles
  int limit = 10;
};

struct TopEntry {
  std::string article_id;
  int64_t views = 0;                // counted views in the window
  double score = 0;                 // views (MOST_READ) or the trend score (TRENDING)
  std::string title, slug, locale;  // from the latest article event; empty if none seen
};

enum class Granularity { kHourly = 1, kDaily = 2 };

// One bucket of a time series.
struct SeriesPoint {
  absl::Time start;
  int64_t views = 0;
  int64_t unique_visitors = 0;  // daily points only
};

// What the article events tell analytics about an article (from its snapshot).
struct ArticleMeta {
  struct Translation {
    std::string locale, title, slug;
  };
  std::string article_id;
  int64_t revision = 0;
  bool published = false;               // false after UNPUBLISHED or DELETED
  std::vector<std::string> categories;  // its category and that category's ancestors
  std::string default_locale;
  std::vector<Translation> translations;
};

// The legacy counts of one article (ImportViews).
struct ImportedCounts {
  std::string article_id;
  int64_t views = 0;
  int64_t unique_visitors = 0;
};

// A validated view waiting to be counted; the visitor is resolved when it is sent to
// the store, because an address-derived visitor needs the day's salt from Redis.
struct QueuedView {
  std::string article_id;
  std::string visitor_id;  // empty: derive from client_ip + user_agent
  std::string client_ip;
  std::string user_agent;
  std::string request_id;
  absl::Time time;
  NotCounted filtered = NotCounted::kNone;  // kBot / kExcludedAddress: tallied only
};

// A view ready to count: validated, the visitor resolved (never a raw IP).
struct ResolvedView {
  std::string article_id;
  std::string visitor;
  std::string request_id;  // empty: no retry dedupe
  absl::Time time;
  NotCounted filtered = NotCounted::kNone;  // set: tally this reason, count nothing
  // Re-sent from the outage buffer: its first attempt may have run in Redis with the
  // answer lost, so a duplicate that counted then still adds its site-wide share.
  bool replay = false;
};

class ViewStore {
 public:
  virtual ~ViewStore() = default;

  // The secret salt of `day`'s visitor hashes (any time within that UTC day), created on
  // first use and shared by every replica.
  virtual absl::StatusOr<std::string> DailySalt(absl::Time day) = 0;

  // Counts each view unless it was filtered before (its `filtered` reason is tallied),
  // its request_id was already recorded (kDuplicateRequest) or its visitor viewed the
  // article within the count window (kRepeat), in order, and returns one result per view
  // with the article's totals after it. Counted views also feed the site-wide counters
  // and top lists. `now` decides which views are recent enough for "visitors right now".
  virtual absl::StatusOr<std::vector<RecordResult>> Record(const std::vector<ResolvedView>& views,
                                                           absl::Time now) = 0;

  // Statistics of distinct `article_ids`, in order; unknown ids have zeros. The window is
  // the `window_days` UTC days ending with now's day.
  virtual absl::StatusOr<StatsResult> Stats(const std::vector<std::string>& article_ids,
                                            int window_days, absl::Time now) = 0;

  // Replaces the legacy baseline of each article (distinct ids) and returns their totals.
  virtual absl::StatusOr<std::vector<Totals>> Import(const std::vector<ImportedCounts>& items) = 0;

  // The best `query.limit` published articles (matching the filters) for `now`.
  virtual absl::StatusOr<std::vector<TopEntry>> Top(const TopQuery& query, absl::Time now) = 0;

  // Views per bucket from `start` (a bucket start) for `points` buckets; an empty
  // article_id means the whole site.
  virtual absl::StatusOr<std::vector<SeriesPoint>> Series(const std::string& article_id,
                                                          Granularity granularity, absl::Time start,
                                                          int points) = 0;

  // Applies an article event's metadata unless a newer revision is already stored
  // (returns false then). Idempotent: replays of the same event change nothing.
  virtual absl::StatusOr<bool> ApplyArticle(const ArticleMeta& meta) = 0;
};

}  // namespace bulletin::analytics
