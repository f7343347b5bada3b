// EventFollower: bulletin-web's reader of the article event stream. Every replica must
// see every event (each holds its own response cache), so it reads with plain XREAD, not a
// consumer group: from the start of the retained stream once (which also learns which
// slugs were deleted), then blocking for new entries, remembering the last id across Redis
// outages. After an outage it calls `on_gap` (events may have passed unseen, e.g. a Redis
// that restarted empty) and, when the stream's newest id is now below the one it
// remembers, goes on from that newest id. It keeps no state in Redis and acknowledges
// nothing. Handlers run on the follower's thread. Start/Stop from one thread.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "bulletin/events/v1/events.pb.h"
#include "common/redis/redis_client.h"

namespace bulletin::web {

class EventFollower {
 public:
  using Handler = std::function<void(const events::v1::ArticleEvent& event)>;
  using GapHandler = std::function<void()>;

  // `redis` must outlive the follower. `stream` defaults to common/redis/keys.h's.
  EventFollower(RedisClient& redis, Handler handler, GapHandler on_gap, std::string stream = "");
  ~EventFollower();  // Stop()

  void Start();
  void Stop();  // joins within about a second; idempotent

  // Entries handled so far (for tests and metrics).
  int64_t handled() const { return handled_.load(); }

 private:
  void Run();
  // After an outage: the id to go on from (the remembered one, or the stream's newest when
  // that is older, as after a Redis that restarted empty).
  std::string Resume(const std::string& last);

  RedisClient& redis_;
  Handler handler_;
  GapHandler on_gap_;
  std::string stream_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> handled_{0};
};

// The surrogate keys an event makes stale: the article, its slugs, its categories and
// every list ("lists").
std::vector<std::string> KeysOf(const events::v1::ArticleEvent& event);
// Every slug of the article in the event (article slug and translation slugs).
std::vector<std::string> SlugsOf(const events::v1::ArticleEvent& event);

}  // namespace bulletin::web
