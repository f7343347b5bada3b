// RedisViewStore's top lists and article metadata, all in the "{bulletin}" slot.
//
// MOST_READ: a script sums the window's bucket sorted sets (minute buckets for the last
// hour, hourly for the last day, daily for 7/30 days, one all-time set) into a scratch
// key, intersects it with the published set and the category/locale filter sets, and
// returns the best entries.
//
// TRENDING (core/trend.h): the same script sums the decayed trend sets of the current and
// the previous landmark, weighted to now, and ranks the window's articles by
// rate(fast) / max(rate(slow), floor): a page well above its own baseline ranks first and
// an evergreen page scores about 1.

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/base/ids.h"
#include "common/base/status_macros.h"
#include "services/analytics/store/redis/redis_util.h"
#include "services/analytics/store/redis/redis_view_store.h"
#include "services/analytics/store/redis/view_keys.h"

namespace bulletin::analytics {
namespace {

constexpr char kTopScript[] = R"lua(
local nw, nf, ns, nflt = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local limit = tonumber(ARGV[5])
local tmp, tmpf, tmps = KEYS[1], KEYS[2], KEYS[3]
local function slice(from, n)
  local r = {}
  for i = from, from + n - 1 do r[#r + 1] = KEYS[i] end
  return r
end
local wkeys, fkeys = slice(4, nw), slice(4 + nw, nf)
local skeys, filters = slice(4 + nw + nf, ns), slice(4 + nw + nf + ns, nflt)
redis.call('ZUNIONSTORE', tmp, nw, unpack(wkeys))
redis.call('PEXPIRE', tmp, 60000)
local args = {tmp, 1 + nflt, tmp}
for _, k in ipairs(filters) do args[#args + 1] = k end
args[#args + 1] = 'WEIGHTS'
args[#args + 1] = 1
for i = 1, nflt do args[#args + 1] = 0 end
redis.call('ZINTERSTORE', unpack(args))
if ARGV[6] == '1' then
  local r = redis.call('ZREVRANGE', tmp, 0, limit - 1, 'WITHSCORES')
  redis.call('DEL', tmp)
  return r
end
local all = redis.call('ZRANGE', tmp, 0, -1, 'WITHSCORES')
redis.call('DEL', tmp)
if #all == 0 then return {} end
local function union(dest, keys, wfrom)
  local a = {dest, #keys}
  for _, k in ipairs(keys) do a[#a + 1] = k end
  a[#a + 1] = 'WEIGHTS'
  for i = 0, #keys - 1 do a[#a + 1] = ARGV[wfrom + i] end
  redis.call('ZUNIONSTORE', unpack(a))
  redis.call('PEXPIRE', dest, 60000)
end
union(tmpf, fkeys, 10)
union(tmps, skeys, 10 + nf)
local fast_factor, slow_factor, floor = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local entries = {}
for i = 1, #all, 2 do entries[#entries + 1] = {id = all[i], views = tonumber(all[i + 1])} end
for from = 1, #entries, 500 do
  local ids = {}
  for i = from, math.min(from + 499, #entries) do ids[#ids + 1] = entries[i].id end
  local f = redis.call('ZMSCORE', tmpf, unpack(ids))
  local s = redis.call('ZMSCORE', tmps, unpack(ids))
  for j = 1, #ids do
    local e = entries[from + j - 1]
    local fast = (tonumber(f[j]) or 0) * fast_factor
    local slow = (tonumber(s[j]) or 0) * slow_factor
    e.score = fast / math.max(slow, floor)
  end
end
redis.call('DEL', tmpf, tmps)
table.sort(entries, function(a, b)
  if a.score ~= b.score then return a.score > b.score end
  if a.views ~= b.views then return a.views > b.views end
  return a.id < b.id
end)
local out = {}
for i = 1, math.min(limit, #entries) do
  out[#out + 1] = entries[i].id
  out[#out + 1] = tostring(entries[i].views)
  out[#out + 1] = string.format('%.17g', entries[i].score)
end
return out
)lua";

// Stores an article's metadata and moves it between the published/filter sets, unless a
// newer revision is stored. At equal revisions "gone" wins, so a replayed PUBLISHED does
// not resurrect an article that its UNPUBLISHED/DELETED (same snapshot) removed.
// The filter set names are derived here; they share the "{bulletin}" tag with KEYS.
constexpr char kMetaScript[] = R"lua(
local cur = redis.call('HMGET', KEYS[1], 'rev', 'pub')
local rev = tonumber(ARGV[2])
if cur[1] then
  local old = tonumber(cur[1])
  if rev < old then return 0 end
  if rev == old and cur[2] == '0' and ARGV[3] == '1' then return 0 end
end
local old_sets = redis.call('HGET', KEYS[1], 'sets')
if old_sets then
  for s in string.gmatch(old_sets, '[^\n]+') do redis.call('SREM', s, ARGV[1]) end
end
local n = tonumber(ARGV[5])
local sets = {}
if ARGV[3] == '1' then
  redis.call('SADD', KEYS[2], ARGV[1])
  for i = 1, n do
    local k = ARGV[4] .. ARGV[5 + i]
    redis.call('SADD', k, ARGV[1])
    sets[#sets + 1] = k
  end
else
  redis.call('SREM', KEYS[2], ARGV[1])
end
redis.call('DEL', KEYS[1])
local fields = {'rev', ARGV[2], 'pub', ARGV[3], 'sets', table.concat(sets, '\n')}
for i = 6 + n, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
return 1
)lua";

std::vector<std::string> WindowKeys(Window window, absl::Time now) {
  std::vector<std::string> keys;
  switch (window) {
    case Window::kLastHour:
      for (int m = 0; m < 60; ++m) keys.push_back(site::TopMinute(now - absl::Minutes(m)));
      break;
    case Window::kLastDay:
      for (int h = 0; h < 24; ++h) keys.push_back(site::TopHour(now - absl::Hours(h)));
      break;
    case Window::kLast7Days:
    case Window::kLast30Days:
      for (int d = 0; d < (window == Window::kLast7Days ? 7 : 30); ++d) {
        keys.push_back(site::TopDay(now - absl::Hours(24) * d));
      }
      break;
    case Window::kAllTime:
      keys.push_back(site::TopAll());
      break;
  }
  return keys;
}

// The current and previous landmark's keys of `scale` with the weights that decay their
// scores to `now`.
void AddTrend(TrendScale scale, absl::Time now, std::vector<std::string>* keys,
              std::vector<std::string>* weights) {
  const absl::Time landmark = TrendLandmark(now);
  for (absl::Time l : {landmark, landmark - kTrendLandmarkStep}) {
    keys->push_back(site::Trend(scale, l));
    weights->push_back(absl::StrFormat("%.17g", TrendDecay(now, l, scale)));
  }
}

std::string RateFactor(TrendScale scale) {
  return absl::StrFormat("%.17g", TrendRatePerHour(scale));
}

}  // namespace

absl::StatusOr<std::vector<TopEntry>> RedisViewStore::Top(const TopQuery& query, absl::Time now) {
  const bool trending = query.kind == TopKind::kTrending;
  std::vector<std::string> window = WindowKeys(query.window, now), fast, slow, weights;
  if (trending) {
    AddTrend(FastScale(query.window), now, &fast, &weights);
    AddTrend(SlowScale(query.window), now, &slow, &weights);
  }
  std::vector<std::string> filters = {site::Published()};
  if (!query.category_id.empty()) filters.push_back(site::SetPrefix() + "c:" + query.category_id);
  if (!query.locale.empty()) filters.push_back(site::SetPrefix() + "l:" + query.locale);

  const std::string token = RandomHex(8);
  std::vector<std::string> keys = {site::Temp(token), site::Temp(token + "f"),
                                   site::Temp(token + "s")};
  for (const auto* group : {&window, &fast, &slow, &filters}) {
    keys.insert(keys.end(), group->begin(), group->end());
  }
  std::vector<std::string> args = {absl::StrCat(window.size()),
                                   absl::StrCat(fast.size()),
                                   absl::StrCat(slow.size()),
                                   absl::StrCat(filters.size()),
                                   absl::StrCat(query.limit),
                                   trending ? "2" : "1",
                                   trending ? RateFactor(FastScale(query.window)) : "0",
                                   trending ? RateFactor(SlowScale(query.window)) : "0",
                                   absl::StrFormat("%.17g", kTrendFloorPerHour)};
  args.insert(args.end(), weights.begin(), weights.end());
  ASSIGN_OR_RETURN(const RedisReply reply, redis_.Eval(kTopScript, keys, args));
  if (reply.type != RedisReply::Type::kArray) {
    return UnexpectedReply("top-list", reply);
  }
  const size_t stride = trending ? 3 : 2;
  std::vector<TopEntry> entries;
  std::vector<RedisArgv> meta;
  for (size_t i = 0; i + stride <= reply.elements.size(); i += stride) {
    TopEntry e;
    e.article_id = reply.elements[i].str;
    ASSIGN_OR_RETURN(e.views, IntOf(reply.elements[i + 1]));
    e.score = static_cast<double>(e.views);
    if (trending) {
      ASSIGN_OR_RETURN(e.score, DoubleOf(reply.elements[i + 2]));
    }
    entries.push_back(std::move(e));
    meta.push_back({"HGETALL", site::Meta(entries.back().article_id)});
  }
  if (entries.empty()) return entries;
  ASSIGN_OR_RETURN(const std::vector<RedisReply> metas, redis_.Pipeline(meta));
  for (size_t i = 0; i < entries.size(); ++i) {
    const RedisReply& m = metas[i];
    if (m.is_error()) return m.ToStatus();
    std::map<std::string, std::string> fields;
    for (size_t j = 0; j + 1 < m.elements.size(); j += 2) {
      fields[m.elements[j].str] = m.elements[j + 1].str;
    }
    std::string locale = query.locale;
    if (locale.empty() || !fields.count("t:" + locale)) locale = fields["dl"];
    entries[i].locale = locale;
    entries[i].title = fields["t:" + locale];
    entries[i].slug = fields["s:" + locale];
  }
  return entries;
}

absl::StatusOr<bool> RedisViewStore::ApplyArticle(const ArticleMeta& meta) {
  std::vector<std::string> sets;
  for (const std::string& c : meta.categories) sets.push_back("c:" + c);
  for (const ArticleMeta::Translation& t : meta.translations) sets.push_back("l:" + t.locale);
  std::vector<std::string> args = {meta.article_id, absl::StrCat(meta.revision),
                                   meta.published ? "1" : "0", site::SetPrefix(),
                                   absl::StrCat(sets.size())};
  args.insert(args.end(), sets.begin(), sets.end());
  args.insert(args.end(), {"dl", meta.default_locale});
  for (const ArticleMeta::Translation& t : meta.translations) {
    args.insert(args.end(), {"t:" + t.locale, t.title, "s:" + t.locale, t.slug});
  }
  ASSIGN_OR_RETURN(
      const RedisReply reply,
      redis_.Eval(kMetaScript, {site::Meta(meta.article_id), site::Published()}, args));
  if (reply.type != RedisReply::Type::kInteger) {
    return UnexpectedReply("metadata", reply);
  }
  return reply.integer == 1;
}

}  // namespace bulletin::analytics
