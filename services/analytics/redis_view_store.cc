#include "services/analytics/redis_view_store.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/base/ids.h"
#include "common/base/log.h"
#include "services/analytics/redis_util.h"
#include "services/analytics/view_keys.h"

namespace bulletin::analytics {
namespace {

// Counts one view atomically. A view filtered before (ARGV[8]: bot, excluded address)
// is only tallied; then a retried request_id, then a repeat within the count window is
// tallied as not counted. A visitor seen recently is "here now" even when the view is a
// repeat (not when filtered). The request marker holds 1 once its view counted. Returns
// {reason, views, uniques, imported views, imported uniques, counted_before} so the caller
// gets the new totals in the same round trip.
// Every redis.call costs about a microsecond on top of the command, so the script does
// only what changes something: a bucket's EXPIRE is set when the bucket is created (the
// day's counter and HyperLogLog are always created together, by the same counted view;
// PFADD answers 1 when it created or changed the minute's HyperLogLog), the total comes
// from INCR, and PFCOUNT of an unchanged HyperLogLog is served from its cached value.
constexpr char kRecordScript[] = R"lua(
local reason = tonumber(ARGV[8])
local filtered = reason ~= 0
local counted_before = 0
if reason == 0 and ARGV[3] == '1' and not redis.call('SET', KEYS[8], '0', 'NX', 'EX', ARGV[4]) then
  reason = 4
  if redis.call('GET', KEYS[8]) == '1' then counted_before = 1 end
end
if reason == 0 and ARGV[2] ~= '0' and
    not redis.call('SET', KEYS[7], '1', 'NX', 'PX', ARGV[2]) then
  reason = 2
end
local views
if reason == 0 then
  views = redis.call('INCR', KEYS[1])
  redis.call('PFADD', KEYS[2], ARGV[1])
  local new_day = redis.call('INCR', KEYS[3]) == 1
  redis.call('PFADD', KEYS[4], ARGV[1])
  if new_day then
    redis.call('EXPIRE', KEYS[3], ARGV[5])
    redis.call('EXPIRE', KEYS[4], ARGV[5])
  end
  if redis.call('INCR', KEYS[5]) == 1 then redis.call('EXPIRE', KEYS[5], ARGV[6]) end
  if ARGV[3] == '1' then redis.call('SET', KEYS[8], '1', 'XX', 'KEEPTTL') end
else
  redis.call('HINCRBY', KEYS[9], reason, 1)
  views = tonumber(redis.call('GET', KEYS[1]) or '0')
end
if ARGV[7] ~= '0' and not filtered and redis.call('PFADD', KEYS[6], ARGV[1]) == 1 then
  redis.call('EXPIRE', KEYS[6], ARGV[7])
end
local imported = redis.call('HMGET', KEYS[10], 'views', 'uniques')
return {reason, views, redis.call('PFCOUNT', KEYS[2]),
        tonumber(imported[1] or '0'), tonumber(imported[2] or '0'), counted_before}
)lua";

constexpr absl::Duration kVisitorsNowWindow = absl::Minutes(5);

}  // namespace

RedisViewStore::RedisViewStore(RedisClient& redis, RedisViewStoreOptions options)
    : redis_(redis),
      options_(options),
      script_sha_(ScriptSha(kRecordScript)),
      site_(redis, options.site_flush_interval) {}

absl::Status RedisViewStore::FlushSiteUpdates() { return site_.Flush(); }

const char* RedisViewStore::RecordScript() { return kRecordScript; }

absl::StatusOr<std::string> RedisViewStore::DailySalt(absl::Time day) {
  const std::string key = SaltKey(day);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = salts_.find(key);
    if (it != salts_.end()) return it->second;
  }
  // SET NX makes the first replica's salt everyone's; the GET reads whichever won.
  auto replies = redis_.Pipeline(
      {{"SET", key, RandomHex(32), "NX", "EX", Seconds(kSaltRetention)}, {"GET", key}});
  if (!replies.ok()) return replies.status();
  const RedisReply& got = (*replies)[1];
  if (got.is_error()) return got.ToStatus();
  if (got.type != RedisReply::Type::kString || got.str.empty()) {
    return absl::InternalError("redis: salt missing right after SET NX");
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (salts_.size() >= 4) salts_.erase(salts_.begin());  // keys sort by day: oldest first
  salts_[key] = got.str;
  return got.str;
}

RedisArgv RedisViewStore::RecordCommand(const ResolvedView& v, absl::Time now, bool by_sha) const {
  ArticleKeys k(v.article_id);
  bool recent = v.time > now - kVisitorsNowWindow;
  return {by_sha ? "EVALSHA" : "EVAL",
          by_sha ? script_sha_ : std::string(kRecordScript),
          "10",
          k.Views(),
          k.Visitors(),
          k.DayViews(v.time),
          k.DayVisitors(v.time),
          k.HourViews(v.time),
          k.MinuteVisitors(v.time),
          k.Seen(v.visitor),
          k.Request(v.request_id),
          k.NotCounted(),
          k.Imported(),
          v.visitor,
          absl::StrCat(absl::ToInt64Milliseconds(options_.count_window)),
          v.request_id.empty() ? "0" : "1",
          Seconds(kRequestIdRetention),
          Seconds(kDailyRetention),
          Seconds(kHourlyRetention),
          recent ? Seconds(kMinuteRetention) : "0",
          absl::StrCat(static_cast<int>(v.filtered))};
}

SiteDelta RedisViewStore::SiteDeltaOf(const std::vector<ResolvedView>& views,
                                      const std::vector<RecordResult>& results, absl::Time now) {
  // The site keys of one minute; the views of a batch mostly share it.
  struct MinuteKeys {
    absl::Time minute = absl::InfinitePast();
    std::string visitors_now, day_views, hour_views, day_visitors, top_minute, top_hour, top_day;
    absl::Time landmark;
    std::string trend[3];
  } k;
  const std::string top_all = site::TopAll();
  constexpr TrendScale kScales[] = {TrendScale::k1h, TrendScale::k24h, TrendScale::k168h};
  SiteDelta batch;
  for (size_t i = 0; i < views.size(); ++i) {
    const ResolvedView& v = views[i];
    const absl::Time minute = absl::UnixEpoch() + absl::Floor(v.time - absl::UnixEpoch(),
                                                              absl::Minutes(1));
    if (minute != k.minute) {
      k = {minute,
           site::MinuteVisitors(v.time),
           site::DayViews(v.time),
           site::HourViews(v.time),
           site::DayVisitors(v.time),
           site::TopMinute(v.time),
           site::TopHour(v.time),
           site::TopDay(v.time),
           TrendLandmark(v.time)};
      for (int s = 0; s < 3; ++s) k.trend[s] = site::Trend(kScales[s], k.landmark);
    }
    if (v.filtered == NotCounted::kNone && v.time > now - kVisitorsNowWindow) {
      batch.PfAdd(k.visitors_now, v.visitor, kMinuteRetention);
    }
    // A replayed duplicate that counted on its first, unanswered attempt: Redis has its
    // article counts, but its site-wide share was never added.
    if (!results[i].counted && !(v.replay && results[i].counted_before)) continue;
    const std::string& id = v.article_id;
    batch.Incr(k.day_views, kDailyRetention);
    batch.Incr(k.hour_views, kHourlyRetention);
    batch.PfAdd(k.day_visitors, v.visitor, kDailyRetention);
    batch.ZIncr(k.top_minute, id, 1, kTopMinuteRetention);
    batch.ZIncr(k.top_hour, id, 1, kHourlyRetention);
    batch.ZIncr(k.top_day, id, 1, kTopDailyRetention);
    batch.ZIncr(top_all, id, 1, absl::ZeroDuration());
    for (int s = 0; s < 3; ++s) {
      // Forward decay: the weight grows with time instead of old scores shrinking, so
      // a view is one ZINCRBY; readers scale by 2^(-(now - landmark) / half-life).
      double weight = std::exp2((v.time - k.landmark) / HalfLife(kScales[s]));
      batch.ZIncr(k.trend[s], id, weight, kTrendRetention);
    }
  }
  return batch;
}

absl::StatusOr<std::vector<RecordResult>> RedisViewStore::Record(
    const std::vector<ResolvedView>& views, absl::Time now) {
  std::vector<RedisArgv> commands;
  commands.reserve(views.size());
  for (const ResolvedView& v : views) commands.push_back(RecordCommand(v, now, true));
  auto replies = redis_.Pipeline(commands);
  if (!replies.ok()) return replies.status();

  // After a Redis restart the script cache is empty: send the script itself, once, for
  // the views that met NOSCRIPT (they did not run).
  std::vector<size_t> retry;
  std::vector<RedisArgv> retry_commands;
  for (size_t i = 0; i < views.size(); ++i) {
    if (IsNoScript((*replies)[i])) {
      retry.push_back(i);
      retry_commands.push_back(RecordCommand(views[i], now, false));
    }
  }
  if (!retry.empty()) {
    auto again = redis_.Pipeline(retry_commands);
    if (!again.ok()) return again.status();
    for (size_t j = 0; j < retry.size(); ++j) (*replies)[retry[j]] = std::move((*again)[j]);
  }

  std::vector<RecordResult> results;
  results.reserve(views.size());
  for (size_t i = 0; i < views.size(); ++i) {
    const RedisReply& r = (*replies)[i];
    if (r.is_error()) return r.ToStatus();
    if (r.type != RedisReply::Type::kArray || r.elements.size() != 6) {
      return absl::InternalError("redis: unexpected script reply " + DebugString(r));
    }
    RecordResult result;
    result.reason = static_cast<NotCounted>(r.elements[0].integer);
    result.counted = result.reason == NotCounted::kNone;
    result.totals.article_id = views[i].article_id;
    result.totals.views = r.elements[1].integer + r.elements[3].integer;
    result.totals.unique_visitors = r.elements[2].integer + r.elements[4].integer;
    result.counted_before = r.elements[5].integer == 1;
    results.push_back(std::move(result));
  }

  // The views are counted now: the site-wide updates go to the aggregate, which
  // SiteUpdates sends every interval (or here, with a zero interval) and keeps while
  // Redis does not take it, so a failure from here on never fails the batch.
  site_.Add(SiteDeltaOf(views, results, now));
  if (site_.flush_interval() == absl::ZeroDuration()) {
    if (absl::Status s = site_.Flush(); !s.ok()) {
      Logger()->warn("redis: site-wide updates wait for the next batch: {}",
                     std::string(s.message()));
    }
  }
  return results;
}

absl::StatusOr<std::vector<Totals>> RedisViewStore::Import(
    const std::vector<ImportedCounts>& items) {
  // The all-time top list includes baselines: read the old ones to apply the difference.
  std::vector<RedisArgv> reads;
  for (const ImportedCounts& item : items) {
    reads.push_back({"HGET", ArticleKeys(item.article_id).Imported(), "views"});
  }
  auto old = redis_.Pipeline(reads);
  if (!old.ok()) return old.status();
  std::vector<RedisArgv> commands;
  for (size_t i = 0; i < items.size(); ++i) {
    const ImportedCounts& item = items[i];
    absl::StatusOr<int64_t> before = IntOf((*old)[i]);
    if (!before.ok()) return before.status();
    ArticleKeys k(item.article_id);
    commands.push_back({"HSET", k.Imported(), "views", absl::StrCat(item.views), "uniques",
                        absl::StrCat(item.unique_visitors)});
    commands.push_back({"GET", k.Views()});
    commands.push_back({"PFCOUNT", k.Visitors()});
    commands.push_back(
        {"ZINCRBY", site::TopAll(), absl::StrCat(item.views - *before), item.article_id});
  }
  auto replies = redis_.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  std::vector<Totals> totals;
  for (size_t i = 0; i < items.size(); ++i) {
    const RedisReply* r = &(*replies)[i * 4];
    if (r[0].is_error()) return r[0].ToStatus();
    if (r[3].is_error()) return r[3].ToStatus();
    absl::StatusOr<int64_t> views = IntOf(r[1]), uniques = IntOf(r[2]);
    if (!views.ok()) return views.status();
    if (!uniques.ok()) return uniques.status();
    totals.push_back(
        {items[i].article_id, *views + items[i].views, *uniques + items[i].unique_visitors});
  }
  return totals;
}

}  // namespace bulletin::analytics
