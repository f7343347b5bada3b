#include "services/notifications/core/streams/stream_session.h"

#include "absl/strings/str_cat.h"
#include "services/notifications/core/subscriptions/event_filter.h"

namespace bulletin::notify {
namespace {

constexpr absl::Duration kRetryDelay = absl::Milliseconds(100);

}  // namespace

StreamSession::StreamSession(Subscription sub, StreamId start, SessionOptions options,
                             StreamWriter& writer, EventLog& log, EventHub& hub, WorkerPool& pool)
    : sub_(std::move(sub)),
      options_(options),
      writer_(writer),
      log_(log),
      hub_(hub),
      pool_(pool),
      pos_(start),
      handed_pos_(start),
      written_pos_(start),
      flushed_pos_(start),
      start_(start),
      dedupe_(options.dedupe ? options.dedupe
                             : std::make_shared<EventDedupe>(options.dedupe_window)) {}

StreamId EventDedupe::FirstSeen(const std::string& event_id, const StreamId& id) {
  absl::MutexLock lock(&mu_);
  auto [it, added] = first_.emplace(event_id, id);
  if (added) {
    order_.push_back(event_id);
    if (order_.size() > window_) {
      first_.erase(order_.front());
      order_.pop_front();
    }
    return id;
  }
  if (id < it->second) it->second = id;  // a replay reached the original after its copy
  return it->second;
}

void StreamSession::Start() {
  absl::MutexLock lock(&mu_);
  next_heartbeat_ = absl::Now() + options_.heartbeat_interval;
  ScheduleStep();
}

void StreamSession::ScheduleStep() {
  if (mode_ != Mode::kReplay || step_running_) return;
  step_running_ = true;
  paused_ = false;
  std::shared_ptr<StreamSession> self = shared_from_this();
  if (!pool_.TrySubmit([self] { self->ReplayStep(); })) {
    step_running_ = false;
    retry_at_ = absl::Now() + kRetryDelay;
  }
}

void StreamSession::ReplayStep() {
  StreamId from;
  {
    absl::MutexLock lock(&mu_);
    if (mode_ != Mode::kReplay) {
      step_running_ = false;
      return;
    }
    from = pos_;
  }
  absl::StatusOr<std::vector<StreamEntry>> entries = log_.ReadAfter(from, options_.page_size);
  bool try_join = false;
  Action action;
  {
    absl::MutexLock lock(&mu_);
    step_running_ = false;
    if (mode_ != Mode::kReplay) return;
    if (!entries.ok()) {
      EndLocked(absl::UnavailableError(
                    absl::StrCat("reading the event stream: ", entries.status().message(),
                                 "; reconnect with the last resume token")),
                false);
    } else {
      for (const StreamEntry& e : *entries) Accept(e, /*strict=*/false);
      last_page_empty_ = entries->empty();
      if (static_cast<int>(entries->size()) < options_.page_size) {
        try_join = true;
        asked_ = false;
      } else if (queue_.size() < options_.queue_limit) {
        ScheduleStep();
      } else {
        paused_ = true;  // OnWriteDone resumes once the client has read half the queue
      }
    }
    action = Next();
  }
  Run(std::move(action));
  if (!try_join || hub_.JoinIfCaughtUp(shared_from_this())) return;
  absl::MutexLock lock(&mu_);
  if (asked_) {
    ScheduleStep();  // the hub is ahead: read the entries in between
  } else if (mode_ == Mode::kReplay) {
    retry_at_ = absl::Now() + kRetryDelay;  // the hub does not know its position yet
  }
}

bool StreamSession::ReadyToJoin(const StreamId& hub_position) {
  absl::MutexLock lock(&mu_);
  asked_ = true;
  if (mode_ != Mode::kReplay) return false;
  if (pos_ >= hub_position) {
    mode_ = Mode::kLive;
    return true;
  }
  if (last_page_empty_ && refused_at_ == hub_position) {
    // Read to the end after the hub had passed hub_position and found nothing: the ids
    // up to it were deleted, not missed.
    pos_ = hub_position;
    mode_ = Mode::kLive;
    return true;
  }
  refused_at_ = hub_position;
  return false;
}

bool StreamSession::Accept(const StreamEntry& entry, bool strict) {
  if (entry.id <= pos_) return true;  // read already during the replay
  pos_ = entry.id;
  if (!entry.event || !Matches(sub_.filter, *entry.event)) return true;
  const std::string& event_id = entry.event->event_id();
  if (!event_id.empty()) {
    // The content relay re-sends recent events after a Redis restart; send each once: a
    // copy of an event first seen at an entry this session has passed is dropped.
    const StreamId first = dedupe_->FirstSeen(event_id, entry.id);
    if (first < entry.id && start_ < first) return true;
  }
  if (strict && queue_.size() >= options_.queue_limit) return false;
  queue_.push_back(OutMessage{entry.event, entry.id, absl::Time(), false});
  return true;
}

bool StreamSession::OnEntries(const std::vector<StreamEntry>& entries) {
  Action action;
  bool keep = true;
  {
    absl::MutexLock lock(&mu_);
    if (mode_ != Mode::kLive) return false;
    for (const StreamEntry& e : entries) {
      if (!Accept(e, /*strict=*/true)) {
        EndLocked(absl::ResourceExhaustedError(
                      absl::StrCat("the client reads too slowly: more than ", options_.queue_limit,
                                   " events waiting; reconnect with the last resume token")),
                  false);
        keep = false;
        break;
      }
    }
    action = Next();
  }
  Run(std::move(action));
  return keep;
}

void StreamSession::OnWriteDone(bool ok) {
  Action action;
  bool leave = false;
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (ok) {
      written_pos_ = std::max(written_pos_, in_flight_pos_);
    } else if (mode_ == Mode::kReplay || mode_ == Mode::kLive) {
      EndLocked(absl::CancelledError("the client stopped reading"), false);
      leave = true;
    } else {
      queue_.clear();  // the client is gone: nothing more can reach it
    }
    if (paused_ && queue_.size() <= options_.queue_limit / 2) ScheduleStep();
    action = Next();
  }
  if (leave) LeaveHub();
  Run(std::move(action));
}

void StreamSession::Cancel() { End(absl::CancelledError("the client cancelled"), false); }

void StreamSession::End(const absl::Status& status, bool final_heartbeat) {
  Action action;
  {
    absl::MutexLock lock(&mu_);
    EndLocked(status, final_heartbeat);
    action = Next();
  }
  LeaveHub();
  Run(std::move(action));
}

void StreamSession::EndLocked(const absl::Status& status, bool final_heartbeat) {
  if (mode_ == Mode::kEnding || mode_ == Mode::kFinished) return;
  // With messages still queued, only what was handed to the writer is known sent.
  StreamId safe = queue_.empty() ? pos_ : handed_pos_;
  queue_.clear();
  mode_ = Mode::kEnding;
  end_status_ = status;
  paused_ = false;
  retry_at_.reset();
  if (final_heartbeat) queue_.push_back(OutMessage{nullptr, safe, absl::Now(), true});
}

void StreamSession::Tick(absl::Time now) {
  Action action;
  {
    absl::MutexLock lock(&mu_);
    if (retry_at_ && now >= *retry_at_) {
      retry_at_.reset();
      ScheduleStep();
    }
    if ((mode_ == Mode::kReplay || mode_ == Mode::kLive) && now >= next_heartbeat_) {
      next_heartbeat_ = now + options_.heartbeat_interval;
      // A backed-up stream is not idle; its events carry tokens already.
      if (queue_.empty()) queue_.push_back(OutMessage{nullptr, pos_, now, false});
    }
    action = Next();
  }
  Run(std::move(action));
}

StreamSession::Action StreamSession::Next() {
  Action action;
  if (mode_ == Mode::kFinished || writing_) return action;
  if (!queue_.empty()) {
    action.write = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    in_flight_pos_ = handed_pos_ = std::max(handed_pos_, action.write->pos);
    return action;
  }
  if (mode_ == Mode::kEnding) {
    mode_ = Mode::kFinished;
    action.end = end_status_;
  }
  return action;
}

void StreamSession::Run(Action action) {
  if (action.write) writer_.WriteMessage(*action.write);
  if (action.end) {
    // Before EndStream: once the transport has ended the call, this session may be gone.
    if (on_finished_) on_finished_();
    writer_.EndStream(*action.end);
  }
}

void StreamSession::LeaveHub() { hub_.Leave(shared_from_this()); }

std::optional<StreamId> StreamSession::CursorToFlush() {
  absl::MutexLock lock(&mu_);
  if (written_pos_ > flushed_pos_) return written_pos_;
  return std::nullopt;
}

void StreamSession::MarkFlushed(const StreamId& pos) {
  absl::MutexLock lock(&mu_);
  flushed_pos_ = std::max(flushed_pos_, pos);
}

bool StreamSession::finished() {
  absl::MutexLock lock(&mu_);
  return mode_ == Mode::kFinished;
}

}  // namespace bulletin::notify
