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
// repeat (not when filtered). Returns {reason, views, uniques, imported views, imported
// uniques} so the caller gets the new totals in the same round trip.
constexpr char kRecordScript[] = R"lua(
local reason = tonumber(ARGV[8])
local filtered = reason ~= 0
if reason == 0 and ARGV[3] == '1' and not redis.call('SET', KEYS[8], '1', 'NX', 'EX', ARGV[4]) then
  reason = 4
end
if reason == 0 and ARGV[2] ~= '0' and
    not redis.call('SET', KEYS[7], '1', 'NX', 'PX', ARGV[2]) then
  reason = 2
end
if reason == 0 then
  redis.call('INCR', KEYS[1])
  redis.call('PFADD', KEYS[2], ARGV[1])
  redis.call('INCR', KEYS[3])
  redis.call('EXPIRE', KEYS[3], ARGV[5])
  redis.call('PFADD', KEYS[4], ARGV[1])
  redis.call('EXPIRE', KEYS[4], ARGV[5])
  redis.call('INCR', KEYS[5])
  redis.call('EXPIRE', KEYS[5], ARGV[6])
else
  redis.call('HINCRBY', KEYS[9], reason, 1)
end
if ARGV[7] ~= '0' and not filtered then
  redis.call('PFADD', KEYS[6], ARGV[1])
  redis.call('EXPIRE', KEYS[6], ARGV[7])
end
local imported = redis.call('HMGET', KEYS[10], 'views', 'uniques')
return {reason, tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('PFCOUNT', KEYS[2]),
        tonumber(imported[1] or '0'), tonumber(imported[2] or '0')}
)lua";

// Applies a batch's site-wide updates. ARGV is a list of operations on KEYS[index]:
// "z" index member by (ZINCRBY) | "i" index by (INCRBY) | "p" index n member... (PFADD)
// | "e" index seconds (EXPIRE).
constexpr char kSiteScript[] = R"lua(
local i = 1
while i <= #ARGV do
  local op, key = ARGV[i], KEYS[tonumber(ARGV[i + 1])]
  if op == 'z' then
    redis.call('ZINCRBY', key, ARGV[i + 3], ARGV[i + 2])
    i = i + 4
  elseif op == 'i' then
    redis.call('INCRBY', key, ARGV[i + 2])
    i = i + 3
  elseif op == 'p' then
    local n = tonumber(ARGV[i + 2])
    redis.call('PFADD', key, unpack(ARGV, i + 3, i + 2 + n))
    i = i + 3 + n
  else
    redis.call('EXPIRE', key, ARGV[i + 2])
    i = i + 3
  end
end
return 1
)lua";

constexpr absl::Duration kVisitorsNowWindow = absl::Minutes(5);
constexpr size_t kMaxUnsentSite = 100000;

// Aggregates the site-wide updates of one batch before they become commands.
class SiteBatch {
 public:
  void ZIncr(const std::string& key, const std::string& member, double by, absl::Duration ttl) {
    zincr_[key][member] += by;
    Expire(key, ttl);
  }
  void Incr(const std::string& key, absl::Duration ttl) {
    ++incr_[key];
    Expire(key, ttl);
  }
  void PfAdd(const std::string& key, const std::string& member, absl::Duration ttl) {
    pfadd_[key].push_back(member);
    Expire(key, ttl);
  }
  // One EVAL of kSiteScript: a Lua loop is much cheaper for Redis than hundreds of
  // separately parsed commands. All keys share the "{bulletin}" tag.
  std::vector<RedisArgv> Commands() const {
    std::vector<std::string> keys, args;
    std::map<std::string, size_t> index;
    auto key = [&](const std::string& k) {
      auto [it, added] = index.emplace(k, keys.size() + 1);
      if (added) keys.push_back(k);
      return absl::StrCat(it->second);
    };
    for (const auto& [k, members] : zincr_) {
      for (const auto& [member, by] : members) {
        args.insert(args.end(), {"z", key(k), member, absl::StrFormat("%.17g", by)});
      }
    }
    for (const auto& [k, by] : incr_) args.insert(args.end(), {"i", key(k), absl::StrCat(by)});
    for (const auto& [k, members] : pfadd_) {
      args.insert(args.end(), {"p", key(k), absl::StrCat(members.size())});
      args.insert(args.end(), members.begin(), members.end());
    }
    for (const auto& [k, ttl] : expire_) {
      if (ttl > absl::ZeroDuration()) args.insert(args.end(), {"e", key(k), Seconds(ttl)});
    }
    if (args.empty()) return {};
    RedisArgv eval = {"EVAL", kSiteScript, absl::StrCat(keys.size())};
    eval.insert(eval.end(), keys.begin(), keys.end());
    eval.insert(eval.end(), args.begin(), args.end());
    return {std::move(eval)};
  }

 private:
  void Expire(const std::string& key, absl::Duration ttl) { expire_.emplace(key, ttl); }

  std::map<std::string, std::map<std::string, double>> zincr_;
  std::map<std::string, int64_t> incr_;
  std::map<std::string, std::vector<std::string>> pfadd_;
  std::map<std::string, absl::Duration> expire_;
};

}  // namespace

RedisViewStore::RedisViewStore(RedisClient& redis, RedisViewStoreOptions options)
    : redis_(redis), options_(options), script_sha_(Sha1Hex(kRecordScript)) {}

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

std::vector<RedisArgv> RedisViewStore::SiteCommands(const std::vector<ResolvedView>& views,
                                                    const std::vector<RecordResult>& results,
                                                    absl::Time now) const {
  SiteBatch batch;
  for (size_t i = 0; i < views.size(); ++i) {
    const ResolvedView& v = views[i];
    if (v.filtered == NotCounted::kNone && v.time > now - kVisitorsNowWindow) {
      batch.PfAdd(site::MinuteVisitors(v.time), v.visitor, kMinuteRetention);
    }
    if (!results[i].counted) continue;
    const std::string& id = v.article_id;
    batch.Incr(site::DayViews(v.time), kDailyRetention);
    batch.Incr(site::HourViews(v.time), kHourlyRetention);
    batch.PfAdd(site::DayVisitors(v.time), v.visitor, kDailyRetention);
    batch.ZIncr(site::TopMinute(v.time), id, 1, kTopMinuteRetention);
    batch.ZIncr(site::TopHour(v.time), id, 1, kHourlyRetention);
    batch.ZIncr(site::TopDay(v.time), id, 1, kTopDailyRetention);
    batch.ZIncr(site::TopAll(), id, 1, absl::ZeroDuration());
    const absl::Time landmark = TrendLandmark(v.time);
    for (TrendScale scale : {TrendScale::k1h, TrendScale::k24h, TrendScale::k168h}) {
      // Forward decay: the weight grows with time instead of old scores shrinking, so
      // a view is one ZINCRBY; readers scale by 2^(-(now - landmark) / half-life).
      double weight = std::exp2((v.time - landmark) / HalfLife(scale));
      batch.ZIncr(site::Trend(scale, landmark), id, weight, kTrendRetention);
    }
  }
  return batch.Commands();
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
    if (r.type != RedisReply::Type::kArray || r.elements.size() != 5) {
      return absl::InternalError("redis: unexpected script reply " + DebugString(r));
    }
    RecordResult result;
    result.reason = static_cast<NotCounted>(r.elements[0].integer);
    result.counted = result.reason == NotCounted::kNone;
    result.totals.article_id = views[i].article_id;
    result.totals.views = r.elements[1].integer + r.elements[3].integer;
    result.totals.unique_visitors = r.elements[2].integer + r.elements[4].integer;
    results.push_back(std::move(result));
  }

  // The views are counted now: a failure from here on must not fail the batch (a retry
  // would count them twice), so unsent site-wide commands wait for the next batch.
  std::vector<RedisArgv> site;
  {
    std::lock_guard<std::mutex> lock(mu_);
    site.swap(unsent_site_);
  }
  std::vector<RedisArgv> fresh = SiteCommands(views, results, now);
  site.insert(site.end(), std::make_move_iterator(fresh.begin()),
              std::make_move_iterator(fresh.end()));
  absl::StatusOr<std::vector<RedisReply>> sent;
  if (!site.empty() && (sent = redis_.Pipeline(site)).ok()) {
    for (const RedisReply& r : *sent) {
      if (r.is_error()) Logger()->error("redis: site-wide update failed: {}", r.str);
    }
  } else if (!site.empty()) {
    std::lock_guard<std::mutex> lock(mu_);
    if (unsent_site_.size() + site.size() <= kMaxUnsentSite) {
      unsent_site_.insert(unsent_site_.end(), site.begin(), site.end());
    } else {
      Logger()->warn("redis: dropped {} site-wide top-list updates", site.size());
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
