// Learns article metadata from the article event stream ("{bulletin}:events") with the
// analytics consumer group, so top lists know categories, locales, titles and slugs and
// drop unpublished or deleted articles.
//
// At-least-once: an entry is acknowledged (XACK) only after ViewStore::ApplyArticle
// stored it; applying is idempotent and ordered by the snapshot's revision. Entries that
// another consumer left pending for `claim_idle` are claimed (XAUTOCLAIM). If the stream
// or the group vanished (Redis lost its data), the group is created again from the
// start of the stream. An entry that cannot be parsed is logged and acknowledged (it
// would fail forever). Thread-safe: Start() runs one thread; ProcessAvailable() is for
// tests that drive the consumer step by step and must not run beside that thread.
#pragma once

#include <atomic>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/redis/redis_client.h"
#include "services/analytics/core/view_store.h"

namespace bulletin::analytics {

inline constexpr char kConsumerGroup[] = "analytics";

struct ConsumerOptions {
  std::string consumer;  // this replica's name in the group; empty: host-pid
  absl::Duration block = absl::Seconds(1);
  absl::Duration claim_idle = absl::Seconds(60);
  int batch = 100;
};

class EventConsumer {
 public:
  // `redis` and `store` must outlive the consumer.
  EventConsumer(RedisClient& redis, ViewStore& store, ConsumerOptions options = {});
  ~EventConsumer();  // Stop()

  void Start();
  void Stop();  // returns within about `block`

  // Claims stale entries, then reads and applies what is new without blocking. Returns
  // the number of entries applied or skipped; UNAVAILABLE when Redis is down.
  absl::StatusOr<int> ProcessAvailable();

 private:
  absl::Status EnsureGroup();
  // Reads with XREADGROUP (blocking up to `block` when `wait`) and applies the entries.
  absl::StatusOr<int> ReadNew(bool wait);
  absl::StatusOr<int> ClaimStale();
  // Applies the entries of an XREADGROUP/XAUTOCLAIM entry list and acknowledges them.
  absl::StatusOr<int> Apply(const RedisReply& entries);
  void Run();

  RedisClient& redis_;
  ViewStore& store_;
  ConsumerOptions options_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace bulletin::analytics
