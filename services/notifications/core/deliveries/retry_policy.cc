#include "services/notifications/core/deliveries/retry_policy.h"

#include <algorithm>
#include <random>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

namespace bulletin::notify {

absl::StatusOr<std::vector<absl::Duration>> ParseRetrySchedule(absl::string_view text) {
  std::vector<absl::Duration> out;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    absl::Duration d;
    std::string p(absl::StripAsciiWhitespace(part));
    if (!absl::ParseDuration(p, &d) || d <= absl::ZeroDuration() || d > absl::Hours(24 * 7)) {
      return absl::InvalidArgumentError(
          "--retry-schedule: expected a comma-separated list of durations between 1ms and 7d, "
          "e.g. 5s,5m,30m,2h,5h,10h,10h");
    }
    out.push_back(d);
  }
  if (out.size() > 20) return absl::InvalidArgumentError("--retry-schedule: at most 20 retries");
  return out;
}

std::optional<absl::Duration> RetryPolicy::NextDelay(
    int attempts_made, std::optional<absl::Duration> retry_after) const {
  if (attempts_made < 1 || attempts_made > static_cast<int>(schedule_.size())) return std::nullopt;
  absl::Duration delay = schedule_[attempts_made - 1];
  if (jitter_ > 0) {
    // Spreads the retries of many deliveries that failed together (an endpoint outage).
    thread_local std::mt19937_64 rng{std::random_device{}()};
    std::uniform_real_distribution<double> factor(1 - jitter_, 1 + jitter_);
    delay = delay * factor(rng);
  }
  if (retry_after) delay = std::max(delay, std::min(*retry_after, kMaxRetryAfter));
  return delay;
}

}  // namespace bulletin::notify
