#include "services/notifications/core/streams/stream_position.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace bulletin::notify {
namespace {

constexpr absl::string_view kTokenPrefix = "v1.";

bool ParseDecimal(absl::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return absl::SimpleAtoi(s, out);
}

}  // namespace

std::string StreamId::ToString() const { return absl::StrCat(ms, "-", seq); }

std::optional<StreamId> StreamId::Parse(absl::string_view s) {
  size_t dash = s.find('-');
  if (dash == absl::string_view::npos) return std::nullopt;
  StreamId id;
  if (!ParseDecimal(s.substr(0, dash), &id.ms) || !ParseDecimal(s.substr(dash + 1), &id.seq)) {
    return std::nullopt;
  }
  return id;
}

std::string EncodeResumeToken(const StreamId& id) { return absl::StrCat(kTokenPrefix, id.ToString()); }

absl::StatusOr<StreamId> DecodeResumeToken(absl::string_view token, absl::string_view field) {
  if (token.size() > kMaxResumeToken || token.substr(0, kTokenPrefix.size()) != kTokenPrefix) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": not a resume token of this service (use one from a StreamEvent "
                            "or Heartbeat)"));
  }
  std::optional<StreamId> id = StreamId::Parse(token.substr(kTokenPrefix.size()));
  if (!id) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": malformed resume token"));
  }
  return *id;
}

}  // namespace bulletin::notify
