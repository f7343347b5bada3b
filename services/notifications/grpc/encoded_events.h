// The encoded SubscribeResponse of recent stream entries, shared by the Subscribe streams
// of one NotificationService. A stream entry goes out as the same bytes on every stream
// that takes it (the event and the resume token of its position; filters only decide
// whether a stream takes it), so the fan-out of one entry to N live streams serializes
// it once instead of N times, and the streams share one reference-counted slice.
// Heartbeats are per stream and not cached. Keeps the last `capacity` positions.
// Thread-safe.
#pragma once

#include <grpcpp/support/slice.h>

#include <deque>
#include <map>

#include "absl/synchronization/mutex.h"
#include "services/notifications/core/streams/stream_session.h"

namespace bulletin::notify {

class EncodedEvents {
 public:
  explicit EncodedEvents(size_t capacity = 256) : capacity_(capacity) {}

  // The serialized v1::SubscribeResponse of `msg` (an event message: msg.event set).
  grpc::Slice Get(const OutMessage& msg) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const size_t capacity_;
  absl::Mutex mu_;
  std::map<StreamId, grpc::Slice> slices_ ABSL_GUARDED_BY(mu_);
  std::deque<StreamId> order_ ABSL_GUARDED_BY(mu_);  // oldest first
};

}  // namespace bulletin::notify
