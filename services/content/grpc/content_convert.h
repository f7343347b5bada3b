// Conversions between bulletin.content.v1 messages and the core's domain structs, for
// the gRPC adapter only. No rules here: values are copied as they are (the core
// validates and normalises), except that a malformed Timestamp is INVALID_ARGUMENT.
#pragma once

#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bulletin/content/v1/content.pb.h"
#include "services/content/core/content_core.h"

namespace bulletin::content {

Article FromProto(const v1::Article& in);
Category FromProto(const v1::Category& in);

void ToProto(const Article& in, v1::Article* out);
void ToProto(const ArticleRead& in, v1::Article* out);
void ToProto(const Category& in, v1::Category* out);
void ToProto(const CategoryRead& in, v1::Category* out);

// INVALID_ARGUMENT naming `field` when nanos is out of range or the time is outside
// 0001-01-01..9999-12-31.
absl::StatusOr<absl::Time> FromProtoTime(const google::protobuf::Timestamp& ts, const char* field);
void ToProtoTime(absl::Time t, google::protobuf::Timestamp* out);

}  // namespace bulletin::content
