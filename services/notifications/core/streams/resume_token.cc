#include "services/notifications/core/streams/resume_token.h"

#include <optional>

#include "absl/strings/str_cat.h"

namespace bulletin::notify {
namespace {

constexpr absl::string_view kTokenPrefix = "v1.";

}  // namespace

std::string EncodeResumeToken(const StreamId& id) {
  return absl::StrCat(kTokenPrefix, id.ToString());
}

absl::StatusOr<StreamId> DecodeResumeToken(absl::string_view token, absl::string_view field) {
  if (token.size() > kMaxResumeToken || token.substr(0, kTokenPrefix.size()) != kTokenPrefix) {
    return absl::InvalidArgumentError(
        absl::StrCat(field,
                     ": not a resume token of this service (use one from a StreamEvent "
                     "or Heartbeat)"));
  }
  std::optional<StreamId> id = StreamId::Parse(token.substr(kTokenPrefix.size()));
  if (!id) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": malformed resume token"));
  }
  if (id->ms > kMaxResumeMillis) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": its time is out of range (after the year 9999)"));
  }
  return *id;
}

absl::Status CheckNotAhead(const StreamId& pos, const StreamId& last_generated, absl::Time now,
                           absl::string_view field) {
  const int64_t limit = absl::ToUnixMillis(now + kResumeClockSkew);
  if (limit >= 0 && pos.ms > static_cast<uint64_t>(limit)) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": its time is ahead of the server's clock (",
        absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixMillis(static_cast<int64_t>(pos.ms)),
                         absl::UTCTimeZone()),
        "); use a token from a StreamEvent or Heartbeat"));
  }
  if (pos > last_generated) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": after the newest event of the stream (", last_generated.ToString(),
        "), so not a token this stream issued; reconnect without resume_token to continue "
        "after this subscription's last position"));
  }
  return absl::OkStatus();
}

}  // namespace bulletin::notify
