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
  return *id;
}

}  // namespace bulletin::notify
