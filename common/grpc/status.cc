#include "common/grpc/status.h"

#include <optional>
#include <string>

#include "common/base/etag.h"
#include "common/base/retry_delay.h"
#include "common/base/text_rules.h"

namespace bulletin {

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
    // retry policy when it lists RESOURCE_EXHAUSTED.
    const std::string ms = std::to_string(RetryDelayMillis(*delay));
    context->AddTrailingMetadata(kRetryAfterMsKey, ms);
    context->AddTrailingMetadata("grpc-retry-pushback-ms", ms);
  }
  return ToGrpcStatus(status);
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace bulletin
