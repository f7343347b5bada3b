// The one conversion between protobuf's well-known Timestamp/Duration and absl::Time /
// absl::Duration, with the range checks of their definitions (timestamp.proto,
// duration.proto). Errors are InvalidArgument naming the field; pure functions.
#pragma once

#include <google/protobuf/duration.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace bulletin {

// 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z, nanos in 0..999,999,999.
// InvalidArgument "FIELD: not a valid timestamp (...)" otherwise.
absl::StatusOr<absl::Time> FromProtoTime(const google::protobuf::Timestamp& ts,
                                         absl::string_view field);

// Floors to the nanosecond; times outside the Timestamp range are clamped to it.
void ToProtoTime(absl::Time t, google::protobuf::Timestamp* out);
google::protobuf::Timestamp ToProtoTime(absl::Time t);

// A Duration in [min, max] (both inclusive), with nanos of the same sign as seconds and
// |nanos| < 1e9. InvalidArgument "FIELD: ..." naming the bound otherwise.
absl::StatusOr<absl::Duration> FromProtoDuration(const google::protobuf::Duration& d,
                                                 absl::string_view field, absl::Duration min,
                                                 absl::Duration max);

void ToProtoDuration(absl::Duration d, google::protobuf::Duration* out);

}  // namespace bulletin
