#include "services/analytics/store/redis/site_updates.h"

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "common/base/log.h"
#include "common/base/status_macros.h"
#include "services/analytics/store/redis/updates_file.h"

namespace bulletin::analytics {
namespace {

constexpr size_t kMaxArgsPerCall = 20000;

}  // namespace

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
  absl::MutexLock lock(&mu_);
  fill(views_);
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

absl::Status SiteUpdates::Flush() {
  absl::MutexLock flushing(&flush_mu_);
  while (!restored_.empty()) {
    absl::StatusOr<RedisReply> r =
        redis_.Eval(SiteDelta::Script(), restored_.front().keys, restored_.front().args);
    if (!r.ok() && absl::IsUnavailable(r.status())) return r.status();
    if (!r.ok()) {
      Logger()->error("dropping a spilled update call redis refused: {}", r.status().ToString());
    }
    restored_.erase(restored_.begin());
  }
  SiteDelta leftovers(max_members_);
  ViewAggregate views(max_members_);
  {
    absl::MutexLock lock(&mu_);
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
    absl::StatusOr<RedisReply> r = redis_.Eval(SiteDelta::Script(), calls[i].keys, calls[i].args);
    if (r.ok()) continue;
    // The calls before this one are applied: keep only this one and the rest.
    SiteDelta unsent(max_members_);
    for (size_t j = i; j < calls.size(); ++j) unsent.Merge(SiteDelta::FromCall(calls[j]));
    absl::MutexLock lock(&mu_);
    unsent.Merge(std::move(pending_));
    pending_ = std::move(unsent);
    return r.status();
  }
  return absl::OkStatus();
}

void SiteUpdates::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  absl::Status s = Flush();
  if (s.ok()) return;
  absl::MutexLock flushing(&flush_mu_);
  std::vector<SiteDelta::Call> unsent = std::move(restored_);
  {
    absl::MutexLock lock(&mu_);
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

bool SiteUpdates::StopRequested(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&stopping_), timeout);
}

void SiteUpdates::Run() {
  while (!StopRequested(flush_interval_)) {
    if (absl::Status s = Flush(); !s.ok()) {
      Logger()->warn("site-wide top-list flush failed, retrying: {}", std::string(s.message()));
    }
  }
}

}  // namespace bulletin::analytics
