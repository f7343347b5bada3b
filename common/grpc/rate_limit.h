// Per-caller rate limits for every service: token buckets (common/base/token_bucket.h) keyed
// by who calls -- the token's principal (a partner's tokens share one bucket) or, for calls
// without a token, the peer's IP address (IPv6 cut to its /64, which one host easily owns).
// A refused call is RESOURCE_EXHAUSTED carrying the wait until the next token
// (common/base/retry_delay.h), which ToGrpcStatus sends as a trailer. Rates come from
// service flags (common/service/service_flags.h); 0 means unlimited. Thread-safe.
#pragma once

#include <grpcpp/server_context.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/base/auth.h"
#include "common/base/token_bucket.h"

namespace bulletin {

// One limit: `rate` calls per second sustained, `burst` at once. rate 0: unlimited.
struct RateLimit {
  double rate = 0;
  double burst = 0;
};

// "RPS" or "RPS:BURST" (decimal, RPS >= 0, BURST >= 1; "0" = unlimited). Without BURST the
// bucket holds max(1, 2 x RPS): a second's worth of calls twice over. InvalidArgument naming
// `flag` otherwise.
absl::StatusOr<RateLimit> ParseRateLimit(absl::string_view text, absl::string_view flag);

// "NAME=RPS[:BURST],NAME=..." (empty: none). InvalidArgument naming `flag` for a malformed
// entry or a name given twice.
absl::StatusOr<std::map<std::string, RateLimit>> ParseRateLimitList(absl::string_view text,
                                                                    absl::string_view flag);

struct RateLimitConfig {
  RateLimit anonymous;  // per peer address, calls without a token
  RateLimit token;      // per principal, calls with a valid token
  // Replaces `token` for one role: "admin", "editor", "frontend", "partner".
  std::map<std::string, RateLimit> roles;
  // Per caller and method, in addition to the limits above. Keyed by the full method name
  // ("/bulletin.analytics.v1.AnalyticsService/RecordView") or the bare one ("RecordView").
  std::map<std::string, RateLimit> methods;
  size_t max_keys = 100000;  // buckets kept per limit (memory bound; see TokenBucketSet)
};

// Checks the role names of `config.roles`: InvalidArgument naming `flag` for another.
absl::Status CheckRateLimitRoles(const RateLimitConfig& config, absl::string_view flag);

// Checks that every --rate-method name is one of `methods` (full names,
// "/package.Service/Method"), given in full or bare: InvalidArgument naming `flag` and the
// first unknown name, so that a typo does not silently limit nothing.
absl::Status CheckRateLimitMethods(const RateLimitConfig& config,
                                   const std::vector<std::string>& methods, absl::string_view flag);

// The address part of a gRPC peer string, the key of an anonymous caller:
//   "ipv4:10.1.2.3:5000" -> "10.1.2.3", "ipv6:[2001:db8:1:2:3::4]:5000" -> "2001:db8:1:2::/64",
//   "ipv6:[::ffff:10.1.2.3]:5000" -> "10.1.2.3"; anything else (unix sockets) -> as given
//   without the port.
std::string PeerAddressKey(absl::string_view peer);

class CallLimiter {
 public:
  using Clock = std::function<absl::Time()>;

  // `clock` nullptr: absl::Now.
  explicit CallLimiter(const RateLimitConfig& config, Clock clock = nullptr);

  CallLimiter(const CallLimiter&) = delete;
  CallLimiter& operator=(const CallLimiter&) = delete;

  // OK when `caller` may make this call of `method` (the full name, context.method())
  // now, and counts it; RESOURCE_EXHAUSTED with the retry delay (RetryDelayOf) when a
  // limit is spent. The message names the limit, never a token.
  absl::Status Admit(const grpc::ServerContextBase& context, const Caller& caller,
                     absl::string_view method);
  // As Admit, with the peer string gRPC reports (context.peer()).
  absl::Status AdmitPeer(absl::string_view peer, const Caller& caller, absl::string_view method);

  // False when every limit is off, so that the call path may skip Admit.
  bool enabled() const { return enabled_; }

 private:
  // The buckets of `method`'s own limit, or nullptr.
  TokenBucketSet* MethodBuckets(absl::string_view method) const;

  Clock clock_;
  bool enabled_ = false;
  std::unique_ptr<TokenBucketSet> anonymous_;
  std::unique_ptr<TokenBucketSet> token_;
  std::map<std::string, std::unique_ptr<TokenBucketSet>, std::less<>> roles_;
  std::map<std::string, std::unique_ptr<TokenBucketSet>, std::less<>> methods_;
};

}  // namespace bulletin
