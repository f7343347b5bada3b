// Tamper-evident opaque tokens, once for every service (content's page and preview tokens,
// notifications' page tokens): base64url(payload) "." base64url(MAC), the MAC being
// HMAC-SHA256(key, purpose "\n" payload) truncated to 128 bits. A token made for one
// purpose (or under another key) is refused for another, and only the canonical base64url
// encoding is accepted, so no altered token reads the same. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace bulletin {

// The token carrying `payload` for `purpose` under `key`.
std::string SignToken(absl::string_view key, absl::string_view purpose, absl::string_view payload);

// The payload of a token SignToken made with this key and purpose; nullopt when it is
// malformed, not canonically encoded, altered, or made for another purpose or key.
std::optional<std::string> VerifyToken(absl::string_view key, absl::string_view purpose,
                                       absl::string_view token);

}  // namespace bulletin
