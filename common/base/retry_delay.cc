#include "common/base/retry_delay.h"

#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace bulletin {

int64_t RetryDelayMillis(absl::Duration delay) {
  if (delay <= absl::ZeroDuration()) return 0;
  return absl::ToInt64Milliseconds(absl::Ceil(delay, absl::Milliseconds(1)));
}

absl::Status ResourceExhausted(std::string message, absl::Duration retry_after) {
  absl::Status status = absl::ResourceExhaustedError(std::move(message));
  status.SetPayload(kRetryDelayPayload, absl::Cord(absl::StrCat(RetryDelayMillis(retry_after))));
  return status;
}

std::optional<absl::Duration> RetryDelayOf(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kRetryDelayPayload);
  if (!payload) return std::nullopt;
  int64_t ms = 0;
  if (!absl::SimpleAtoi(std::string(*payload), &ms) || ms < 0) return std::nullopt;
  return absl::Milliseconds(ms);
}

}  // namespace bulletin
