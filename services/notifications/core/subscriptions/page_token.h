// Signed page tokens of the notifications lists (ListSubscriptions, ListDeliveries): the
// store's opaque position, signed (common/base/signed_token.h, the service's --token-key)
// for the list and the request it was made for (owner, subscription, filter),
// so a client can neither forge, alter nor reuse a token for another request. Same scheme
// as content's page tokens. Immutable after construction, thread-safe.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bulletin::notify {

inline constexpr size_t kMaxPageToken = 512;

class PageTokenSigner {
 public:
  // `key`: the server's secret (--token-key; at least 16 bytes). Empty: a random key for
  // this process (tokens then do not survive a restart or work on another replica).
  explicit PageTokenSigner(std::string key);

  // "p1." base64url(position) "." base64url(MAC(list, scope, position)): "p1." and a
  // common/base/signed_token.h token whose purpose is the list and scope.
  std::string Make(absl::string_view list, absl::string_view scope,
                   absl::string_view position) const;

  // The position in `token`. InvalidArgument "page_token: ..." (never quoting the token)
  // when it is over kMaxPageToken bytes, malformed, altered, or made for another list,
  // scope or key.
  absl::StatusOr<std::string> Read(absl::string_view list, absl::string_view scope,
                                   absl::string_view token) const;

 private:
  static std::string Purpose(absl::string_view list, absl::string_view scope);

  const std::string key_;
};

}  // namespace bulletin::notify
