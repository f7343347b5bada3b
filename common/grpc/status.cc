#include "common/grpc/status.h"

#include <cstdint>
#include <optional>
#include <string>

#include "common/base/etag.h"
#include "common/base/retry_delay.h"
#include "common/base/text_rules.h"

namespace bulletin {
namespace {

// Added to the pushback gRPC's own retry policy waits for (ToGrpcStatus).
constexpr int64_t kGrpcPushbackMarginMs = 5;

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      Excerpt(status.message(), kMaxStatusMessage));
}

grpc::Status ToGrpcStatus(const absl::Status& status, grpc::ServerContextBase* context) {
  if (std::optional<std::string> etag = CurrentEtagOf(status)) {
    context->AddTrailingMetadata(kCurrentEtagKey, *etag);
  }
  if (std::optional<absl::Duration> delay = RetryDelayOf(status)) {
    // retry-after-ms for any client; grpc-retry-pushback-ms is honoured by gRPC's own
    // retry policy when it lists RESOURCE_EXHAUSTED. gRPC 1.51 schedules that retry from its
    // cached clock in whole milliseconds, so it can come back a little before the delay (on
    // a loaded machine it was refused a second time, 1 run in 30): it is given a margin.
    const int64_t ms = RetryDelayMillis(*delay);
    context->AddTrailingMetadata(kRetryAfterMsKey, std::to_string(ms));
    context->AddTrailingMetadata("grpc-retry-pushback-ms",
                                 std::to_string(ms + kGrpcPushbackMarginMs));
  }
  return ToGrpcStatus(status);
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace bulletin
