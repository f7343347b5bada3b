// The analytics domain types: views as recorded, what counting answers, statistics, top
// lists, time series, article metadata and legacy baselines. Plain values, no behaviour;
// the rules are in analytics_core.h, the storage seam in view_store.h.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace bulletin::analytics {

// Why a view was not counted. The numbers are stored (Redis tallies, spill files): never
// renumber them. The adapter maps them to the contract's enum.
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
  // The store was unreachable: the view waits in the buffer, `counted` is provisional
  // and `totals` are the last known totals plus the queued views.
  bool queued = false;
  // A duplicate request_id whose first attempt counted.
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
  int64_t visitors_now = 0;  // distinct visitors in the last kVisitorsNowMinutes minutes
  int64_t imported_views = 0;
  std::map<NotCounted, int64_t> not_counted;  // only non-zero reasons
};

// "Visitors right now" are the distinct visitors of the current minute and the 4 before.
inline constexpr int kVisitorsNowMinutes = 5;

struct StatsResult {
  std::vector<ArticleStats> stats;
  int64_t site_visitors_now = 0;  // distinct visitors on the site right now
  int64_t site_today_views = 0;
};

// The windows and rankings of GetTopArticles.
enum class Window { kLastHour, kLastDay, kLast7Days, kLast30Days, kAllTime };
enum class TopKind { kMostRead, kTrending };

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

enum class Granularity { kHourly, kDaily };

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
// the store, because an address-derived visitor needs the day's salt from the store.
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
};

}  // namespace bulletin::analytics
