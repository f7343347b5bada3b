#include "services/analytics/store/redis/site_updates.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/base/log.h"
#include "services/analytics/store/redis/redis_util.h"
#include "services/analytics/store/redis/updates_file.h"

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
constexpr size_t kMaxArgsPerCall = 20000;

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

SiteUpdates::SiteUpdates(RedisClient& redis, absl::Duration flush_interval, size_t max_members,
                         std::string spill_file)
    : redis_(redis),
      flush_interval_(flush_interval),
      max_members_(max_members),
      spill_file_(std::move(spill_file)),
      views_(max_members),
      pending_(max_members) {
  if (flush_interval_ > absl::ZeroDuration()) thread_ = std::thread([this] { Run(); });
}

SiteUpdates::~SiteUpdates() { Stop(); }

void SiteUpdates::Add(absl::FunctionRef<void(ViewAggregate&)> fill) {
  std::lock_guard<std::mutex> lock(mu_);
  fill(views_);
}

absl::Status SiteUpdates::Restore() {
  if (spill_file_.empty()) return absl::OkStatus();
  absl::StatusOr<std::vector<SiteDelta::Call>> calls = ReadUpdatesFile(spill_file_);
  if (!calls.ok()) return calls.status();
  if (!calls->empty()) {
    Logger()->info("replaying {} spilled update calls from {}", calls->size(), spill_file_);
  }
  // Removed once in memory: replaying it after a crash would count twice.
  std::remove(spill_file_.c_str());
  std::lock_guard<std::mutex> flushing(flush_mu_);
  for (SiteDelta::Call& call : *calls) restored_.push_back(std::move(call));
  return absl::OkStatus();
}

absl::Status SiteUpdates::Flush() {
  std::lock_guard<std::mutex> flushing(flush_mu_);
  while (!restored_.empty()) {
    absl::StatusOr<RedisReply> r =
        redis_.Eval(kSiteScript, restored_.front().keys, restored_.front().args);
    if (!r.ok() && absl::IsUnavailable(r.status())) return r.status();
    if (!r.ok()) {
      Logger()->error("dropping a spilled update call redis refused: {}", r.status().ToString());
    }
    restored_.erase(restored_.begin());
  }
  SiteDelta leftovers(max_members_);
  ViewAggregate views(max_members_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::swap(leftovers, pending_);
    std::swap(views, views_);
  }
  SiteDelta delta = views.ToDelta();  // not limited again: the aggregate was
  const size_t dropped = leftovers.dropped() + views.dropped();
  delta.Merge(std::move(leftovers));
  if (dropped > 0) {
    Logger()->warn("visitor estimates missed {} visitors while redis was unreachable", dropped);
  }
  if (delta.empty()) return absl::OkStatus();
  // Each call is one atomic script: a failed call is kept whole, the ones before it are
  // applied, so nothing is counted twice.
  std::vector<SiteDelta::Call> calls = delta.Calls(kMaxArgsPerCall);
  for (size_t i = 0; i < calls.size(); ++i) {
    absl::StatusOr<RedisReply> r = redis_.Eval(kSiteScript, calls[i].keys, calls[i].args);
    if (r.ok()) continue;
    // The calls before this one are applied: keep only this one and the rest.
    SiteDelta unsent(max_members_);
    for (size_t j = i; j < calls.size(); ++j) unsent.Merge(SiteDelta::FromCall(calls[j]));
    std::lock_guard<std::mutex> lock(mu_);
    unsent.Merge(std::move(pending_));
    pending_ = std::move(unsent);
    return r.status();
  }
  return absl::OkStatus();
}

void SiteUpdates::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  absl::Status s = Flush();
  if (s.ok()) return;
  std::lock_guard<std::mutex> flushing(flush_mu_);
  std::vector<SiteDelta::Call> unsent = std::move(restored_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    SiteDelta all = views_.ToDelta();
    all.Merge(std::move(pending_));
    for (SiteDelta::Call& call : all.Calls(kMaxArgsPerCall)) unsent.push_back(std::move(call));
  }
  if (spill_file_.empty()) {
    Logger()->error("time-bucket and top-list updates lost at shutdown (no --spill-file): {}",
                    std::string(s.message()));
  } else if (absl::Status w = WriteUpdatesFile(spill_file_, unsent); !w.ok()) {
    Logger()->error("time-bucket and top-list updates lost at shutdown: {}",
                    std::string(w.message()));
  } else {
    Logger()->warn("redis unreachable at shutdown: {} update calls written to {}", unsent.size(),
                   spill_file_);
  }
}

void SiteUpdates::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, absl::ToChronoNanoseconds(flush_interval_), [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    if (absl::Status s = Flush(); !s.ok()) {
      Logger()->warn("site-wide top-list flush failed, retrying: {}", std::string(s.message()));
    }
    lock.lock();
  }
}

}  // namespace bulletin::analytics
