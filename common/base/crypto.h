// Hashes shared by the services: SHA-256 and HMAC-SHA256 over OpenSSL. Thread-safe.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace bulletin {

// SHA-256 of `data`: 32 raw bytes.
std::string Sha256(absl::string_view data);

// HMAC-SHA256 of `data` under `key`: 32 raw bytes.
std::string HmacSha256(absl::string_view key, absl::string_view data);

}  // namespace bulletin
