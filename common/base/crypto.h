// Keyed hashes shared by the services: HMAC-SHA256 over OpenSSL. Thread-safe.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace bulletin {

// HMAC-SHA256 of `data` under `key`: 32 raw bytes.
std::string HmacSha256(absl::string_view key, absl::string_view data);

}  // namespace bulletin
