#include "common/grpc/status.h"

#include <optional>
#include <string>

#include "common/base/etag.h"
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
  return ToGrpcStatus(status);
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace bulletin
