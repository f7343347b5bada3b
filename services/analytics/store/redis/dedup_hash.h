// The 63-bit hashes under which the counting script remembers visitors (count window) and
// request ids (retries): record_script.cc stores them as integer fields of small Redis
// hashes, which Redis keeps in its compact listpack encoding (10 bytes a field) instead of
// a key of its own per marker. Stable across processes, builds and machines (the bytes are
// read little-endian explicitly): every replica and every later version must hash the same
// id to the same number. Not cryptographic; two distinct ids share a hash with probability
// 2^-63 per pair (docs/architecture.md states what that means for counts). Pure functions,
// thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace bulletin::analytics {

// A hash in [0, 2^63): positive as a signed 64-bit integer, so Redis stores its decimal
// form as an integer.
uint64_t DedupHash(std::string_view id);

// DedupHash as the decimal string the script receives.
std::string DedupHashString(std::string_view id);

}  // namespace bulletin::analytics
