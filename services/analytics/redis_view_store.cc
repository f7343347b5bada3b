#include "services/analytics/redis_view_store.h"

#include <openssl/sha.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/base/ids.h"
#include "services/analytics/view_keys.h"

namespace bulletin::analytics {
namespace {

// Counts one view atomically. A retried request_id, then a repeat within the count
// window, is tallied as not counted instead. A visitor seen recently is "here now" even
// when the view is a repeat. Returns {reason, views, uniques, imported views, imported
// uniques} so the caller gets the new totals in the same round trip.
constexpr char kRecordScript[] = R"lua(
local reason = 0
if ARGV[3] == '1' and not redis.call('SET', KEYS[8], '1', 'NX', 'EX', ARGV[4]) then
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
if ARGV[7] ~= '0' then
  redis.call('PFADD', KEYS[6], ARGV[1])
  redis.call('EXPIRE', KEYS[6], ARGV[7])
end
local imported = redis.call('HMGET', KEYS[10], 'views', 'uniques')
return {reason, tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('PFCOUNT', KEYS[2]),
        tonumber(imported[1] or '0'), tonumber(imported[2] or '0')}
)lua";

constexpr absl::Duration kVisitorsNowWindow = absl::Minutes(5);

std::string Sha1Hex(const std::string& s) {
  unsigned char d[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : d) {
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

std::string Seconds(absl::Duration d) { return absl::StrCat(absl::ToInt64Seconds(d)); }

// An integer reply, a numeric string or nil (zero). Error replies surface as statuses.
absl::StatusOr<int64_t> IntOf(const RedisReply& r) {
  switch (r.type) {
    case RedisReply::Type::kNil:
      return 0;
    case RedisReply::Type::kInteger:
      return r.integer;
    case RedisReply::Type::kString: {
      int64_t v = 0;
      if (!absl::SimpleAtoi(r.str, &v)) {
        return absl::InternalError(absl::StrCat("redis: not a number: \"", r.str, "\""));
      }
      return v;
    }
    case RedisReply::Type::kError:
      return r.ToStatus();
    default:
      return absl::InternalError("redis: unexpected reply " + DebugString(r));
  }
}

// Sums the elements of an MGET / HMGET reply.
absl::StatusOr<int64_t> SumOf(const RedisReply& r) {
  if (r.is_error()) return r.ToStatus();
  int64_t sum = 0;
  for (const RedisReply& e : r.elements) {
    absl::StatusOr<int64_t> v = IntOf(e);
    if (!v.ok()) return v.status();
    sum += *v;
  }
  return sum;
}

absl::StatusOr<std::map<NotCounted, int64_t>> TalliesOf(const RedisReply& r) {
  if (r.is_error()) return r.ToStatus();
  std::map<NotCounted, int64_t> out;
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    int reason = 0;
    absl::StatusOr<int64_t> count = IntOf(r.elements[i + 1]);
    if (!count.ok()) return count.status();
    if (absl::SimpleAtoi(r.elements[i].str, &reason) && reason > 0 && *count > 0) {
      out[static_cast<NotCounted>(reason)] = *count;
    }
  }
  return out;
}

bool IsNoScript(const RedisReply& r) { return r.is_error() && r.str.rfind("NOSCRIPT", 0) == 0; }

}  // namespace

RedisViewStore::RedisViewStore(RedisClient& redis, RedisViewStoreOptions options)
    : redis_(redis), options_(options), script_sha_(Sha1Hex(kRecordScript)) {}

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
          recent ? Seconds(kMinuteRetention) : "0"};
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
  return results;
}

absl::StatusOr<StatsResult> RedisViewStore::Stats(const std::vector<std::string>& article_ids,
                                                  int window_days, absl::Time now) {
  constexpr size_t kPerArticle = 8;
  std::vector<RedisArgv> commands;
  commands.reserve(article_ids.size() * kPerArticle);
  for (const std::string& id : article_ids) {
    ArticleKeys k(id);
    RedisArgv day_views = {"MGET"};
    RedisArgv day_visitors = {"PFCOUNT"};
    for (int d = 0; d < window_days; ++d) {
      day_views.push_back(k.DayViews(now - absl::Hours(24) * d));
      day_visitors.push_back(k.DayVisitors(now - absl::Hours(24) * d));
    }
    RedisArgv minutes = {"PFCOUNT"};
    for (int m = 0; m < absl::ToInt64Minutes(kVisitorsNowWindow); ++m) {
      minutes.push_back(k.MinuteVisitors(now - absl::Minutes(m)));
    }
    commands.push_back({"GET", k.Views()});
    commands.push_back({"PFCOUNT", k.Visitors()});
    commands.push_back({"HMGET", k.Imported(), "views", "uniques"});
    commands.push_back({"GET", k.DayViews(now)});
    commands.push_back(std::move(day_views));
    commands.push_back(std::move(day_visitors));
    commands.push_back(std::move(minutes));
    commands.push_back({"HGETALL", k.NotCounted()});
  }
  auto replies = redis_.Pipeline(commands);
  if (!replies.ok()) return replies.status();

  StatsResult result;
  for (size_t i = 0; i < article_ids.size(); ++i) {
    const RedisReply* r = &(*replies)[i * kPerArticle];
    if (r[2].is_error()) return r[2].ToStatus();
    if (r[2].elements.size() != 2) {
      return absl::InternalError("redis: unexpected HMGET reply " + DebugString(r[2]));
    }
    absl::StatusOr<int64_t> views = IntOf(r[0]), uniques = IntOf(r[1]),
                            imported_views = IntOf(r[2].elements[0]),
                            imported_uniques = IntOf(r[2].elements[1]), today = IntOf(r[3]),
                            window_views = SumOf(r[4]), window_uniques = IntOf(r[5]),
                            now_visitors = IntOf(r[6]);
    for (const auto* v : {&views, &uniques, &imported_views, &imported_uniques, &today,
                          &window_views, &window_uniques, &now_visitors}) {
      if (!v->ok()) return v->status();
    }
    auto tallies = TalliesOf(r[7]);
    if (!tallies.ok()) return tallies.status();
    ArticleStats s;
    s.article_id = article_ids[i];
    s.views = *views + *imported_views;
    s.unique_visitors = *uniques + *imported_uniques;
    s.imported_views = *imported_views;
    s.today_views = *today;
    s.window_views = *window_views;
    s.window_unique_visitors = *window_uniques;
    s.visitors_now = *now_visitors;
    s.not_counted = std::move(*tallies);
    result.stats.push_back(std::move(s));
  }
  return result;
}

absl::StatusOr<std::vector<Totals>> RedisViewStore::Import(
    const std::vector<ImportedCounts>& items) {
  std::vector<RedisArgv> commands;
  for (const ImportedCounts& item : items) {
    ArticleKeys k(item.article_id);
    commands.push_back({"HSET", k.Imported(), "views", absl::StrCat(item.views), "uniques",
                        absl::StrCat(item.unique_visitors)});
    commands.push_back({"GET", k.Views()});
    commands.push_back({"PFCOUNT", k.Visitors()});
  }
  auto replies = redis_.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  std::vector<Totals> totals;
  for (size_t i = 0; i < items.size(); ++i) {
    const RedisReply* r = &(*replies)[i * 3];
    if (r[0].is_error()) return r[0].ToStatus();
    absl::StatusOr<int64_t> views = IntOf(r[1]), uniques = IntOf(r[2]);
    if (!views.ok()) return views.status();
    if (!uniques.ok()) return uniques.status();
    totals.push_back(
        {items[i].article_id, *views + items[i].views, *uniques + items[i].unique_visitors});
  }
  return totals;
}

}  // namespace bulletin::analytics
