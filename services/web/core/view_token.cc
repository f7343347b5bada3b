#include "services/web/core/view_token.h"

#include <openssl/crypto.h>

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/base/crypto.h"

namespace bulletin::web {
namespace {

constexpr size_t kMaxToken = 200;

bool IsIdChar(char c) { return absl::ascii_isalnum(c) || c == '-' || c == '_'; }

}  // namespace

ViewTokens::ViewTokens(std::string key, absl::Duration ttl) : key_(std::move(key)), ttl_(ttl) {}

std::string ViewTokens::Signature(absl::string_view article_id, int64_t seconds) const {
  std::string mac = HmacSha256(key_, absl::StrCat("view\n", article_id, "\n", seconds));
  std::string encoded;
  absl::WebSafeBase64Escape(mac.substr(0, 16), &encoded);
  return encoded;
}

std::string ViewTokens::Sign(absl::string_view article_id, absl::Time now) const {
  int64_t seconds = absl::ToUnixSeconds(now);
  return absl::StrCat(article_id, ".", seconds, ".", Signature(article_id, seconds));
}

absl::StatusOr<std::string> ViewTokens::Verify(absl::string_view token, absl::Time now) const {
  auto malformed = [] { return absl::InvalidArgumentError("token: malformed"); };
  if (token.empty() || token.size() > kMaxToken) return malformed();
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  int64_t seconds = 0;
  if (parts.size() != 3 || parts[0].empty() || parts[0].size() > 64 ||
      !std::all_of(parts[0].begin(), parts[0].end(), IsIdChar) ||
      !absl::SimpleAtoi(parts[1], &seconds)) {
    return malformed();
  }
  std::string expected = Signature(parts[0], seconds);
  if (expected.size() != parts[2].size() ||
      CRYPTO_memcmp(expected.data(), parts[2].data(), expected.size()) != 0) {
    return absl::InvalidArgumentError("token: signature does not match");
  }
  absl::Time issued = absl::FromUnixSeconds(seconds);
  if (issued > now + absl::Minutes(1)) {
    return absl::InvalidArgumentError("token: issued in the future");
  }
  if (now - issued > ttl_) return absl::InvalidArgumentError("token: expired");
  return std::string(parts[0]);
}

}  // namespace bulletin::web
