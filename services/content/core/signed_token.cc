#include "services/content/core/signed_token.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/base/crypto.h"

namespace bulletin::content {
namespace {

constexpr char kSeparator = '\x1f';
constexpr size_t kMacBytes = 16;

}  // namespace

std::string TokenSigner::Mac(absl::string_view purpose, absl::string_view payload) const {
  return HmacSha256(key_, absl::StrCat(purpose, "\n", payload)).substr(0, kMacBytes);
}

std::string TokenSigner::Sign(absl::string_view purpose,
                              const std::vector<std::string>& fields) const {
  const std::string payload = absl::StrJoin(fields, std::string(1, kSeparator));
  return absl::StrCat(absl::WebSafeBase64Escape(payload), ".",
                      absl::WebSafeBase64Escape(Mac(purpose, payload)));
}

std::optional<std::vector<std::string>> TokenSigner::Verify(absl::string_view purpose,
                                                            absl::string_view token) const {
  const size_t dot = token.find('.');
  if (dot == absl::string_view::npos) return std::nullopt;
  std::string payload, mac;
  if (!absl::WebSafeBase64Unescape(token.substr(0, dot), &payload) ||
      !absl::WebSafeBase64Unescape(token.substr(dot + 1), &mac) || mac.size() != kMacBytes) {
    return std::nullopt;
  }
  const std::string expected = Mac(purpose, payload);
  if (CRYPTO_memcmp(expected.data(), mac.data(), kMacBytes) != 0) return std::nullopt;
  return std::vector<std::string>(absl::StrSplit(payload, kSeparator));
}

std::string Fingerprint(const std::vector<std::string>& parts) {
  const std::string joined = absl::StrJoin(parts, std::string(1, kSeparator));
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(joined.data()), joined.size(), digest);
  return absl::WebSafeBase64Escape(std::string(reinterpret_cast<const char*>(digest), 9));
}

}  // namespace bulletin::content
