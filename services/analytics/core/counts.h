// The arithmetic of analytics counters. Every total a client sees (views, unique visitors,
// window sums) stays within kMaxCount = 2^53, the largest integer a JSON number (and so a
// JavaScript or grpc-gateway client) holds exactly; ImportViews refuses a baseline that
// would take a total above it, and sums of stored counts saturate instead of wrapping, so
// no reply ever carries a negative or wrapped count. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace bulletin::analytics {

// 2^53 = 9007199254740992: the largest total ImportViews accepts.
inline constexpr int64_t kMaxCount = int64_t{1} << 53;

// a + b, clamped to [INT64_MIN, INT64_MAX] instead of wrapping.
inline int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
}

// INVALID_ARGUMENT "items[<index>].<field>: ..." for an ImportViews item that would take
// its article's total (counted + imported) above kMaxCount.
inline absl::Status TotalTooLarge(size_t index, absl::string_view field) {
  return absl::InvalidArgumentError(absl::StrCat(
      "items[", index, "].", field, ": the article's total would exceed 2^53 (", kMaxCount, ")"));
}

}  // namespace bulletin::analytics
