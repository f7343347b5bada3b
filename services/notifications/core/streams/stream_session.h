// One Subscribe stream: replays the subscription's backlog in pages on the worker pool
// (paced by the client), joins the live fan-out once caught up, filters, deduplicates and
// hands messages to the transport one write at a time. A live stream whose queue overflows
// ends with RESOURCE_EXHAUSTED. The writer is called outside the session's lock, never with
// two writes in flight, and EndStream exactly once with no write in flight. Thread-safe.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "common/base/worker_pool.h"
#include "services/notifications/core/streams/event_hub.h"
#include "services/notifications/core/subscriptions/subscription.h"

namespace bulletin::notify {

// The event ids a process's streams saw lately, each with the first stream id it came at,
// shared by the sessions, so the memory is one window per process, not one per stream
// (with 500 streams a window each held ~150 MB after 1,500 events). The content relay
// re-sends recent events after a Redis restart under new stream ids; an entry is a copy for
// a session when its event id first came at an id the session has passed. Keeps the last
// `window` ids. Thread-safe.
class EventDedupe {
 public:
  explicit EventDedupe(size_t window) : window_(window) {}
  // The smallest stream id `event_id` is known at, `id` included (recorded when it is new).
  StreamId FirstSeen(const std::string& event_id, const StreamId& id) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const size_t window_;
  absl::Mutex mu_;
  std::unordered_map<std::string, StreamId> first_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> order_ ABSL_GUARDED_BY(mu_);  // oldest first
};

// A message for the client: an event or a heartbeat, with its resume token.
struct OutMessage {
  std::shared_ptr<const events::v1::ArticleEvent> event;  // null for a heartbeat
  StreamId pos;                                           // what resume_token encodes
  absl::Time send_time;                                   // heartbeats
  bool final = false;                                     // the last heartbeat
};

// Implemented by the transport (the gRPC adapter).
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  // Starts sending `msg`; the transport then calls StreamSession::OnWriteDone.
  virtual void WriteMessage(const OutMessage& msg) = 0;
  // Ends the stream with `status`. Nothing is called after it.
  virtual void EndStream(const absl::Status& status) = 0;
};

struct SessionOptions {
  size_t queue_limit = 1000;
  absl::Duration heartbeat_interval = absl::Seconds(15);
  int page_size = 100;
  size_t dedupe_window = 10000;  // event ids remembered (by `dedupe` when set)
  // Shared by the sessions of one process (StreamManager sets it); null: the session keeps
  // a window of its own.
  std::shared_ptr<EventDedupe> dedupe;
};

class StreamSession : public EventHub::Listener,
                      public std::enable_shared_from_this<StreamSession> {
 public:
  // Streams `sub`'s events after `start`. `writer`, `log`, `hub` and `pool` must outlive
  // the session's activity (the writer until EndStream).
  StreamSession(Subscription sub, StreamId start, SessionOptions options, StreamWriter& writer,
                EventLog& log, EventHub& hub, WorkerPool& pool);

  const std::string& subscription_id() const { return sub_.id; }

  // Called once, just before the transport is told the stream ended (the manager frees the
  // caller's stream slot). Set before Start().
  void SetOnFinished(std::function<void()> on_finished) { on_finished_ = std::move(on_finished); }

  void Start();
  // The transport finished the last WriteMessage; ok=false: the client is gone.
  void OnWriteDone(bool ok);
  // The client cancelled.
  void Cancel();
  // Ends the stream with `status` (after a final heartbeat when `final_heartbeat`).
  void End(const absl::Status& status, bool final_heartbeat);
  // Heartbeats and retries; called periodically by the StreamManager.
  void Tick(absl::Time now);
  // The newest position the client has received, when it moved since MarkFlushed.
  std::optional<StreamId> CursorToFlush();
  void MarkFlushed(const StreamId& pos);
  bool finished();

  // EventHub::Listener
  bool OnEntries(const std::vector<StreamEntry>& entries) override;
  bool ReadyToJoin(const StreamId& hub_position) override;

 private:
  enum class Mode { kReplay, kLive, kEnding, kFinished };
  struct Action {
    std::optional<OutMessage> write;
    std::optional<absl::Status> end;
  };

  void ReplayStep();
  void ScheduleStep() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Scans one entry: advances pos_, queues it when it matches and is new. False when the
  // queue is over its limit and `strict`.
  bool Accept(const StreamEntry& entry, bool strict) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EndLocked(const absl::Status& status, bool final_heartbeat)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Action Next() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Run(Action action);
  void LeaveHub();

  const Subscription sub_;
  const SessionOptions options_;
  StreamWriter& writer_;
  EventLog& log_;
  EventHub& hub_;
  WorkerPool& pool_;
  std::function<void()> on_finished_;

  absl::Mutex mu_;
  Mode mode_ ABSL_GUARDED_BY(mu_) = Mode::kReplay;
  StreamId pos_ ABSL_GUARDED_BY(mu_);         // last entry scanned
  StreamId handed_pos_ ABSL_GUARDED_BY(mu_);  // pos of the last message given to the writer
  StreamId in_flight_pos_ ABSL_GUARDED_BY(mu_);
  StreamId written_pos_ ABSL_GUARDED_BY(mu_);  // pos of the last message written
  StreamId flushed_pos_ ABSL_GUARDED_BY(mu_);
  std::deque<OutMessage> queue_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status end_status_ ABSL_GUARDED_BY(mu_);
  bool step_running_ ABSL_GUARDED_BY(mu_) = false;
  bool paused_ ABSL_GUARDED_BY(mu_) = false;  // replay waits for the client to drain
  std::optional<absl::Time> retry_at_ ABSL_GUARDED_BY(mu_);
  bool last_page_empty_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<StreamId> refused_at_ ABSL_GUARDED_BY(mu_);  // hub position of a failed join
  bool asked_ ABSL_GUARDED_BY(mu_) = false;                  // the hub consulted ReadyToJoin
  absl::Time next_heartbeat_ ABSL_GUARDED_BY(mu_);
  const StreamId start_;  // the session streams entries after it
  const std::shared_ptr<EventDedupe> dedupe_;
};

}  // namespace bulletin::notify
