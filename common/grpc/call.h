// Helpers for DecodedService (decoded_service.h): who is calling, and running a unary
// call off the callback thread.
//
// A callback handler must not block (STYLE.md), so RunUnary queues the work on a
// WorkerPool and finishes the reactor from the worker, exactly once. When the pool's
// queue is full the call finishes at once with RESOURCE_EXHAUSTED.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/base/auth.h"
#include "common/base/worker_pool.h"
#include "common/grpc/status.h"

namespace bulletin {

// The caller of `context` according to its `authorization` metadata.
// UNAUTHENTICATED for a malformed or unknown token; anonymous (nullopt) for none.
absl::StatusOr<Caller> CallerOf(const grpc::ServerContextBase& context, const TokenStore& tokens);

// Runs `work` (returning absl::Status) on `pool` and finishes the call with its result
// (ToGrpcStatus: a stale etag also goes out as the `bulletin-current-etag` trailer).
template <typename Work>
grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* context, WorkerPool& pool,
                                   Work work) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  bool queued = pool.TrySubmit([context, reactor, work = std::move(work)]() mutable {
    reactor->Finish(ToGrpcStatus(work(), context));
  });
  if (!queued) {
    reactor->Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                 "server busy: too many requests in flight, retry later"));
  }
  return reactor;
}

}  // namespace bulletin
