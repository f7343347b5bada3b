#include "services/analytics/store/redis/site_delta.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/analytics/store/redis/redis_util.h"

namespace bulletin::analytics {
namespace {

// Applies site-wide updates. ARGV is a list of operations on KEYS[index]:
// "z" index member by (ZINCRBY) | "i" index by (INCRBY) | "p" index n member... (PFADD)
// | "e" index seconds (EXPIRE). A Lua loop is much cheaper for Redis than hundreds of
// separately parsed commands; all keys share the "{bulletin}" tag.
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

const char* SiteDelta::Script() { return kSiteScript; }

void SiteDelta::ZIncr(const std::string& key, const std::string& member, double by,
                      absl::Duration ttl) {
  zincr_[key][member] += by;
  ttl_.try_emplace(key, ttl);
}

void SiteDelta::Incr(const std::string& key, int64_t by, absl::Duration ttl) {
  incr_[key] += by;
  ttl_.try_emplace(key, ttl);
}

void SiteDelta::PfAdd(const std::string& key, const std::string& member, absl::Duration ttl) {
  AddMember(MembersOf(key, ttl), member);
}

SiteDelta::Members& SiteDelta::MembersOf(const std::string& key, absl::Duration ttl) {
  ttl_.try_emplace(key, ttl);
  return pfadd_[key];
}

void SiteDelta::AddMember(Members& members, const std::string& member) {
  if (members_ >= max_members_) {
    dropped_ += !members.contains(member);
  } else if (members.insert(member).second) {
    ++members_;
  }
}

void SiteDelta::Merge(SiteDelta&& other) {
  if (empty() && other.members_ <= max_members_) {
    const size_t limit = max_members_, dropped = dropped_;
    *this = std::move(other);
    max_members_ = limit;
    dropped_ += dropped;
    return;
  }
  for (auto& [key, members] : other.zincr_) {
    auto& mine = zincr_[key];
    for (const auto& [member, by] : members) mine[member] += by;
  }
  for (const auto& [key, by] : other.incr_) incr_[key] += by;
  for (auto& [key, members] : other.pfadd_) {
    for (const std::string& m : members) PfAdd(key, m, absl::ZeroDuration());
  }
  // The TTLs of `other`'s keys (the PfAdd calls above only added missing zero ones).
  for (const auto& [key, ttl] : other.ttl_) ttl_[key] = ttl;
  dropped_ += other.dropped_;
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

SiteDelta SiteDelta::FromCall(const Call& call) {
  absl::flat_hash_map<std::string, absl::Duration> ttl;
  for (size_t i = 0; i + 2 < call.args.size();) {
    const std::string& op = call.args[i];
    const size_t n = op == "z" ? 4 : op == "p" ? 3 + std::stoul(call.args[i + 2]) : 3;
    if (op == "e") {
      ttl[call.keys[std::stoul(call.args[i + 1]) - 1]] = absl::Seconds(std::stol(call.args[i + 2]));
    }
    i += n;
  }
  SiteDelta d;
  for (size_t i = 0; i + 2 < call.args.size();) {
    const std::string& op = call.args[i];
    const std::string& key = call.keys[std::stoul(call.args[i + 1]) - 1];
    const auto found = ttl.find(key);
    const absl::Duration t = found != ttl.end() ? found->second : absl::ZeroDuration();
    if (op == "z") {
      d.ZIncr(key, call.args[i + 2], std::stod(call.args[i + 3]), t);
      i += 4;
    } else if (op == "i") {
      d.Incr(key, std::stoll(call.args[i + 2]), t);
      i += 3;
    } else if (op == "p") {
      const size_t n = std::stoul(call.args[i + 2]);
      for (size_t m = 0; m < n; ++m) d.PfAdd(key, call.args[i + 3 + m], t);
      i += 3 + n;
    } else {
      i += 3;
    }
  }
  return d;
}

}  // namespace bulletin::analytics
