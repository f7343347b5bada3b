#include "common/base/signed_token.h"

#include <openssl/crypto.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/base/crypto.h"

namespace bulletin {
namespace {

constexpr size_t kMacBytes = 16;  // 128 bits

std::string Mac(absl::string_view key, absl::string_view purpose, absl::string_view payload) {
  return HmacSha256(key, absl::StrCat(purpose, "\n", payload)).substr(0, kMacBytes);
}

}  // namespace

std::string SignToken(absl::string_view key, absl::string_view purpose, absl::string_view payload) {
  return absl::StrCat(absl::WebSafeBase64Escape(payload), ".",
                      absl::WebSafeBase64Escape(Mac(key, purpose, payload)));
}

std::optional<std::string> VerifyToken(absl::string_view key, absl::string_view purpose,
                                       absl::string_view token) {
  const size_t dot = token.find('.');
  if (dot == absl::string_view::npos) return std::nullopt;
  const absl::string_view encoded_payload = token.substr(0, dot);
  const absl::string_view encoded_mac = token.substr(dot + 1);
  std::string payload, mac;
  // Decoders ignore some trailing bits: re-encoding must give the token back exactly.
  if (!absl::WebSafeBase64Unescape(encoded_payload, &payload) ||
      !absl::WebSafeBase64Unescape(encoded_mac, &mac) || mac.size() != kMacBytes ||
      absl::WebSafeBase64Escape(payload) != encoded_payload ||
      absl::WebSafeBase64Escape(mac) != encoded_mac) {
    return std::nullopt;
  }
  const std::string expected = Mac(key, purpose, payload);
  if (CRYPTO_memcmp(expected.data(), mac.data(), kMacBytes) != 0) return std::nullopt;
  return payload;
}

}  // namespace bulletin
