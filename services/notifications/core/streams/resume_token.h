// The opaque resume tokens of Subscribe ("v1." + the stream entry id they stand for).
//
// A token means "everything up to and including this entry has been handled"; resuming
// from it replays the entries strictly after it. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/base/stream_id.h"

namespace bulletin::notify {

inline constexpr size_t kMaxResumeToken = 256;
// The newest entry time a token may name: 9999-12-31T23:59:59.999Z in Unix milliseconds.
inline constexpr uint64_t kMaxResumeMillis = 253402300799999;
// How far ahead of this server's clock a token's entry time may be (Redis' clock may run a
// little ahead of ours).
inline constexpr absl::Duration kResumeClockSkew = absl::Minutes(10);

// The resume token for "after entry `id`".
std::string EncodeResumeToken(const StreamId& id);

// The entry id in `token`. InvalidArgument naming `field` when malformed or when its time
// is out of range (after kMaxResumeMillis).
absl::StatusOr<StreamId> DecodeResumeToken(absl::string_view token, absl::string_view field);

// InvalidArgument naming `field` when `pos` cannot have been issued by this stream: its time
// is more than kResumeClockSkew ahead of `now`, or it is after `last_generated`, the newest
// id the stream ever had.
absl::Status CheckNotAhead(const StreamId& pos, const StreamId& last_generated, absl::Time now,
                           absl::string_view field);

}  // namespace bulletin::notify
