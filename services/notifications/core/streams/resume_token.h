// The opaque resume tokens of Subscribe ("v1." + the stream entry id they stand for).
//
// A token means "everything up to and including this entry has been handled"; resuming
// from it replays the entries strictly after it. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/base/stream_id.h"

namespace bulletin::notify {

inline constexpr size_t kMaxResumeToken = 256;

// The resume token for "after entry `id`".
std::string EncodeResumeToken(const StreamId& id);

// The entry id in `token`. InvalidArgument naming `field` when malformed.
absl::StatusOr<StreamId> DecodeResumeToken(absl::string_view token, absl::string_view field);

}  // namespace bulletin::notify
