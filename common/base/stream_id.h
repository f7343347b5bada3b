// A position in a Redis stream: the entry id "<ms>-<seq>" as a comparable value. Plain C++
// (no Redis), so cores can keep positions (a subscription's cursor, a resume token's entry).
// Values are thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace bulletin {

struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;

  // "<ms>-<seq>", the form Redis prints and accepts.
  std::string ToString() const;
  // Parses "<ms>-<seq>" (decimal, at most 20 digits each); nullopt when malformed.
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

}  // namespace bulletin
