// RedisViewStore's reads of counters: per-article statistics (pipelined for up to 1000
// articles) and time series. The key layout is in view_keys.h.
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "services/analytics/store/redis/redis_util.h"
#include "services/analytics/store/redis/redis_view_store.h"
#include "services/analytics/store/redis/view_keys.h"

namespace bulletin::analytics {
namespace {

absl::StatusOr<std::map<NotCounted, int64_t>> TalliesOf(const RedisReply& r) {
  if (r.is_error()) return r.ToStatus();
  std::map<NotCounted, int64_t> out;
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    int reason = 0;
    ASSIGN_OR_RETURN(const int64_t count, IntOf(r.elements[i + 1]));
    if (absl::SimpleAtoi(r.elements[i].str, &reason) && reason > 0 && count > 0) {
      out[static_cast<NotCounted>(reason)] = count;
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<StatsResult> RedisViewStore::Stats(const std::vector<std::string>& article_ids,
                                                  int window_days, absl::Time now) {
  constexpr size_t kPerArticle = 8;
  std::vector<RedisArgv> commands;
  commands.reserve(article_ids.size() * kPerArticle + 2);
  for (const std::string& id : article_ids) {
    ArticleKeys k(id);
    RedisArgv day_views = {"MGET"};
    RedisArgv day_visitors = {"PFCOUNT"};
    for (int d = 0; d < window_days; ++d) {
      day_views.push_back(k.DayViews(now - absl::Hours(24) * d));
      day_visitors.push_back(k.DayVisitors(now - absl::Hours(24) * d));
    }
    RedisArgv minutes = {"PFCOUNT"};
    for (int m = 0; m < kVisitorsNowMinutes; ++m)
      minutes.push_back(k.MinuteVisitors(now - absl::Minutes(m)));
    commands.push_back({"GET", k.Views()});
    commands.push_back({"PFCOUNT", k.Visitors()});
    commands.push_back({"HMGET", k.Imported(), "views", "uniques"});
    commands.push_back({"GET", k.DayViews(now)});
    commands.push_back(std::move(day_views));
    commands.push_back(std::move(day_visitors));
    commands.push_back(std::move(minutes));
    commands.push_back({"HGETALL", k.NotCounted()});
  }
  RedisArgv site_minutes = {"PFCOUNT"};
  for (int m = 0; m < kVisitorsNowMinutes; ++m)
    site_minutes.push_back(site::MinuteVisitors(now - absl::Minutes(m)));
  commands.push_back(std::move(site_minutes));
  commands.push_back({"GET", site::DayViews(now)});
  ASSIGN_OR_RETURN(const std::vector<RedisReply> replies, redis_.Pipeline(commands));

  StatsResult result;
  for (size_t i = 0; i < article_ids.size(); ++i) {
    const RedisReply* r = &replies[i * kPerArticle];
    if (r[2].is_error()) return r[2].ToStatus();
    if (r[2].elements.size() != 2) {
      return UnexpectedReply("HMGET", r[2]);
    }
    ASSIGN_OR_RETURN(const int64_t views, IntOf(r[0]));
    ASSIGN_OR_RETURN(const int64_t uniques, IntOf(r[1]));
    ArticleStats s;
    s.article_id = article_ids[i];
    ASSIGN_OR_RETURN(s.imported_views, IntOf(r[2].elements[0]));
    ASSIGN_OR_RETURN(const int64_t imported_uniques, IntOf(r[2].elements[1]));
    s.views = SaturatingAdd(views, s.imported_views);
    s.unique_visitors = SaturatingAdd(uniques, imported_uniques);
    ASSIGN_OR_RETURN(s.today_views, IntOf(r[3]));
    ASSIGN_OR_RETURN(s.window_views, SumOf(r[4]));
    ASSIGN_OR_RETURN(s.window_unique_visitors, IntOf(r[5]));
    ASSIGN_OR_RETURN(s.visitors_now, IntOf(r[6]));
    ASSIGN_OR_RETURN(s.not_counted, TalliesOf(r[7]));
    result.stats.push_back(std::move(s));
  }
  const size_t site = article_ids.size() * kPerArticle;
  ASSIGN_OR_RETURN(result.site_visitors_now, IntOf(replies[site]));
  ASSIGN_OR_RETURN(result.site_today_views, IntOf(replies[site + 1]));
  return result;
}

absl::StatusOr<std::vector<SeriesPoint>> RedisViewStore::Series(const std::string& article_id,
                                                                Granularity granularity,
                                                                absl::Time start, int points) {
  const bool daily = granularity == Granularity::kDaily;
  const absl::Duration step = daily ? absl::Hours(24) : absl::Hours(1);
  std::optional<ArticleKeys> k;
  if (!article_id.empty()) k.emplace(article_id);
  RedisArgv views = {"MGET"};
  std::vector<RedisArgv> commands;
  for (int i = 0; i < points; ++i) {
    absl::Time t = start + step * i;
    if (daily) {
      views.push_back(k ? k->DayViews(t) : site::DayViews(t));
      commands.push_back({"PFCOUNT", k ? k->DayVisitors(t) : site::DayVisitors(t)});
    } else {
      views.push_back(k ? k->HourViews(t) : site::HourViews(t));
    }
  }
  commands.insert(commands.begin(), std::move(views));
  ASSIGN_OR_RETURN(const std::vector<RedisReply> replies, redis_.Pipeline(commands));
  const RedisReply& counts = replies[0];
  if (counts.is_error()) return counts.ToStatus();
  if (counts.elements.size() != static_cast<size_t>(points)) {
    return UnexpectedReply("MGET", counts);
  }
  std::vector<SeriesPoint> out;
  out.reserve(points);
  for (int i = 0; i < points; ++i) {
    SeriesPoint p{start + step * i};
    ASSIGN_OR_RETURN(p.views, IntOf(counts.elements[i]));
    if (daily) {
      ASSIGN_OR_RETURN(p.unique_visitors, IntOf(replies[1 + i]));
    }
    out.push_back(p);
  }
  return out;
}

}  // namespace bulletin::analytics
