// A fixed set of threads running queued jobs, with a bounded queue.
//
// gRPC callback handlers must not block, so they hand blocking work (SQL, Redis) to a
// WorkerPool and finish their reactor from the job. TrySubmit refuses work when the
// queue is full instead of growing without bound. Thread-safe. The destructor runs the
// jobs already queued, then joins the threads.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace bulletin {

class WorkerPool {
 public:
  WorkerPool(int threads, size_t max_queue);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `job`. Returns false (and drops the job) when the queue is full or the pool
  // is stopping.
  bool TrySubmit(std::function<void()> job);

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  const size_t max_queue_;
  std::vector<std::thread> threads_;
};

}  // namespace bulletin
