// The one reader of the live event stream in this process: a tailer thread that waits on
// the EventLog after the last entry it saw and fans new entries out to the registered
// listeners (the live Subscribe streams). Invariant: every entry up to the hub's position
// has been handed to every listener registered at the time, so a stream that replays the
// backlog itself and joins once it has read up to that position (JoinIfCaughtUp) misses
// nothing; listeners drop entries they already read. Thread-safe; lock order: hub, then
// listener.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "services/notifications/core/streams/event_log.h"

namespace bulletin::notify {

class EventHub {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // New entries, oldest first; called with the hub's lock held, so be quick (and do
    // not call back into the hub). Return false to be removed.
    virtual bool OnEntries(const std::vector<StreamEntry>& entries) = 0;
    // Called under the hub's lock when the listener asks to join: return true to be
    // registered (the listener has read everything up to `hub_position`).
    virtual bool ReadyToJoin(const StreamId& hub_position) = 0;
  };

  // `on_health` (optional) is called from the tailer thread when the log becomes readable
  // (true) or unreadable (false).
  // `log` must outlive the hub.
  EventHub(EventLog& log, std::function<void(bool)> on_health);
  ~EventHub();

  void Start();
  // Stops and joins the tailer (within about one block interval).
  void Stop();

  // Registers `listener` if the tailer knows its position and listener->ReadyToJoin
  // agrees. Returns false otherwise; the caller reads further and asks again.
  bool JoinIfCaughtUp(const std::shared_ptr<Listener>& listener);
  void Leave(const std::shared_ptr<Listener>& listener);

  // How many listeners follow the live feed now.
  size_t listeners() const;

 private:
  void Run();

  EventLog& log_;
  std::function<void(bool)> on_health_;
  std::thread thread_;

  mutable absl::Mutex mu_;
  bool known_ ABSL_GUARDED_BY(mu_) = false;  // position_ read from the log
  StreamId position_ ABSL_GUARDED_BY(mu_);
  std::set<std::shared_ptr<Listener>> listeners_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace bulletin::notify
