#include "common/proto/time.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/str_cat.h"

namespace bulletin {
namespace {

constexpr int64_t kMinSeconds = -62135596800;  // 0001-01-01T00:00:00Z
constexpr int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z
constexpr int32_t kMaxNanos = 999999999;

}  // namespace

absl::StatusOr<absl::Time> FromProtoTime(const google::protobuf::Timestamp& ts,
                                         absl::string_view field) {
  if (ts.nanos() < 0 || ts.nanos() > kMaxNanos || ts.seconds() < kMinSeconds ||
      ts.seconds() > kMaxSeconds) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": not a valid timestamp (seconds from 0001-01-01 to 9999-12-31, nanos 0 to ",
        kMaxNanos, ")"));
  }
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

void ToProtoTime(absl::Time t, google::protobuf::Timestamp* out) {
  t = std::max(absl::FromUnixSeconds(kMinSeconds),
               std::min(t, absl::FromUnixSeconds(kMaxSeconds) + absl::Nanoseconds(kMaxNanos)));
  // ToUnixSeconds rounds towards negative infinity, so the rest is never negative.
  const int64_t seconds = absl::ToUnixSeconds(t);
  out->set_seconds(seconds);
  out->set_nanos(
      static_cast<int32_t>(absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
}

google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  google::protobuf::Timestamp ts;
  ToProtoTime(t, &ts);
  return ts;
}

absl::StatusOr<absl::Duration> FromProtoDuration(const google::protobuf::Duration& d,
                                                 absl::string_view field, absl::Duration min,
                                                 absl::Duration max) {
  const bool sign_ok = (d.seconds() >= 0 && d.nanos() >= 0) || (d.seconds() <= 0 && d.nanos() <= 0);
  if (!sign_ok || d.nanos() > kMaxNanos || d.nanos() < -kMaxNanos) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": not a valid duration (nanos must have the sign of seconds and be below 1e9)"));
  }
  const absl::Duration value = absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
  if (value < min || value > max) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must be between ",
                                                   absl::FormatDuration(min), " and ",
                                                   absl::FormatDuration(max)));
  }
  return value;
}

void ToProtoDuration(absl::Duration d, google::protobuf::Duration* out) {
  const int64_t seconds = absl::IDivDuration(d, absl::Seconds(1), &d);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(d)));
}

}  // namespace bulletin
