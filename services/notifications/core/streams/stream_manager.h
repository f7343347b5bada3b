// Subscribe streams of this process: opening them (access, state, resume position,
// retention check), the shared EventHub, and a ticker thread that sends heartbeats,
// retries and coalesces cursor writes (at most every cursor_flush_interval, and when a
// stream ends). Shutdown() sends every stream a final heartbeat and ends it with
// UNAVAILABLE. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "common/base/worker_pool.h"
#include "services/notifications/core/streams/event_hub.h"
#include "services/notifications/core/streams/resume_token.h"
#include "services/notifications/core/streams/stream_session.h"
#include "services/notifications/core/subscriptions/subscription_core.h"

namespace bulletin::notify {

struct StreamOptions {
  absl::Duration heartbeat_interval = absl::Seconds(15);  // --heartbeat-interval
  size_t queue_limit = 1000;                              // --stream-queue-limit
  absl::Duration cursor_flush_interval = absl::Milliseconds(100);
  int replay_threads = 2;
  // --max-streams-per-partner: Subscribe streams one partner (QuotaKey) may have open on
  // this process at once; 0: no limit.
  int max_streams_per_partner = 100;
};

class StreamQuota;  // stream_manager.cc

class StreamManager {
 public:
  // `subscriptions`, `store` and `log` must outlive the manager.
  StreamManager(SubscriptionCore& subscriptions, SubscriptionStore& store, EventLog& log,
                StreamOptions options);
  ~StreamManager();

  // Starts the tailer and the ticker. `on_health` is told whether the log is readable.
  void Start(std::function<void(bool)> on_health = nullptr);

  // Checks a Subscribe call and returns its session (not started: the caller keeps it,
  // then calls Start()); `writer` must outlive the session's activity (until EndStream).
  // Blocking (store and log): call from a worker thread. Start position:
  // after `resume_token`, else after the subscription's stored cursor.
  // Errors: UNAUTHENTICATED, PERMISSION_DENIED, INVALID_ARGUMENT (subscription_id;
  // resume_token malformed, out of range, or after the stream's newest entry or the clock:
  // CheckNotAhead), NOT_FOUND, FAILED_PRECONDITION (PAUSED or DISABLED), RESOURCE_EXHAUSTED
  // (the caller has max_streams_per_partner streams open here already), OUT_OF_RANGE
  // (events after the position were trimmed away; the message names the oldest token),
  // UNAVAILABLE (store or log unreachable, or shutting down).
  absl::StatusOr<std::shared_ptr<StreamSession>> Open(const Caller& caller,
                                                      const std::string& subscription_id,
                                                      const std::string& resume_token,
                                                      StreamWriter& writer);

  // Streams `caller` has open on this process (what max_streams_per_partner bounds).
  int open_streams(const Principal& caller) const;

  // Streams that follow the live feed (caught up with the event stream); a stream still
  // replaying its backlog is paced by its reader instead of cut off when it is slow.
  size_t live_sessions() const { return hub_.listeners(); }

  // Ends this process's open streams of a deleted subscription with NOT_FOUND.
  void EndSubscription(const std::string& subscription_id);

  // Final heartbeat + UNAVAILABLE to every open stream; later Opens are UNAVAILABLE.
  void Shutdown();
  // Stops the threads after writing the last cursors. Call after the server drained.
  void Stop();

 private:
  void RunTicker();
  void FlushCursors(bool all_finished_too);
  std::vector<std::shared_ptr<StreamSession>> Snapshot();

  SubscriptionCore& subscriptions_;
  SubscriptionStore& store_;
  EventLog& log_;
  const StreamOptions options_;
  EventHub hub_;
  WorkerPool pool_;
  const std::shared_ptr<EventDedupe> dedupe_;  // one window of event ids for every stream
  std::thread ticker_;

  absl::Mutex mu_;
  std::map<StreamSession*, std::shared_ptr<StreamSession>> sessions_ ABSL_GUARDED_BY(mu_);
  // Open streams per QuotaKey; shared with the sessions, which may end after the manager.
  const std::shared_ptr<StreamQuota> quota_;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::function<void(bool)> on_health_;
};

}  // namespace bulletin::notify
