#include "services/content/core/scheduler.h"

#include <algorithm>
#include <utility>

#include "common/base/log.h"
#include "common/base/status_macros.h"

namespace bulletin::content {

Scheduler::Scheduler(ContentCore& core, ArticleStore& store, SchedulerOptions options)
    : core_(core), store_(store), options_(std::move(options)) {}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void Scheduler::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void Scheduler::Notify() {
  absl::MutexLock lock(&mu_);
  wake_ = true;
}

absl::StatusOr<absl::Duration> Scheduler::RunOnce() {
  ASSIGN_OR_RETURN(const int published, core_.PublishDueArticles());
  if (published > 0) Logger()->info("scheduler: published {} scheduled article(s)", published);
  ASSIGN_OR_RETURN(const std::optional<absl::Time> next, store_.NextScheduledTime());
  if (!next.has_value()) return options_.max_wait;
  return std::clamp(*next - options_.clock(), absl::ZeroDuration(), options_.max_wait);
}

void Scheduler::Loop() {
  for (;;) {
    absl::StatusOr<absl::Duration> wait = RunOnce();
    if (!wait.ok()) {
      Logger()->warn("scheduler: {}; retrying", wait.status().ToString());
      wait = options_.retry;
    }
    absl::MutexLock lock(&mu_);
    // Round up: waking a moment early would find nothing due and spin.
    mu_.AwaitWithTimeout(absl::Condition(this, &Scheduler::Woken), *wait + absl::Milliseconds(1));
    if (stop_) return;
    wake_ = false;
  }
}

}  // namespace bulletin::content
