#include "services/analytics/store/redis/site_updates.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/base/log.h"
#include "common/base/status_macros.h"
#include "services/analytics/store/redis/redis_util.h"
#include "services/analytics/store/redis/updates_file.h"
#include "services/analytics/store/redis/view_journal.h"
#include "services/analytics/store/redis/view_keys.h"

namespace bulletin::analytics {
namespace {

// A fold stays about this small (script arguments), so that Redis, which runs nothing else
// during a script, is never held long; and holds at most this many journal entries.
constexpr size_t kMaxArgsPerFold = 20000;
constexpr size_t kMaxIdsPerFold = 1000;
// How often the journal is searched for entries no process holds, and how many are read
// per round.
constexpr absl::Duration kRecoverEvery = absl::Seconds(1);
constexpr size_t kRecoverLimit = 200;
constexpr int kMaxRecoverRounds = 20;
// The most ids of failed folds kept for a prompt retry (the rest wait for RecoveryAge).
constexpr size_t kMaxDropped = 100000;

// The journal entries older than ARGV[1] ms by Redis' clock, oldest first, at most ARGV[2]:
// {ids, payloads}. KEYS: the journal hash and its sorted set of times.
constexpr char kReadJournalScript[] = R"lua(
local t = redis.call('TIME')
local before = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(ARGV[1])
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', before, 'LIMIT', 0, tonumber(ARGV[2]))
if #ids == 0 then return {} end
return {ids, redis.call('HMGET', KEYS[1], unpack(ids))}
)lua";

}  // namespace

SiteUpdates::SiteUpdates(RedisClient& redis, absl::Duration flush_interval, size_t max_members,
                         std::string spill_file)
    : redis_(redis),
      flush_interval_(flush_interval),
      max_members_(max_members),
      spill_file_(std::move(spill_file)) {
  thread_ = std::thread([this] { Run(); });
}

SiteUpdates::~SiteUpdates() { Stop(); }

absl::Duration SiteUpdates::RecoveryAge(absl::Duration flush_interval) {
  return std::max(absl::Seconds(5), flush_interval * 5);
}

void SiteUpdates::Add(const std::string& batch_id, absl::FunctionRef<void(ViewAggregate&)> fill) {
  absl::MutexLock lock(&mu_);
  if (folds_.empty() || folds_.back().views.approx_args() >= kMaxArgsPerFold ||
      folds_.back().ids.size() >= kMaxIdsPerFold) {
    folds_.emplace_back(max_members_);
  }
  fill(folds_.back().views);
  if (!batch_id.empty()) {
    folds_.back().ids.push_back(batch_id);
    own_.insert(batch_id);
  }
}

absl::Status SiteUpdates::Restore() {
  if (spill_file_.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::vector<SiteDelta::Call> calls, ReadUpdatesFile(spill_file_));
  if (!calls.empty()) {
    Logger()->info("replaying {} spilled update calls from {}", calls.size(), spill_file_);
  }
  // Removed once in memory: replaying it after a crash would count twice.
  std::remove(spill_file_.c_str());
  absl::MutexLock flushing(&flush_mu_);
  for (SiteDelta::Call& call : calls) restored_.push_back(std::move(call));
  return absl::OkStatus();
}

const char* SiteUpdates::ReadJournalScript() { return kReadJournalScript; }

absl::Status SiteUpdates::Apply(const Fold& fold, bool* stale) {
  if (redis_.cluster()) return ApplyOnCluster(fold, stale);
  *stale = false;
  std::vector<std::string> keys = {site::Journal(), site::JournalTimes()};
  std::vector<std::string> args = {absl::StrCat(fold.ids.size())};
  args.insert(args.end(), fold.ids.begin(), fold.ids.end());
  // One call, whatever its size: the fold is bounded when it is built, and applying it in
  // parts would break the check that makes it happen once.
  for (SiteDelta::Call& call : fold.views.ToDelta().Calls(std::numeric_limits<size_t>::max())) {
    keys.insert(keys.end(), call.keys.begin(), call.keys.end());
    args.insert(args.end(), call.args.begin(), call.args.end());
  }
  ASSIGN_OR_RETURN(const RedisReply r, redis_.Eval(SiteDelta::Script(), keys, args));
  if (r.type != RedisReply::Type::kInteger) return UnexpectedReply("fold script", r);
  *stale = r.integer == 0;
  return absl::OkStatus();
}

absl::Status SiteUpdates::Flush() {
  absl::MutexLock flushing(&flush_mu_);
  while (!restored_.empty()) {
    const SiteDelta::Call& call = restored_.front();
    std::vector<std::string> keys = {site::Journal(), site::JournalTimes()};
    keys.insert(keys.end(), call.keys.begin(), call.keys.end());
    std::vector<std::string> args = {"0"};  // not journalled: applied as it is
    args.insert(args.end(), call.args.begin(), call.args.end());
    absl::StatusOr<RedisReply> r = redis_.Eval(SiteDelta::Script(), keys, args);
    if (!r.ok() && absl::IsUnavailable(r.status())) return r.status();
    if (!r.ok()) {
      Logger()->error("dropping a spilled update call redis refused: {}", r.status().ToString());
    }
    restored_.erase(restored_.begin());
  }
  std::vector<Fold> folds;
  {
    absl::MutexLock lock(&mu_);
    folds.swap(folds_);
  }
  absl::Status status;
  for (const Fold& fold : folds) {
    bool stale = false;
    if (status.ok() && (!fold.views.empty() || !fold.ids.empty())) status = Apply(fold, &stale);
    if (fold.views.dropped() > 0) {
      Logger()->warn("visitor estimates missed {} visitors of one fold", fold.views.dropped());
    }
    if (stale || !status.ok()) {
      // Not applied: another process folded one of these batches from the journal (this
      // one was slow), or Redis did not take it. The rest are still in the journal: the
      // next recovery folds them from there.
      if (dropped_.size() < kMaxDropped) {
        dropped_.insert(dropped_.end(), fold.ids.begin(), fold.ids.end());
      }
    }
    // Folded, or left in the journal for recovery: either way no longer held in memory.
    absl::MutexLock lock(&mu_);
    for (const std::string& id : fold.ids) own_.erase(id);
  }
  return status;
}

absl::StatusOr<size_t> SiteUpdates::FoldEntries(const std::vector<RedisReply>& ids,
                                                const std::vector<RedisReply>& payloads) {
  absl::flat_hash_set<std::string> own;
  {
    absl::MutexLock lock(&mu_);
    own = own_;
  }
  std::vector<Fold> folds;
  std::vector<std::string> junk;  // entries that can never be folded
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string& id = ids[i].str;
    if (own.contains(id) || payloads[i].is_nil()) continue;  // held here, or folded already
    if (payloads[i].type != RedisReply::Type::kString)
      return UnexpectedReply("journal", payloads[i]);
    absl::StatusOr<JournalBatch> batch = ParseJournalEntry(id, payloads[i].str);
    if (!batch.ok()) {
      if (payloads[i].str.rfind("j1 ", 0) == 0) {
        Logger()->error("dropping a damaged journal entry: {}",
                        std::string(batch.status().message()));
        junk.push_back(id);
      } else {
        // Another version's format: left for a process that reads it.
        Logger()->warn("journal entry {} has an unknown format; left in place", id);
      }
      continue;
    }
    // On a cluster, one batch per fold (see site_updates_cluster.cc).
    if (folds.empty() || folds.back().views.approx_args() >= kMaxArgsPerFold ||
        folds.back().ids.size() >= kMaxIdsPerFold || redis_.cluster()) {
      folds.emplace_back(max_members_);
      folds.back().from_journal = redis_.cluster();
    }
    AddJournalBatch(*batch, folds.back().views);
    folds.back().ids.push_back(id);
  }
  if (!junk.empty() && redis_.cluster()) {
    RETURN_IF_ERROR(DeleteEntries(junk));
  } else if (!junk.empty()) {
    RedisArgv hdel = {"HDEL", site::Journal()}, zrem = {"ZREM", site::JournalTimes()};
    hdel.insert(hdel.end(), junk.begin(), junk.end());
    zrem.insert(zrem.end(), junk.begin(), junk.end());
    RETURN_IF_ERROR(redis_.Pipeline({hdel, zrem}).status());
  }
  size_t folded = 0;
  for (const Fold& fold : folds) {
    bool stale = false;
    RETURN_IF_ERROR(Apply(fold, &stale));
    if (!stale) {
      folded += fold.ids.size();
    } else if (dropped_.size() < kMaxDropped) {
      // Another process folded one of them meanwhile: the others again, without it.
      dropped_.insert(dropped_.end(), fold.ids.begin(), fold.ids.end());
    }
  }
  return folded;
}

absl::StatusOr<size_t> SiteUpdates::RecoverOnce(absl::Duration min_age, size_t limit,
                                                size_t* fetched) {
  if (redis_.cluster()) return RecoverOnceOnCluster(min_age, limit, fetched);
  *fetched = 0;
  ASSIGN_OR_RETURN(
      const RedisReply r,
      redis_.Eval(kReadJournalScript, {site::Journal(), site::JournalTimes()},
                  {absl::StrCat(absl::ToInt64Milliseconds(min_age)), absl::StrCat(limit)}));
  if (r.type != RedisReply::Type::kArray) return UnexpectedReply("journal read", r);
  if (r.elements.empty()) return 0;
  if (r.elements.size() != 2 || r.elements[0].elements.size() != r.elements[1].elements.size()) {
    return UnexpectedReply("journal read", r);
  }
  *fetched = r.elements[0].elements.size();
  // A time without its entry (never written so; repaired rather than read for ever).
  RedisArgv zrem = {"ZREM", site::JournalTimes()};
  for (size_t i = 0; i < r.elements[0].elements.size(); ++i) {
    if (r.elements[1].elements[i].is_nil()) zrem.push_back(r.elements[0].elements[i].str);
  }
  if (zrem.size() > 2) RETURN_IF_ERROR(redis_.Command(zrem).status());
  return FoldEntries(r.elements[0].elements, r.elements[1].elements);
}

absl::StatusOr<size_t> SiteUpdates::RetryDropped() {
  if (dropped_.empty()) return 0;
  std::vector<std::string> ids = std::move(dropped_);
  dropped_.clear();
  RedisArgv hmget = {"HMGET", site::Journal()};
  hmget.insert(hmget.end(), ids.begin(), ids.end());
  absl::StatusOr<RedisReply> r;
  if (redis_.cluster()) {
    // Each id from its slot's journal.
    absl::StatusOr<std::vector<RedisReply>> entries = ReadEntries(ids);
    if (entries.ok()) {
      r = RedisReply();
      r->type = RedisReply::Type::kArray;
      r->elements = std::move(*entries);
    } else {
      r = entries.status();
    }
  } else {
    r = redis_.Command(hmget);
  }
  absl::StatusOr<size_t> folded = absl::UnavailableError("not read");
  if (!r.ok()) {
    folded = r.status();
  } else if (r->type != RedisReply::Type::kArray || r->elements.size() != ids.size()) {
    folded = UnexpectedReply("journal HMGET", *r);
  } else {
    std::vector<RedisReply> id_replies(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      id_replies[i].type = RedisReply::Type::kString;
      id_replies[i].str = ids[i];
    }
    folded = FoldEntries(id_replies, r->elements);
  }
  if (!folded.ok()) dropped_ = std::move(ids);  // next time, or RecoveryAge elsewhere
  return folded;
}

absl::StatusOr<size_t> SiteUpdates::Recover(absl::Duration min_age) {
  absl::MutexLock flushing(&flush_mu_);
  ASSIGN_OR_RETURN(size_t total, RetryDropped());
  for (int round = 0; round < kMaxRecoverRounds; ++round) {
    size_t fetched = 0;
    ASSIGN_OR_RETURN(const size_t folded, RecoverOnce(min_age, kRecoverLimit, &fetched));
    total += folded;
    if (fetched < kRecoverLimit || folded == 0) break;
  }
  if (total > 0) {
    Logger()->info("folded {} journalled batches that no running process held", total);
  }
  return total;
}

void SiteUpdates::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  if (absl::Status s = Flush(); !s.ok()) {
    Logger()->warn(
        "redis did not take the last aggregated updates ({}); they wait in its journal for "
        "the next start or another replica",
        std::string(s.message()));
  }
  absl::MutexLock flushing(&flush_mu_);
  if (restored_.empty()) return;
  // An earlier version's spilled calls are not in the journal: back to the file.
  if (spill_file_.empty()) {
    Logger()->error("{} spilled update calls lost (no --spill-file)", restored_.size());
  } else if (absl::Status w = WriteUpdatesFile(spill_file_, restored_); !w.ok()) {
    Logger()->error("{} spilled update calls lost: {}", restored_.size(), std::string(w.message()));
  }
}

bool SiteUpdates::StopRequested(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&stopping_), timeout);
}

void SiteUpdates::Run() {
  const bool flushing = flush_interval_ > absl::ZeroDuration();
  const absl::Duration tick = flushing ? std::min(flush_interval_, kRecoverEvery) : kRecoverEvery;
  absl::Time next_flush = absl::Now() + flush_interval_;
  absl::Time next_recovery = absl::Now() + kRecoverEvery;
  while (!StopRequested(tick)) {
    if (flushing && absl::Now() >= next_flush) {
      next_flush = absl::Now() + flush_interval_;
      if (absl::Status s = Flush(); !s.ok()) {
        Logger()->warn("site-wide update flush failed; the journal keeps them: {}",
                       std::string(s.message()));
      }
    }
    if (absl::Now() >= next_recovery) {
      next_recovery = absl::Now() + kRecoverEvery;
      if (absl::Status s = Recover(RecoveryAge(flush_interval_)).status(); !s.ok()) {
        Logger()->debug("journal recovery failed, retrying: {}", std::string(s.message()));
      }
    }
  }
}

}  // namespace bulletin::analytics
