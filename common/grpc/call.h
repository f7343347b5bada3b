// Helpers for thin gRPC adapters: who is calling, and running a unary call off the
// callback thread.
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

// RunUnary for calls that need to know who is calling: resolves the caller first (an
// UNAUTHENTICATED token ends the call there) and hands it to `work(const Caller&)`.
// Role checks stay in the core, which knows what each verb requires.
template <typename Work>
grpc::ServerUnaryReactor* RunUnaryAs(grpc::CallbackServerContext* context, WorkerPool& pool,
                                     const TokenStore& tokens, Work work) {
  return RunUnary(context, pool, [context, &tokens, work = std::move(work)]() mutable {
    absl::StatusOr<Caller> caller = CallerOf(*context, tokens);
    if (!caller.ok()) return caller.status();
    return work(*caller);
  });
}

}  // namespace bulletin
