#include "services/analytics/store/redis/site_delta.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/redis/redis_slot.h"
#include "services/analytics/store/redis/redis_util.h"

namespace bulletin::analytics {
namespace {

// Applies the deferred updates of journalled batches (see SiteDelta::Script for KEYS and
// ARGV; the pieces below make it, and MarkedScript). An operation on KEYS[2 + index]: "z" index
// member by (ZINCRBY) | "i" index by (INCRBY) | "p" index n member... (PFADD) | "e" index seconds
// (EXPIRE). A Lua loop is much cheaper for Redis than hundreds of separately parsed commands; all
// keys share the
// "{bulletin}" tag, except articles' time buckets.
constexpr char kJournalGuard[] = R"lua(
local n = tonumber(ARGV[1])
for j = 2, n + 1 do
  if redis.call('HEXISTS', KEYS[1], ARGV[j]) == 0 then return 0 end
end
)lua";
constexpr char kBody[] = R"lua(
local i = n + 2
while i <= #ARGV do
  local op, key = ARGV[i], KEYS[tonumber(ARGV[i + 1]) + 2]
  if op == 'z' then
    redis.call('ZINCRBY', key, ARGV[i + 3], ARGV[i + 2])
    i = i + 4
  elseif op == 'i' then
    redis.call('INCRBY', key, ARGV[i + 2])
    i = i + 3
  elseif op == 'p' then
    local m = tonumber(ARGV[i + 2])
    redis.call('PFADD', key, unpack(ARGV, i + 3, i + 2 + m))
    i = i + 3 + m
  else
    redis.call('EXPIRE', key, ARGV[i + 2])
    i = i + 3
  end
end
)lua";
constexpr char kJournalTail[] = R"lua(
if n > 0 then
  redis.call('HDEL', KEYS[1], unpack(ARGV, 2, n + 1))
  redis.call('ZREM', KEYS[2], unpack(ARGV, 2, n + 1))
end
return 1
)lua";
// The marker variant (Redis Cluster, site-wide side): KEYS[1..2] are the folded markers.
constexpr char kFoldedGuard[] = R"lua(
local n = tonumber(ARGV[1])
for j = 2, n + 1 do
  if redis.call('HEXISTS', KEYS[1], ARGV[j]) == 1 then return 0 end
end
)lua";
constexpr char kFoldedTail[] = R"lua(
if n > 0 then
  local t = redis.call('TIME')
  local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  for j = 2, n + 1 do
    redis.call('HSET', KEYS[1], ARGV[j], ms)
    redis.call('ZADD', KEYS[2], ms, ARGV[j])
  end
  local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ms - 604800000, 'LIMIT', 0, 100)
  if #old > 0 then
    redis.call('HDEL', KEYS[1], unpack(old))
    redis.call('ZREM', KEYS[2], unpack(old))
  end
end
return 1
)lua";

// Lua's unpack() is limited by the C stack (~8000 values): PFADD members go in chunks.
constexpr size_t kMembersPerPfAdd = 1000;

// Builds the calls: operations go into the current call until it is full.
class CallBuilder {
 public:
  CallBuilder(const absl::flat_hash_map<std::string, absl::Duration>& ttl, size_t max_args)
      : ttl_(ttl), max_args_(max_args) {}

  // Starts an operation on `key` (a new call first when the current one is full).
  std::vector<std::string>& Op(const char* op, const std::string& key) {
    if (calls_.empty() || calls_.back().args.size() >= max_args_) {
      Finish();
      calls_.emplace_back();
    }
    SiteDelta::Call& call = calls_.back();
    auto [it, added] = index_.emplace(key, call.keys.size() + 1);
    if (added) call.keys.push_back(key);
    call.args.insert(call.args.end(), {op, absl::StrCat(it->second)});
    return call.args;
  }

  std::vector<SiteDelta::Call> Done() {
    Finish();
    return std::move(calls_);
  }

 private:
  // Sets the time to live of every key the current call touched.
  void Finish() {
    if (calls_.empty()) return;
    SiteDelta::Call& call = calls_.back();
    for (size_t k = 0; k < call.keys.size(); ++k) {
      auto ttl = ttl_.find(call.keys[k]);
      if (ttl != ttl_.end() && ttl->second > absl::ZeroDuration()) {
        call.args.insert(call.args.end(), {"e", absl::StrCat(k + 1), Seconds(ttl->second)});
      }
    }
    index_.clear();
  }

  const absl::flat_hash_map<std::string, absl::Duration>& ttl_;
  const size_t max_args_;
  std::vector<SiteDelta::Call> calls_;
  absl::flat_hash_map<std::string, size_t> index_;  // key -> KEYS index in the current call
};

}  // namespace

const char* SiteDelta::Script() {
  static const std::string* const kScript =
      new std::string(absl::StrCat(kJournalGuard, kBody, kJournalTail));
  return kScript->c_str();
}

const char* SiteDelta::MarkedScript() {
  static const std::string* const kScript =
      new std::string(absl::StrCat(kFoldedGuard, kBody, kFoldedTail));
  return kScript->c_str();
}

std::map<int, SiteDelta> SiteDelta::BySlot() const {
  std::map<int, SiteDelta> out;
  for (const auto& [key, members] : zincr_) out[KeySlot(key)].zincr_[key] = members;
  for (const auto& [key, by] : incr_) out[KeySlot(key)].incr_[key] = by;
  for (const auto& [key, members] : pfadd_) out[KeySlot(key)].pfadd_[key] = members;
  for (const auto& [key, ttl] : ttl_) out[KeySlot(key)].ttl_[key] = ttl;
  return out;
}

void SiteDelta::ZIncr(const std::string& key, const std::string& member, double by,
                      absl::Duration ttl) {
  zincr_[key][member] += by;
  ttl_.try_emplace(key, ttl);
}

void SiteDelta::Incr(const std::string& key, int64_t by, absl::Duration ttl) {
  incr_[key] += by;
  ttl_.try_emplace(key, ttl);
}

SiteDelta::Members& SiteDelta::MembersOf(const std::string& key, absl::Duration ttl) {
  ttl_.try_emplace(key, ttl);
  return pfadd_[key];
}

std::vector<SiteDelta::Call> SiteDelta::Calls(size_t max_args) const {
  CallBuilder b(ttl_, max_args);
  for (const auto& [key, members] : zincr_) {
    for (const auto& [member, by] : members) {
      std::vector<std::string>& args = b.Op("z", key);
      args.insert(args.end(), {member, absl::StrFormat("%.17g", by)});
    }
  }
  for (const auto& [key, by] : incr_) b.Op("i", key).push_back(absl::StrCat(by));
  for (const auto& [key, members] : pfadd_) {
    auto it = members.begin();
    while (it != members.end()) {
      std::vector<std::string>& args = b.Op("p", key);
      const size_t count_at = args.size();
      args.emplace_back();
      size_t n = 0;
      for (; it != members.end() && n < kMembersPerPfAdd; ++it, ++n) args.push_back(*it);
      args[count_at] = absl::StrCat(n);
    }
  }
  return b.Done();
}

}  // namespace bulletin::analytics
