// A fixed set of threads running queued jobs, with a bounded queue.
//
// gRPC callback handlers must not block, so they hand blocking work (SQL, Redis) to a
// WorkerPool and finish their reactor from the job. TrySubmit refuses work when the
// queue is full instead of growing without bound. Thread-safe. The destructor runs the
// jobs already queued, then joins the threads.
#pragma once

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace bulletin {

class WorkerPool {
 public:
  WorkerPool(int threads, size_t max_queue);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `job`. Returns false (and drops the job) when the queue is full or the pool
  // is stopping.
  bool TrySubmit(std::function<void()> job) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);

  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  const size_t max_queue_;
  std::vector<std::thread> threads_;
};

}  // namespace bulletin
