// The one mapping from absl::Status (what cores return) to grpc::Status (what clients see).
// It also sends what a status carries for the client: the current etag of an ABORTED write
// as the trailing metadata `bulletin-current-etag` (common/base/etag.h), and the retry
// delay of a RESOURCE_EXHAUSTED as `retry-after-ms` and `grpc-retry-pushback-ms`
// (common/base/retry_delay.h).
#pragma once

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace bulletin {

// The longest message a client is sent, in bytes: a message is metadata, and a long one
// breaks clients (a C++ client refuses it, a grpc-js channel stalls).
inline constexpr size_t kMaxStatusMessage = 512;

// Same code, same message (cut to kMaxStatusMessage at a character boundary). Codes map
// one to one (absl and gRPC share the numbering).
grpc::Status ToGrpcStatus(const absl::Status& status);

// As above, and adds the status' current etag and retry delay (if any) to `context`'s
// trailing metadata.
// Call before the reactor's Finish.
grpc::Status ToGrpcStatus(const absl::Status& status, grpc::ServerContextBase* context);

// The reverse, for clients and tests that call other services.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace bulletin
