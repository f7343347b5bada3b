// Group commit and the outage buffer between AnalyticsCore and the ViewStore. Submit()
// queues validated views; `workers` threads each send what is queued (up to `max_batch`
// views, lingering up to `max_delay` for more) as one Record() call, after resolving each
// visitor (the frontend's visitor_id, else an HMAC-SHA256 of the canonical address and
// user agent keyed with the day's salt), and answer each submission with its own results.
// While the store is UNAVAILABLE, views wait in a bounded buffer (answered provisionally,
// queued = true) that is drained in order when it is back; what does not fit is refused
// with UNAVAILABLE. With a `spill_file`, each buffered view gets a request id and is
// appended to the file (synced) before it is answered, so the next Start() replays it
// even after a SIGKILL (views the store had already counted are then duplicates, not
// counted twice); Stop() rewrites the file with what is left, and it is removed once the
// buffer is empty. Thread-safe; callbacks run on a batcher thread (or inline for a
// refusal) and must not block.
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/analytics/core/view_store.h"

namespace bulletin::analytics {

struct BatcherOptions {
  size_t max_batch = 512;
  absl::Duration max_delay = absl::ZeroDuration();
  size_t buffer_limit = 100000;  // views held while the store is unreachable
  std::string spill_file;        // empty: buffered views are lost at Stop() or a crash
  absl::Duration retry_interval = absl::Milliseconds(500);
  int workers = 2;  // batches in flight at once
  // Give every view without a request_id one of its own, so that a batch whose answer
  // was lost (the store died after running it) and is replayed cannot count it twice.
  // Needed when there is no count window to catch the replay (--count-window=0).
  bool request_ids_for_all = false;
};

class ViewBatcher {
 public:
  using Clock = std::function<absl::Time()>;
  using Done = std::function<void(absl::StatusOr<std::vector<RecordResult>>)>;

  // `store` must outlive the batcher.
  ViewBatcher(ViewStore& store, BatcherOptions options, Clock clock = absl::Now);
  ~ViewBatcher();  // Stop()

  // Replays the spill file (if any) into the buffer and starts the threads.
  // INVALID_ARGUMENT naming --spill-file when it exists but cannot be read; UNAVAILABLE
  // when it cannot be rewritten.
  absl::Status Start();

  // Queues `views`; `done` gets one result per view, in order, or UNAVAILABLE when the
  // buffer is full, or the store's error.
  void Submit(std::vector<QueuedView> views, Done done);

  // Records what is queued, flushes the buffer if the store answers, spills the rest.
  // Idempotent.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

  size_t buffered() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Submission {
    std::vector<QueuedView> views;
    Done done;
  };

  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  // Waits (up to max_delay) for a full batch; false when another worker took the queue.
  bool Linger() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // After the threads stopped: flushes the buffer if it can, spills the rest.
  void Drain() ABSL_LOCKS_EXCLUDED(mu_);
  // Sends `batch` (n views in all) and answers each submission.
  void SendBatch(std::vector<Submission> batch, size_t n) ABSL_LOCKS_EXCLUDED(mu_);
  // Sends `views` to the store (resolving visitors first).
  absl::StatusOr<std::vector<RecordResult>> Send(const std::vector<QueuedView>& views);
  // Tries to send the oldest buffered views; false when the store is still down.
  bool FlushBufferOnce() ABSL_LOCKS_EXCLUDED(mu_);
  // Moves `batch` into the buffer and answers each with provisional results.
  void Buffer(std::vector<Submission> batch) ABSL_LOCKS_EXCLUDED(mu_);
  void Remember(const std::vector<RecordResult>& results) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Rewrites the spill file with the buffer (removes it when the buffer is empty).
  void WriteSpill() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) ABSL_LOCKS_EXCLUDED(spill_mu_);

  ViewStore& store_;
  const BatcherOptions options_;
  const Clock clock_;

  mutable absl::Mutex mu_;
  absl::CondVar cv_;
  std::deque<Submission> queue_ ABSL_GUARDED_BY(mu_);
  size_t queued_views_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<QueuedView> buffer_ ABSL_GUARDED_BY(mu_);
  absl::Time next_retry_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  // Last totals the store reported per article, and the provisionally counted views of each
  // article in the buffer: what a queued view answers.
  std::unordered_map<std::string, Totals> known_ ABSL_GUARDED_BY(mu_);
  std::unordered_map<std::string, int64_t> pending_ ABSL_GUARDED_BY(mu_);
  bool flushing_ ABSL_GUARDED_BY(mu_) = false;  // a worker is draining the buffer
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool started_ = false;
  std::vector<std::thread> threads_;
  // Orders the writes of the spill file (appends from Buffer, rewrites, removal).
  absl::Mutex spill_mu_ ABSL_ACQUIRED_AFTER(mu_);
};

}  // namespace bulletin::analytics
