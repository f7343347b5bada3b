// Group commit and the outage buffer between the core and the ViewStore.
//
// RPCs Submit() validated views; `workers` batcher threads each take everything queued
// (up to `max_batch` views, optionally lingering `max_delay` for more), resolve visitors,
// send the batch to the store in one pipelined round trip, and call each submission's
// callback with its own results. While batches are in Redis, the next ones gather, so
// batches grow with load (natural group commit); several in flight keep Redis and the
// gRPC threads busy at once. Concurrent batches are safe: the count window and request
// dedupe are atomic in Redis.
//
// When the store is UNAVAILABLE the views move to a bounded buffer and the callbacks get
// provisional results (queued = true; totals = last known + queued views). While the
// buffer holds views, new views join it; one worker at a time retries every
// `retry_interval` and drains it in order when Redis is back (the other workers wait
// meanwhile, so new views cannot outpace the drain). A submission that does not fit is
// refused with UNAVAILABLE. Stop() flushes what it can and writes the rest to `spill_file`, which
// Start() reads back (and removes) to replay at the next start.
//
// Thread-safe. Callbacks run on a batcher thread (or inline for a refusal) and must
// not block.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/analytics/core/view_store.h"

namespace bulletin::analytics {

struct BatcherOptions {
  size_t max_batch = 512;
  absl::Duration max_delay = absl::ZeroDuration();
  size_t buffer_limit = 100000;  // views held while Redis is unreachable
  std::string spill_file;        // empty: views still buffered at Stop() are lost
  absl::Duration retry_interval = absl::Milliseconds(500);
  int workers = 2;  // batches in flight at once
  // Give every view without a request_id one of its own, so that a batch whose answer
  // was lost (Redis died after running it) and is replayed cannot count it twice. Needed
  // when there is no count window to catch the replay (--count-window=0): a marker per
  // view costs Redis about as much as the window's.
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
  // INVALID_ARGUMENT naming --spill-file when it exists but cannot be read.
  absl::Status Start();

  // Queues `views`; `done` gets one result per view, in order, or UNAVAILABLE when the
  // buffer is full, or the store's error.
  void Submit(std::vector<QueuedView> views, Done done);

  // Records what is queued, flushes the buffer if Redis answers, spills the rest.
  // Idempotent.
  void Stop();

  size_t buffered() const;

 private:
  struct Submission {
    std::vector<QueuedView> views;
    Done done;
  };

  void Run();
  // After the threads stopped: flushes the buffer if it can, spills the rest.
  void Drain();
  // Sends `batch` (n views in all) and answers each submission.
  void SendBatch(std::vector<Submission> batch, size_t n);
  // Sends `views` to the store (resolving visitors first).
  // `replay`: the views come from the outage buffer (see ResolvedView::replay).
  absl::StatusOr<std::vector<RecordResult>> Send(const std::vector<QueuedView>& views, bool replay);
  // Tries to send the oldest buffered views; false when the store is still down.
  bool FlushBufferOnce();
  // Moves `batch` into the buffer and answers each with provisional results.
  void Buffer(std::vector<Submission> batch) ABSL_LOCKS_EXCLUDED(mu_);
  void Remember(const std::vector<RecordResult>& results) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status LoadSpill();
  void WriteSpill() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  ViewStore& store_;
  const BatcherOptions options_;
  const Clock clock_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Submission> queue_ ABSL_GUARDED_BY(mu_);
  size_t queued_views_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<QueuedView> buffer_ ABSL_GUARDED_BY(mu_);
  absl::Time next_retry_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  // Last totals Redis reported per article, and the provisionally counted views of each
  // article in the buffer: what a queued view answers.
  std::unordered_map<std::string, Totals> known_ ABSL_GUARDED_BY(mu_);
  std::unordered_map<std::string, int64_t> pending_ ABSL_GUARDED_BY(mu_);
  bool flushing_ ABSL_GUARDED_BY(mu_) = false;  // a worker is draining the buffer
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool started_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace bulletin::analytics
