// RESOURCE_EXHAUSTED with a retry delay, once for every limit: a rate limiter or quota
// answers ResourceExhausted(message, delay), which carries the delay as a status payload,
// and ToGrpcStatus (common/grpc/status.h) turns that payload into trailing metadata so a
// client knows when to come back. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace bulletin {

// The payload type URL of the status. Its value is the delay in whole milliseconds,
// decimal, rounded up (so that a client waiting that long finds room).
inline constexpr char kRetryDelayPayload[] = "bulletin-retry-delay-ms";
// The trailer a server sends it as: `retry-after-ms: MILLISECONDS`.
inline constexpr char kRetryAfterMsKey[] = "retry-after-ms";

// RESOURCE_EXHAUSTED with `message` and `retry_after` (negative counts as zero) as the
// payload.
absl::Status ResourceExhausted(std::string message, absl::Duration retry_after);

// The retry delay a status carries, if any (also for a status with another code, so a
// caller may attach one elsewhere).
std::optional<absl::Duration> RetryDelayOf(const absl::Status& status);

// `delay` as whole milliseconds rounded up, the trailer's value.
int64_t RetryDelayMillis(absl::Duration delay);

}  // namespace bulletin
