// Positions in the event stream: Redis stream entry ids ("<ms>-<seq>") and the opaque
// resume tokens that carry them to partners ("v1." + entry id).
//
// A token means "everything up to and including this entry has been handled"; resuming
// from it replays the entries strictly after it. Values are plain and thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bulletin::notify {

struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;

  // "<ms>-<seq>", the form Redis prints and accepts.
  std::string ToString() const;
  // Parses "<ms>-<seq>"; nullopt when malformed.
  static std::optional<StreamId> Parse(absl::string_view s);

  friend bool operator<(const StreamId& a, const StreamId& b) {
    return a.ms != b.ms ? a.ms < b.ms : a.seq < b.seq;
  }
  friend bool operator==(const StreamId& a, const StreamId& b) {
    return a.ms == b.ms && a.seq == b.seq;
  }
  friend bool operator!=(const StreamId& a, const StreamId& b) { return !(a == b); }
  friend bool operator<=(const StreamId& a, const StreamId& b) { return !(b < a); }
  friend bool operator>(const StreamId& a, const StreamId& b) { return b < a; }
  friend bool operator>=(const StreamId& a, const StreamId& b) { return !(a < b); }
};

inline constexpr size_t kMaxResumeToken = 256;

// The resume token for "after entry `id`".
std::string EncodeResumeToken(const StreamId& id);

// The entry id in `token`. InvalidArgument naming `field` when malformed.
absl::StatusOr<StreamId> DecodeResumeToken(absl::string_view token, absl::string_view field);

}  // namespace bulletin::notify
