// RedisViewStore::Import: ImportViews' legacy baselines, checked against what was counted
// and written in one atomic script (all or nothing). The key layout is in view_keys.h.
#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "services/analytics/store/redis/redis_util.h"
#include "services/analytics/store/redis/redis_view_store.h"
#include "services/analytics/store/redis/view_keys.h"

namespace bulletin::analytics {
namespace {

// Replaces the legacy baselines of ImportViews in one atomic step, all or nothing.
//   KEYS: per item its imported hash, views counter and visitors HyperLogLog; then the
//         all-time top list.
//   ARGV: the largest total (2^53), then per item: article id, views, unique visitors.
// First every item is checked: when counted + imported would exceed the limit, nothing is
// written and the reply is {field, item index (1-based)}. (Lua numbers are doubles, exact
// up to 2^53: the limit minus what was counted is exact, their sum might not be.) Then in
// order (a repeated article sees the baseline its earlier item set) each baseline is
// replaced and the all-time top list gets the difference. Returns {1, then per item its
// views and unique-visitor totals}.
constexpr char kImportScript[] = R"lua(
local limit = tonumber(ARGV[1])
local n = (#KEYS - 1) / 3
local counted, uniques = {}, {}
for i = 1, n do
  counted[i] = tonumber(redis.call('GET', KEYS[3 * i - 1]) or '0')
  uniques[i] = redis.call('PFCOUNT', KEYS[3 * i])
  if counted[i] > limit or tonumber(ARGV[3 * i]) > limit - counted[i] then
    return {'views', i}
  end
  if uniques[i] > limit or tonumber(ARGV[3 * i + 1]) > limit - uniques[i] then
    return {'unique_visitors', i}
  end
end
local out = {1}
for i = 1, n do
  local imported_key, id = KEYS[3 * i - 2], ARGV[3 * i - 1]
  local views, visitors = tonumber(ARGV[3 * i]), tonumber(ARGV[3 * i + 1])
  local before = tonumber(redis.call('HGET', imported_key, 'views') or '0')
  redis.call('HSET', imported_key, 'views', ARGV[3 * i], 'uniques', ARGV[3 * i + 1])
  redis.call('ZINCRBY', KEYS[#KEYS], views - before, id)
  out[#out + 1] = counted[i] + views
  out[#out + 1] = uniques[i] + visitors
end
return out
)lua";

}  // namespace

absl::StatusOr<std::vector<Totals>> RedisViewStore::Import(
    const std::vector<ImportedCounts>& items) {
  std::vector<std::string> keys, args = {absl::StrCat(kMaxCount)};
  keys.reserve(items.size() * 3 + 1);
  args.reserve(items.size() * 3 + 1);
  for (const ImportedCounts& item : items) {
    ArticleKeys k(item.article_id);
    keys.insert(keys.end(), {k.Imported(), k.Views(), k.Visitors()});
    args.insert(args.end(),
                {item.article_id, absl::StrCat(item.views), absl::StrCat(item.unique_visitors)});
  }
  keys.push_back(site::TopAll());
  absl::StatusOr<RedisReply> reply = redis_.Eval(kImportScript, keys, args);
  {
    // This process's next RecordView of these articles reads the new baseline (even
    // when the answer was lost: the writes may have run).
    absl::MutexLock lock(&mu_);
    for (const ImportedCounts& item : items) uniques_.erase(item.article_id);
  }
  RETURN_IF_ERROR(reply);
  const RedisReply& r = *reply;
  if (r.type == RedisReply::Type::kArray && r.elements.size() == 2 &&
      r.elements[0].type == RedisReply::Type::kString) {
    // {field, 1-based index}: the item that would take a total above kMaxCount.
    const int64_t index = r.elements[1].integer;
    if (index >= 1 && static_cast<size_t>(index) <= items.size()) {
      return TotalTooLarge(static_cast<size_t>(index - 1), r.elements[0].str);
    }
  }
  if (r.type != RedisReply::Type::kArray || r.elements.size() != 2 * items.size() + 1) {
    return UnexpectedReply("import script", r);
  }
  std::vector<Totals> totals;
  totals.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    totals.push_back(
        {items[i].article_id, r.elements[1 + 2 * i].integer, r.elements[2 + 2 * i].integer});
  }
  return totals;
}

}  // namespace bulletin::analytics
