// Content's opaque, tamper-evident tokens: page tokens and preview tokens, each a list of
// fields joined by U+001F and signed with common/base/signed_token.h, so a client can
// neither forge nor alter one, and a token minted for one purpose ("page:articles",
// "preview") is refused for another. Immutable after construction, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace bulletin::content {

class TokenSigner {
 public:
  // `key`: the server's secret (any bytes; at least 16 recommended).
  explicit TokenSigner(std::string key) : key_(std::move(key)) {}

  std::string Sign(absl::string_view purpose, const std::vector<std::string>& fields) const;
  // The fields of a token this signer made for `purpose`; nullopt when the token is
  // malformed, altered or made for another purpose or key.
  std::optional<std::vector<std::string>> Verify(absl::string_view purpose,
                                                 absl::string_view token) const;

 private:
  std::string key_;
};

// A short stable fingerprint of request fields, embedded in page tokens so a token is
// refused with other filters than the ones it was made for.
std::string Fingerprint(const std::vector<std::string>& parts);

}  // namespace bulletin::content
