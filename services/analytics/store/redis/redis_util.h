// Small helpers shared by the Redis-backed analytics files: reading integer replies,
// recognising NOSCRIPT and reporting a reply of the wrong shape (logged, not returned).
// Internal to services/analytics; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/redis/redis_client.h"

namespace bulletin::analytics {

// An integer reply, a numeric string or nil (zero). Error replies surface as statuses.
absl::StatusOr<int64_t> IntOf(const RedisReply& r);

// Sums the elements of an MGET / HMGET reply.
absl::StatusOr<int64_t> SumOf(const RedisReply& r);

// A double from a string or integer reply (ZSCORE, WITHSCORES); nil is zero.
absl::StatusOr<double> DoubleOf(const RedisReply& r);

// Whole seconds, as Redis EXPIRE wants them.
std::string Seconds(absl::Duration d);

bool IsNoScript(const RedisReply& r);

// INTERNAL "redis: unexpected <what> reply": the reply itself (an excerpt) goes to the log,
// never to the caller, so no Redis text reaches a client.
absl::Status UnexpectedReply(absl::string_view what, const RedisReply& r);

}  // namespace bulletin::analytics
