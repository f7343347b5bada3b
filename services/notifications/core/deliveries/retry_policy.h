// When a failed webhook attempt is tried again: the retry schedule (--retry-schedule,
// Svix-like 5s,5m,30m,2h,5h,10h,10h), jitter, and a receiver's Retry-After (parsed by the
// transport).
//
// Attempt 1 is immediate; after attempt k fails, attempt k+1 follows schedule[k-1]
// later (+/- 10 % jitter); after the last entry the delivery is dead-lettered. A
// Retry-After (429/503) pushes the next attempt later, capped at kMaxRetryAfter.
// Immutable after construction and thread-safe.
#pragma once

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace bulletin::notify {

inline constexpr absl::Duration kMaxRetryAfter = absl::Hours(24);

// Parses "5s,5m,30m,2h": 1..20 positive durations. InvalidArgument naming
// --retry-schedule otherwise.
absl::StatusOr<std::vector<absl::Duration>> ParseRetrySchedule(absl::string_view text);

class RetryPolicy {
 public:
  explicit RetryPolicy(std::vector<absl::Duration> schedule, double jitter = 0.1)
      : schedule_(std::move(schedule)), jitter_(jitter) {}

  // The delay before the next attempt after `attempts_made` (>= 1) failed attempts, or
  // nullopt when the schedule is exhausted (dead-letter).
  std::optional<absl::Duration> NextDelay(int attempts_made,
                                          std::optional<absl::Duration> retry_after) const;

  int max_attempts() const { return static_cast<int>(schedule_.size()) + 1; }

 private:
  const std::vector<absl::Duration> schedule_;
  const double jitter_;
};

}  // namespace bulletin::notify
