#include "services/content/core/scheduler.h"

#include <algorithm>

#include "common/base/log.h"

namespace bulletin::content {

Scheduler::Scheduler(ContentCore* core, ArticleStore* store, SchedulerOptions options)
    : core_(core), store_(store), options_(std::move(options)) {}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void Scheduler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Scheduler::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

absl::StatusOr<absl::Duration> Scheduler::RunOnce() {
  absl::StatusOr<int> published = core_->PublishDueArticles();
  if (!published.ok()) return published.status();
  if (*published > 0) Logger()->info("scheduler: published {} scheduled article(s)", *published);
  absl::StatusOr<std::optional<absl::Time>> next = store_->NextScheduledTime();
  if (!next.ok()) return next.status();
  if (!next->has_value()) return options_.max_wait;
  return std::clamp(**next - options_.clock(), absl::ZeroDuration(), options_.max_wait);
}

void Scheduler::Loop() {
  for (;;) {
    absl::StatusOr<absl::Duration> wait = RunOnce();
    if (!wait.ok()) {
      Logger()->warn("scheduler: {}; retrying", wait.status().ToString());
      wait = options_.retry;
    }
    std::unique_lock<std::mutex> lock(mu_);
    // Round up: waking a moment early would find nothing due and spin.
    cv_.wait_for(lock, absl::ToChronoMicroseconds(*wait + absl::Milliseconds(1)),
                 [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return stop_ || wake_; });
    if (stop_) return;
    wake_ = false;
  }
}

}  // namespace bulletin::content
