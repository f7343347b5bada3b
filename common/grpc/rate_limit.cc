#include "common/grpc/rate_limit.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/base/retry_delay.h"
#include "common/base/text_rules.h"

namespace bulletin {
namespace {

// Far above what one process serves; refuses typos such as "1e12".
constexpr double kMaxRate = 10'000'000;

absl::Status BadLimit(absl::string_view flag, absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("--", flag, ": \"", Excerpt(text), "\": ", why));
}

std::unique_ptr<TokenBucketSet> Buckets(const RateLimit& limit, size_t max_keys) {
  if (limit.rate <= 0) return nullptr;
  return std::make_unique<TokenBucketSet>(limit.rate, limit.burst, max_keys);
}

// "who" exceeds the limit of `buckets`: the status a refused call gets.
absl::Status Refused(absl::string_view scope, absl::string_view who, const TokenBucketSet& buckets,
                     absl::Duration wait) {
  return ResourceExhausted(
      absl::StrFormat("rate limit%s: calls %s exceed %g/s (burst %g); retry in %d ms", scope, who,
                      buckets.rate_per_second(), buckets.burst(), RetryDelayMillis(wait)),
      wait);
}

std::string Who(const Caller& caller, absl::string_view address) {
  if (!caller) return absl::StrCat("without a token from ", Excerpt(address));
  if (caller->role == Role::kPartner) return absl::StrCat("of partner ", Excerpt(caller->partner));
  return absl::StrCat("with this ", RoleName(caller->role), " token");
}

}  // namespace

absl::StatusOr<RateLimit> ParseRateLimit(absl::string_view text, absl::string_view flag) {
  std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(text, absl::MaxSplits(':', 1));
  RateLimit limit;
  if (!absl::SimpleAtod(parts.first, &limit.rate) || !std::isfinite(limit.rate) || limit.rate < 0 ||
      limit.rate > kMaxRate) {
    return BadLimit(flag, text, "expected RPS[:BURST] with RPS a number from 0 (off) to 1e7");
  }
  if (text.find(':') == absl::string_view::npos) {
    limit.burst = std::max(1.0, 2 * limit.rate);
  } else if (!absl::SimpleAtod(parts.second, &limit.burst) || !std::isfinite(limit.burst) ||
             limit.burst < 1 || limit.burst > kMaxRate) {
    return BadLimit(flag, text, "BURST must be a number from 1 to 1e7");
  }
  return limit;
}

absl::StatusOr<std::map<std::string, RateLimit>> ParseRateLimitList(absl::string_view text,
                                                                    absl::string_view flag) {
  std::map<std::string, RateLimit> limits;
  for (absl::string_view entry : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    const size_t eq = entry.find('=');
    if (eq == 0 || eq == absl::string_view::npos) {
      return BadLimit(flag, entry, "expected NAME=RPS[:BURST]");
    }
    absl::StatusOr<RateLimit> limit = ParseRateLimit(entry.substr(eq + 1), flag);
    if (!limit.ok()) return limit.status();
    if (!limits.emplace(std::string(entry.substr(0, eq)), *limit).second) {
      return BadLimit(flag, entry, "name given twice");
    }
  }
  return limits;
}

absl::Status CheckRateLimitRoles(const RateLimitConfig& config, absl::string_view flag) {
  for (const auto& [role, limit] : config.roles) {
    if (role != "admin" && role != "editor" && role != "frontend" && role != "partner") {
      return BadLimit(flag, role, "expected a role: admin, editor, frontend or partner");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckRateLimitMethods(const RateLimitConfig& config,
                                   const std::vector<std::string>& methods,
                                   absl::string_view flag) {
  for (const auto& [name, limit] : config.methods) {
    const bool known =
        std::any_of(methods.begin(), methods.end(), [&, &name = name](const std::string& m) {
          const size_t slash = m.rfind('/');
          return m == name ||
                 (slash != std::string::npos && m.compare(slash + 1, std::string::npos, name) == 0);
        });
    if (!known) return BadLimit(flag, name, "no such method in this service");
  }
  return absl::OkStatus();
}

std::string PeerAddressKey(absl::string_view peer) {
  if (absl::ConsumePrefix(&peer, "ipv4:")) {
    const size_t colon = peer.rfind(':');
    return std::string(colon == absl::string_view::npos ? peer : peer.substr(0, colon));
  }
  if (absl::ConsumePrefix(&peer, "ipv6:")) {
    if (absl::ConsumePrefix(&peer, "[")) peer = peer.substr(0, peer.find(']'));
    // A zone ("%25eth0") names the interface, not the host.
    std::string address(peer.substr(0, peer.find('%')));
    unsigned char bytes[16];
    if (inet_pton(AF_INET6, address.c_str(), bytes) != 1) return address;
    static constexpr unsigned char kMappedV4[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    char text[INET6_ADDRSTRLEN];
    if (std::memcmp(bytes, kMappedV4, sizeof(kMappedV4)) == 0) {
      inet_ntop(AF_INET, bytes + 12, text, sizeof(text));
      return text;
    }
    // One host is commonly handed a whole /64: count the prefix, not the address.
    std::memset(bytes + 8, 0, 8);
    inet_ntop(AF_INET6, bytes, text, sizeof(text));
    return absl::StrCat(text, "/64");
  }
  const size_t colon = peer.find(':');
  return std::string(colon == absl::string_view::npos ? peer : peer.substr(0, colon));
}

CallLimiter::CallLimiter(const RateLimitConfig& config, Clock clock)
    : clock_(clock ? std::move(clock) : Clock([] { return absl::Now(); })) {
  anonymous_ = Buckets(config.anonymous, config.max_keys);
  token_ = Buckets(config.token, config.max_keys);
  enabled_ = anonymous_ != nullptr || token_ != nullptr;
  for (const auto& [role, limit] : config.roles) {
    // A role's own entry replaces --rate-token even when it is 0 (unlimited): keep the null.
    roles_.emplace(role, Buckets(limit, config.max_keys));
    enabled_ = enabled_ || limit.rate > 0;
  }
  for (const auto& [method, limit] : config.methods) {
    if (std::unique_ptr<TokenBucketSet> buckets = Buckets(limit, config.max_keys)) {
      methods_.emplace(method, std::move(buckets));
      enabled_ = true;
    }
  }
}

TokenBucketSet* CallLimiter::MethodBuckets(absl::string_view method) const {
  if (methods_.empty()) return nullptr;
  auto it = methods_.find(method);
  if (it == methods_.end()) {
    const size_t slash = method.rfind('/');
    if (slash != absl::string_view::npos) it = methods_.find(method.substr(slash + 1));
  }
  return it == methods_.end() ? nullptr : it->second.get();
}

absl::Status CallLimiter::Admit(const grpc::ServerContextBase& context, const Caller& caller,
                                absl::string_view method) {
  if (!enabled_) return absl::OkStatus();
  return AdmitPeer(context.peer(), caller, method);
}

absl::Status CallLimiter::AdmitPeer(absl::string_view peer, const Caller& caller,
                                    absl::string_view method) {
  if (!enabled_) return absl::OkStatus();
  const absl::Time now = clock_();
  std::string key;
  std::string address;
  TokenBucketSet* general = nullptr;
  if (caller) {
    key = LimitKey(*caller);
    auto role = roles_.find(RoleName(caller->role));
    general = role != roles_.end() ? role->second.get() : token_.get();
  } else {
    address = PeerAddressKey(peer);
    key = address;
    general = anonymous_.get();
  }
  if (general != nullptr) {
    if (absl::Duration wait = general->TryTake(key, now); wait > absl::ZeroDuration()) {
      return Refused("", Who(caller, address), *general, wait);
    }
  }
  if (TokenBucketSet* own = MethodBuckets(method)) {
    // Anonymous and authenticated callers share this set: the prefix keeps them apart.
    if (absl::Duration wait = own->TryTake(absl::StrCat(caller ? "t/" : "a/", key), now);
        wait > absl::ZeroDuration()) {
      const size_t slash = method.rfind('/');
      return Refused(absl::StrCat(" of ", Excerpt(slash == absl::string_view::npos
                                                      ? method
                                                      : method.substr(slash + 1))),
                     Who(caller, address), *own, wait);
    }
  }
  return absl::OkStatus();
}

}  // namespace bulletin
