// The one mapping from absl::Status (what cores return) to grpc::Status (what clients see).
#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace bulletin {

// Same code, same message. Codes map one to one (absl and gRPC share the numbering).
grpc::Status ToGrpcStatus(const absl::Status& status);

// The reverse, for clients and tests that call other services.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace bulletin
