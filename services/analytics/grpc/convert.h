// Conversions between the bulletin.analytics.v1 messages and the analytics domain types,
// for the adapter only: the contract's enums map to the core's enums here (an unknown
// number is INVALID_ARGUMENT naming the field; UNSPECIFIED is nullopt, the core's
// default), timestamps go through common/proto/time.h. Pure functions.
#pragma once

#include <map>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bulletin/analytics/v1/analytics.pb.h"
#include "services/analytics/core/view_types.h"

namespace bulletin::analytics {

// The domain view of a request; fields are named `prefix` + name ("views[3].view_time").
absl::StatusOr<View> ToView(const v1::RecordViewRequest& request, absl::string_view prefix);

absl::StatusOr<std::optional<TopKind>> TopKindOf(v1::TopKind kind);
absl::StatusOr<std::optional<Window>> WindowOf(v1::TimeWindow window);
absl::StatusOr<std::optional<Granularity>> GranularityOf(v1::Granularity granularity);

v1::NotCountedReason ToProto(NotCounted reason);
void ToProto(const Totals& totals, v1::ArticleTotals* out);
void ToProto(const ArticleStats& stats, v1::ArticleStats* out);
// Adds one tally per reason.
void AddTallies(const std::map<NotCounted, int64_t>& tallies,
                google::protobuf::RepeatedPtrField<v1::NotCountedTally>* out);

}  // namespace bulletin::analytics
