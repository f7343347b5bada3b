// RedisViewStore::Import: ImportViews' legacy baselines, checked against what was counted
// and written in one atomic script (all or nothing; on a Redis Cluster one script per slot
// after a check of all). The key layout is in view_keys.h.
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/redis/keys.h"
#include "common/redis/redis_slot.h"
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
// On a Redis Cluster the top list is in another slot: without its key (KEYS a multiple of
// 3) the differences are returned after the totals instead, for the caller to add; and
// ARGV[1] "c<limit>" only checks (returns {1} when every item fits).
constexpr char kImportScript[] = R"lua(
local check_only = string.sub(ARGV[1], 1, 1) == 'c'
local limit = tonumber(check_only and string.sub(ARGV[1], 2) or ARGV[1])
local has_top = #KEYS % 3 == 1
local n = math.floor(#KEYS / 3)
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
if check_only then return {1} end
local out, diffs = {1}, {}
for i = 1, n do
  local imported_key, id = KEYS[3 * i - 2], ARGV[3 * i - 1]
  local views, visitors = tonumber(ARGV[3 * i]), tonumber(ARGV[3 * i + 1])
  local before = tonumber(redis.call('HGET', imported_key, 'views') or '0')
  redis.call('HSET', imported_key, 'views', ARGV[3 * i], 'uniques', ARGV[3 * i + 1])
  if has_top then
    redis.call('ZINCRBY', KEYS[#KEYS], views - before, id)
  else
    diffs[#diffs + 1] = views - before
  end
  out[#out + 1] = counted[i] + views
  out[#out + 1] = uniques[i] + visitors
end
for i = 1, #diffs do out[#out + 1] = diffs[i] end
return out
)lua";

}  // namespace

absl::StatusOr<std::vector<Totals>> RedisViewStore::Import(
    const std::vector<ImportedCounts>& items) {
  if (redis_.cluster()) return ImportOnCluster(items);
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

// On a Redis Cluster: the items grouped by their article's slot, all groups checked first
// (a dry run), then each group replaced by one atomic call and the all-time top list
// adjusted by the differences. Between the check and the writes a count could grow past
// the limit (2^53: not in practice); a crash between a group's call and the top-list
// adjustment leaves the all-time top list off by that group's differences.
absl::StatusOr<std::vector<Totals>> RedisViewStore::ImportOnCluster(
    const std::vector<ImportedCounts>& items) {
  std::map<int, std::vector<size_t>> by_slot;  // in item order within each slot
  for (size_t i = 0; i < items.size(); ++i) {
    by_slot[KeySlot(keys::ArticlePrefix(items[i].article_id))].push_back(i);
  }
  auto command = [&](const std::vector<size_t>& group, bool check) {
    RedisArgv argv = {"EVALSHA", ScriptSha(kImportScript), absl::StrCat(group.size() * 3)};
    for (size_t i : group) {
      ArticleKeys k(items[i].article_id);
      argv.insert(argv.end(), {k.Imported(), k.Views(), k.Visitors()});
    }
    argv.push_back(check ? absl::StrCat("c", kMaxCount) : absl::StrCat(kMaxCount));
    for (size_t i : group) {
      argv.insert(argv.end(), {items[i].article_id, absl::StrCat(items[i].views),
                               absl::StrCat(items[i].unique_visitors)});
    }
    return argv;
  };
  std::vector<Totals> totals(items.size());
  std::vector<RedisArgv> top;
  for (bool check : {true, false}) {
    for (const auto& [slot, group] : by_slot) {
      RedisArgv argv = command(group, check);
      absl::StatusOr<RedisReply> reply = redis_.Command(argv);
      if (!reply.ok() && absl::StrContains(reply.status().message(), "NOSCRIPT")) {
        argv[0] = "EVAL";
        argv[1] = kImportScript;
        reply = redis_.Command(argv);
      }
      if (!check) {
        absl::MutexLock lock(&mu_);
        for (size_t i : group) uniques_.erase(items[i].article_id);
      }
      RETURN_IF_ERROR(reply.status());
      const RedisReply& r = *reply;
      if (r.type == RedisReply::Type::kArray && r.elements.size() == 2 &&
          r.elements[0].type == RedisReply::Type::kString) {
        const int64_t index = r.elements[1].integer;
        if (index >= 1 && static_cast<size_t>(index) <= group.size()) {
          return TotalTooLarge(group[index - 1], r.elements[0].str);
        }
      }
      if (check) {
        if (r.type != RedisReply::Type::kArray || r.elements.size() != 1) {
          return UnexpectedReply("import check", r);
        }
        continue;
      }
      if (r.type != RedisReply::Type::kArray || r.elements.size() != 3 * group.size() + 1) {
        return UnexpectedReply("import script", r);
      }
      for (size_t j = 0; j < group.size(); ++j) {
        const ImportedCounts& item = items[group[j]];
        totals[group[j]] = {item.article_id, r.elements[1 + 2 * j].integer,
                            r.elements[2 + 2 * j].integer};
        top.push_back({"ZINCRBY", site::TopAll(),
                       absl::StrCat(r.elements[1 + 2 * group.size() + j].integer),
                       item.article_id});
      }
    }
  }
  ASSIGN_OR_RETURN(const std::vector<RedisReply> added, redis_.Pipeline(top));
  for (const RedisReply& r : added) RETURN_IF_ERROR(r.ToStatus());
  return totals;
}

}  // namespace bulletin::analytics
