#include "services/notifications/core/streams/event_hub.h"

#include "common/base/log.h"

namespace bulletin::notify {
namespace {

constexpr int kReadCount = 256;
constexpr absl::Duration kBlock = absl::Milliseconds(1000);
constexpr absl::Duration kRetry = absl::Milliseconds(250);

}  // namespace

EventHub::EventHub(EventLog& log, std::function<void(bool)> on_health)
    : log_(log), on_health_(std::move(on_health)) {}

EventHub::~EventHub() { Stop(); }

void EventHub::Start() {
  thread_ = std::thread([this] { Run(); });
}

void EventHub::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  absl::MutexLock lock(&mu_);
  listeners_.clear();
}

bool EventHub::JoinIfCaughtUp(const std::shared_ptr<Listener>& listener) {
  absl::MutexLock lock(&mu_);
  if (!known_ || stopping_ || !listener->ReadyToJoin(position_)) return false;
  listeners_.insert(listener);
  return true;
}

void EventHub::Leave(const std::shared_ptr<Listener>& listener) {
  absl::MutexLock lock(&mu_);
  listeners_.erase(listener);
}

size_t EventHub::listeners() const {
  absl::MutexLock lock(&mu_);
  return listeners_.size();
}

void EventHub::Run() {
  std::optional<bool> healthy;
  auto report = [&](bool now) {
    if (healthy != now && on_health_) on_health_(now);
    healthy = now;
  };
  auto wait_retry = [this] {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), kRetry);
  };
  StreamId from;
  for (;;) {
    bool known;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      known = known_;
      from = position_;
    }
    if (!known) {
      // Start at the newest entry: older ones are replayed by each stream itself.
      absl::StatusOr<StreamBounds> bounds = log_.Bounds();
      if (!bounds.ok()) {
        Logger()->warn("event stream unreachable: {}", bounds.status().ToString());
        report(false);
        wait_retry();
        continue;
      }
      report(true);
      absl::MutexLock lock(&mu_);
      position_ = bounds->exists ? bounds->last_generated : StreamId{};
      known_ = true;
      Logger()->info("following the event stream after {}", position_.ToString());
      continue;
    }
    absl::StatusOr<std::vector<StreamEntry>> entries = log_.WaitAfter(from, kReadCount, kBlock);
    if (!entries.ok()) {
      if (healthy != false)
        Logger()->warn("reading the event stream: {}", entries.status().ToString());
      report(false);
      wait_retry();
      continue;
    }
    report(true);
    if (entries->empty()) continue;
    absl::MutexLock lock(&mu_);
    for (auto it = listeners_.begin(); it != listeners_.end();) {
      it = (*it)->OnEntries(*entries) ? std::next(it) : listeners_.erase(it);
    }
    position_ = entries->back().id;
  }
}

}  // namespace bulletin::notify
