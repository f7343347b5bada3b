#include "services/notifications/events/redis_event_log.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/redis/keys.h"
#include "common/redis/stream_reader.h"

namespace bulletin::notify {
namespace {

using ::bulletin::keys::kEventStream;

}  // namespace

absl::StatusOr<std::vector<StreamEntry>> RedisEventLog::ReadAfter(const StreamId& after,
                                                                  int count) {
  ASSIGN_OR_RETURN(RedisReply r, redis_.Command({"XRANGE", kEventStream, "(" + after.ToString(),
                                                 "+", "COUNT", absl::StrCat(count)}));
  return DecodeStreamEntries(r);
}

absl::StatusOr<std::vector<StreamEntry>> RedisEventLog::WaitAfter(const StreamId& after, int count,
                                                                  absl::Duration block) {
  ASSIGN_OR_RETURN(RedisReply r,
                   redis_.BlockingCommand({"XREAD", "COUNT", absl::StrCat(count), "BLOCK",
                                           absl::StrCat(absl::ToInt64Milliseconds(block)),
                                           "STREAMS", kEventStream, after.ToString()},
                                          block + absl::Seconds(2)));
  if (r.is_nil() || r.elements.empty()) return std::vector<StreamEntry>();
  const RedisReply& stream = r.elements[0];  // [[key, [entries...]]]
  if (stream.elements.size() != 2) return absl::InternalError("XREAD: unexpected reply shape");
  return DecodeStreamEntries(stream.elements[1]);
}

absl::StatusOr<StreamBounds> RedisEventLog::Bounds() {
  // A pipeline, so that "no such key" comes back as a reply rather than a failed call.
  ASSIGN_OR_RETURN(std::vector<RedisReply> r, redis_.Pipeline({{"XINFO", "STREAM", kEventStream}}));
  const RedisReply& info = r.front();
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

absl::StatusOr<bool> RedisEventLog::Contains(const StreamId& id) {
  ASSIGN_OR_RETURN(RedisReply r, redis_.Command({"XRANGE", kEventStream, id.ToString(),
                                                 id.ToString(), "COUNT", "1"}));
  return !r.elements.empty();
}

}  // namespace bulletin::notify
