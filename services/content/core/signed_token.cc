#include "services/content/core/signed_token.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/base/signed_token.h"

namespace bulletin::content {
namespace {

constexpr char kSeparator = '\x1f';

}  // namespace

std::string TokenSigner::Sign(absl::string_view purpose,
                              const std::vector<std::string>& fields) const {
  return SignToken(key_, purpose, absl::StrJoin(fields, std::string(1, kSeparator)));
}

std::optional<std::vector<std::string>> TokenSigner::Verify(absl::string_view purpose,
                                                            absl::string_view token) const {
  std::optional<std::string> payload = VerifyToken(key_, purpose, token);
  if (!payload) return std::nullopt;
  return std::vector<std::string>(absl::StrSplit(*payload, kSeparator));
}

std::string Fingerprint(const std::vector<std::string>& parts) {
  const std::string joined = absl::StrJoin(parts, std::string(1, kSeparator));
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(joined.data()), joined.size(), digest);
  return absl::WebSafeBase64Escape(std::string(reinterpret_cast<const char*>(digest), 9));
}

}  // namespace bulletin::content
