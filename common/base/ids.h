// Identifiers and secrets.
//
// NewId() returns a UUIDv7 string (RFC 9562): time-ordered, so ids sort by creation time,
// which keeps B-tree inserts local and makes ids usable as keyset-pagination tie-breakers.
// RandomToken() draws from OpenSSL's CSPRNG for secrets. All functions are thread-safe.
#pragma once

#include <cstddef>
#include <string>

namespace bulletin {

// A new UUIDv7, lower-case hex with dashes (36 characters).
std::string NewId();

// `bytes` random bytes from a CSPRNG, hex-encoded (2 * bytes characters).
std::string RandomHex(size_t bytes);

// `bytes` random bytes from a CSPRNG, URL-safe base64 without padding.
std::string RandomToken(size_t bytes);

}  // namespace bulletin
