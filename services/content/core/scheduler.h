// The scheduler: a background thread that publishes SCHEDULED articles when their
// publish_time arrives, through ContentCore::PublishDueArticles (which emits the
// PUBLISHED event then). On start it publishes what became due while the service was
// down, then sleeps until the next due time (read from the store), woken early by Notify()
// when an article is (re)scheduled. The wait is capped (`max_wait`) so that a schedule
// written by another process is noticed too. Thread-safe.
#pragma once

#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/content/core/article_store.h"
#include "services/content/core/content_core.h"

namespace bulletin::content {

struct SchedulerOptions {
  absl::Duration max_wait = absl::Seconds(30);
  absl::Duration retry = absl::Seconds(1);  // after a store error
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

class Scheduler {
 public:
  // `core` and `store` must outlive the scheduler.
  Scheduler(ContentCore& core, ArticleStore& store, SchedulerOptions options);
  ~Scheduler();  // Stop()s
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void Start();
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);  // idempotent
  void Notify() ABSL_LOCKS_EXCLUDED(mu_);

  // One step on the calling thread: publishes what is due and returns how long to wait
  // before the next step.
  absl::StatusOr<absl::Duration> RunOnce();

 private:
  void Loop() ABSL_LOCKS_EXCLUDED(mu_);
  bool Woken() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_ || wake_; }

  ContentCore& core_;
  ArticleStore& store_;
  const SchedulerOptions options_;
  absl::Mutex mu_;
  bool wake_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace bulletin::content
