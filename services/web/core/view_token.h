// Signed view tokens: what an article page carries so that its beacon (POST /api/v1/views)
// can count a view even when the page itself came from a cache. A token is
// "<article id>.<unix seconds>.<signature>", the signature an HMAC-SHA256 (common/base/
// crypto.h) under the service's key over the id and the time, base64url, truncated to 128
// bits. It is valid for `ttl` after it was made (and never from more than a minute ahead,
// for clock skew). Immutable after construction; thread-safe.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace bulletin::web {

class ViewTokens {
 public:
  // `key` must be non-empty (main reads it from --view-token-key or makes a random one).
  ViewTokens(std::string key, absl::Duration ttl);

  std::string Sign(absl::string_view article_id, absl::Time now) const;

  // The article id a token was made for. InvalidArgument naming "token": "malformed",
  // "signature does not match" (forged or altered, or made under another key), "expired"
  // (older than ttl), "issued in the future".
  absl::StatusOr<std::string> Verify(absl::string_view token, absl::Time now) const;

  absl::Duration ttl() const { return ttl_; }

 private:
  std::string Signature(absl::string_view article_id, int64_t seconds) const;

  const std::string key_;
  const absl::Duration ttl_;
};

}  // namespace bulletin::web
