// One entry of the article event stream, decoded: its position and its event. Plain data
// (no Redis), so cores can take entries from whichever log feeds them (Redis, or the
// in-memory fakes of the unit tests). common/redis/stream_reader.h reads them from Redis.
#pragma once

#include <memory>

#include "bulletin/events/v1/events.pb.h"
#include "common/base/stream_id.h"

namespace bulletin {

struct StreamEntry {
  StreamId id;
  // Null when the entry has no decodable "event" field (or was deleted while pending):
  // handlers skip it, and readers move past it.
  std::shared_ptr<const events::v1::ArticleEvent> event;
};

}  // namespace bulletin
