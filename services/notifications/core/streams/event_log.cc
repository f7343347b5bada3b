#include "services/notifications/core/streams/event_log.h"

#include <cstdint>

namespace bulletin::notify {

std::optional<StreamId> TrimmedPast(const StreamBounds& bounds, const StreamId& pos,
                                    bool pos_exists) {
  if (!bounds.exists) return std::nullopt;
  // An XDEL after `pos` is a hole no resume can fill.
  if (bounds.max_deleted && *bounds.max_deleted > pos) return *bounds.max_deleted;
  if (pos_exists || bounds.length == 0 || bounds.first_entry <= pos) return std::nullopt;
  if (bounds.entries_added && *bounds.entries_added == bounds.length) return std::nullopt;
  // The first kept entry lies after `pos` and `pos` is gone: entries in between may have
  // been trimmed. Resuming just before the first kept entry misses nothing more.
  StreamId before = bounds.first_entry;
  if (before.seq > 0) {
    --before.seq;
  } else {
    --before.ms;
    before.seq = UINT64_MAX;
  }
  return before;
}

}  // namespace bulletin::notify
