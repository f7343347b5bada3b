#include "services/notifications/core/streams/event_log.h"

#include "absl/strings/str_cat.h"
#include "common/base/log.h"
#include "common/redis/keys.h"

namespace bulletin::notify {

absl::StatusOr<std::vector<StreamEntry>> EventLog::ReadAfter(const StreamId& after, int count) {
  absl::StatusOr<RedisReply> r =
      redis_->Command({"XRANGE", ::bulletin::keys::kEventStream, "(" + after.ToString(), "+",
                       "COUNT", absl::StrCat(count)});
  if (!r.ok()) return r.status();
  return DecodeStreamEntries(*r);
}

absl::StatusOr<std::vector<StreamEntry>> EventLog::WaitAfter(const StreamId& after, int count,
                                                             absl::Duration block) {
  absl::StatusOr<RedisReply> r =
      redis_->BlockingCommand({"XREAD", "COUNT", absl::StrCat(count), "BLOCK",
                               absl::StrCat(absl::ToInt64Milliseconds(block)), "STREAMS",
                               ::bulletin::keys::kEventStream, after.ToString()},
                              block + absl::Seconds(2));
  if (!r.ok()) return r.status();
  if (r->is_nil() || r->elements.empty()) return std::vector<StreamEntry>();
  // [[key, [entries...]]]
  const RedisReply& stream = r->elements[0];
  if (stream.elements.size() != 2) return absl::InternalError("XREAD: unexpected reply shape");
  return DecodeStreamEntries(stream.elements[1]);
}

absl::StatusOr<StreamBounds> EventLog::Bounds() {
  absl::StatusOr<std::vector<RedisReply>> r =
      redis_->Pipeline({{"XINFO", "STREAM", ::bulletin::keys::kEventStream}});
  if (!r.ok()) return r.status();
  const RedisReply& info = r->front();
  StreamBounds b;
  if (info.is_error()) {
    if (info.str.find("no such key") != std::string::npos) return b;
    return info.ToStatus();
  }
  b.exists = true;
  for (size_t i = 0; i + 1 < info.elements.size(); i += 2) {
    const std::string& name = info.elements[i].str;
    const RedisReply& v = info.elements[i + 1];
    if (name == "length") {
      b.length = static_cast<uint64_t>(v.integer);
    } else if (name == "last-generated-id") {
      b.last_generated = StreamId::Parse(v.str).value_or(StreamId{});
    } else if (name == "entries-added") {
      b.entries_added = static_cast<uint64_t>(v.integer);
    } else if (name == "max-deleted-entry-id") {
      b.max_deleted = StreamId::Parse(v.str);
    } else if (name == "first-entry" && !v.elements.empty()) {
      b.first_entry = StreamId::Parse(v.elements[0].str).value_or(StreamId{});
    }
  }
  return b;
}

absl::StatusOr<bool> EventLog::Contains(const StreamId& id) {
  absl::StatusOr<RedisReply> r = redis_->Command(
      {"XRANGE", ::bulletin::keys::kEventStream, id.ToString(), id.ToString(), "COUNT", "1"});
  if (!r.ok()) return r.status();
  return !r->elements.empty();
}

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
