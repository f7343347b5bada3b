#include "services/notifications/core/streams/stream_manager.h"

#include "absl/strings/str_cat.h"
#include "common/base/log.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"

namespace bulletin::notify {
namespace {

absl::Duration TickInterval(absl::Duration heartbeat) {
  return std::clamp(heartbeat / 4, absl::Milliseconds(10), absl::Milliseconds(100));
}

}  // namespace

// Open streams per QuotaKey, bounded by max_streams_per_partner (0: unbounded).
class StreamQuota {
 public:
  explicit StreamQuota(int max) : max_(max) {}

  // RESOURCE_EXHAUSTED when `key` is at its quota.
  absl::Status Check(const std::string& key) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return CheckLocked(key);
  }
  // Check, then count one more stream of `key`.
  absl::Status Acquire(const std::string& key) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(CheckLocked(key));
    ++open_[key];
    return absl::OkStatus();
  }
  void Release(const std::string& key) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    auto it = open_.find(key);
    if (it != open_.end() && --it->second <= 0) open_.erase(it);
  }
  int Count(const std::string& key) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    auto it = open_.find(key);
    return it == open_.end() ? 0 : it->second;
  }

 private:
  absl::Status CheckLocked(const std::string& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto it = open_.find(key);
    if (max_ <= 0 || it == open_.end() || it->second < max_) return absl::OkStatus();
    return absl::ResourceExhaustedError(
        absl::StrCat(Excerpt(key), " has ", it->second,
                     " Subscribe streams open on this server, its quota: close one first"));
  }

  const int max_;
  absl::Mutex mu_;
  std::map<std::string, int> open_ ABSL_GUARDED_BY(mu_);  // erased at zero
};

StreamManager::StreamManager(SubscriptionCore& subscriptions, SubscriptionStore& store,
                             EventLog& log, StreamOptions options)
    : subscriptions_(subscriptions),
      store_(store),
      log_(log),
      options_(options),
      hub_(log_,
           [this](bool healthy) {
             if (on_health_) on_health_(healthy);
           }),
      pool_(options.replay_threads, 4096),
      dedupe_(std::make_shared<EventDedupe>(SessionOptions().dedupe_window)),
      quota_(std::make_shared<StreamQuota>(options.max_streams_per_partner)) {}

StreamManager::~StreamManager() { Stop(); }

void StreamManager::Start(std::function<void(bool)> on_health) {
  on_health_ = std::move(on_health);
  hub_.Start();
  ticker_ = std::thread([this] { RunTicker(); });
}

absl::StatusOr<std::shared_ptr<StreamSession>> StreamManager::Open(
    const Caller& caller, const std::string& subscription_id, const std::string& resume_token,
    StreamWriter& writer) {
  {
    absl::MutexLock lock(&mu_);
    if (shutting_down_) {
      return absl::UnavailableError("the server is shutting down; reconnect to another replica");
    }
  }
  // Checked again when the stream is admitted; this spares the reads to a caller at its quota.
  if (caller) RETURN_IF_ERROR(quota_->Check(QuotaKey(*caller)));
  ASSIGN_OR_RETURN(Subscription sub,
                   subscriptions_.Get(caller, subscription_id, "subscription_id"));
  if (sub.state != SubscriptionState::kActive) {
    return absl::FailedPreconditionError(
        absl::StrCat("subscription \"", Excerpt(sub.id), "\" is ",
                     sub.state == SubscriptionState::kPaused ? "PAUSED" : "DISABLED",
                     sub.state_reason.empty() ? "" : " (" + sub.state_reason + ")",
                     ": resume it with ResumeSubscription first"));
  }
  StreamId start;
  if (!resume_token.empty()) {
    ASSIGN_OR_RETURN(start, DecodeResumeToken(resume_token, "resume_token"));
  } else {
    ASSIGN_OR_RETURN(start, store_.GetCursor(sub.id));
  }
  ASSIGN_OR_RETURN(StreamBounds bounds, log_.Bounds());
  if (!resume_token.empty()) {
    // A token from the future would skip every event up to its position.
    RETURN_IF_ERROR(CheckNotAhead(start, bounds.last_generated, absl::Now(), "resume_token"));
  }
  bool start_exists = false;
  if (bounds.exists && bounds.length > 0 && bounds.first_entry > start) {
    ASSIGN_OR_RETURN(start_exists, log_.Contains(start));
  }
  if (std::optional<StreamId> oldest = TrimmedPast(bounds, start, start_exists)) {
    std::string oldest_token = EncodeResumeToken(*oldest);
    if (!resume_token.empty()) {
      return absl::OutOfRangeError(absl::StrCat(
          "resume_token is older than the event stream's retention: events after it were "
          "trimmed away; the oldest available point is resume_token \"",
          oldest_token, "\""));
    }
    return absl::OutOfRangeError(absl::StrCat(
        "this subscription's last position is older than the event stream's retention: events "
        "after it were trimmed away; reconnect with resume_token \"",
        oldest_token, "\" to continue from the oldest available event"));
  }
  SessionOptions session_options;
  session_options.dedupe = dedupe_;
  session_options.queue_limit = options_.queue_limit;
  session_options.heartbeat_interval = options_.heartbeat_interval;
  auto session = std::make_shared<StreamSession>(std::move(sub), start, session_options, writer,
                                                 log_, hub_, pool_);
  const std::string key = QuotaKey(*caller);  // Get() above refused an anonymous caller
  RETURN_IF_ERROR(quota_->Acquire(key));
  session->SetOnFinished([quota = quota_, key] { quota->Release(key); });
  absl::MutexLock lock(&mu_);
  if (shutting_down_) {
    quota_->Release(key);
    return absl::UnavailableError("the server is shutting down; reconnect to another replica");
  }
  sessions_[session.get()] = session;
  Logger()->debug("stream of subscription {} opened after {}", subscription_id, start.ToString());
  return session;
}

int StreamManager::open_streams(const Principal& caller) const {
  return quota_->Count(QuotaKey(caller));
}

void StreamManager::EndSubscription(const std::string& subscription_id) {
  for (const std::shared_ptr<StreamSession>& s : Snapshot()) {
    if (s->subscription_id() == subscription_id) {
      s->End(absl::NotFoundError(
                 absl::StrCat("subscription \"", Excerpt(subscription_id), "\" was deleted")),
             false);
    }
  }
}

void StreamManager::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    shutting_down_ = true;
  }
  for (const std::shared_ptr<StreamSession>& s : Snapshot()) {
    s->End(
        absl::UnavailableError("the server is shutting down; reconnect with the last resume token"),
        /*final_heartbeat=*/true);
  }
}

void StreamManager::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (ticker_.joinable()) ticker_.join();
  hub_.Stop();
  FlushCursors(true);
}

std::vector<std::shared_ptr<StreamSession>> StreamManager::Snapshot() {
  absl::MutexLock lock(&mu_);
  std::vector<std::shared_ptr<StreamSession>> out;
  out.reserve(sessions_.size());
  for (const auto& [key, s] : sessions_) out.push_back(s);
  return out;
}

void StreamManager::FlushCursors(bool all_finished_too) {
  struct Pending {
    std::shared_ptr<StreamSession> session;
    bool finished;
    std::optional<StreamId> pos;
  };
  std::vector<Pending> pending;
  std::vector<std::pair<std::string, StreamId>> cursors;
  for (std::shared_ptr<StreamSession>& s : Snapshot()) {
    // Read finished() first: a session that finished has no write pending, so the
    // cursor taken after it is its last.
    bool finished = s->finished();
    std::optional<StreamId> pos = s->CursorToFlush();
    if (pos) cursors.emplace_back(s->subscription_id(), *pos);
    if (pos || finished) pending.push_back({std::move(s), finished, pos});
  }
  // Every cursor in one call: one round trip instead of one per open stream.
  std::vector<absl::Status> written;
  if (!cursors.empty()) written = store_.AdvanceCursors(cursors);
  size_t next = 0;
  for (const Pending& p : pending) {
    if (p.pos) {
      const absl::Status& st =
          next < written.size() ? written[next] : absl::InternalError("no status for this cursor");
      ++next;
      if (!st.ok()) {
        Logger()->warn("saving the cursor of subscription {}: {}", p.session->subscription_id(),
                       st.ToString());
        if (!all_finished_too) continue;  // retried on the next flush
      }
      p.session->MarkFlushed(*p.pos);
    }
    if (p.finished) {
      absl::MutexLock lock(&mu_);
      sessions_.erase(p.session.get());
    }
  }
}

void StreamManager::RunTicker() {
  const absl::Duration tick = TickInterval(options_.heartbeat_interval);
  absl::Time next_flush = absl::Now();
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), tick);
      if (stopping_) return;
    }
    absl::Time now = absl::Now();
    for (const std::shared_ptr<StreamSession>& s : Snapshot()) s->Tick(now);
    if (now >= next_flush) {
      FlushCursors(false);
      next_flush = now + options_.cursor_flush_interval;
    }
  }
}

}  // namespace bulletin::notify
