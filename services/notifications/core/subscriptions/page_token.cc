#include "services/notifications/core/subscriptions/page_token.h"

#include <openssl/crypto.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/base/crypto.h"
#include "common/base/ids.h"

namespace bulletin::notify {
namespace {

constexpr absl::string_view kPrefix = "p1.";
constexpr size_t kMacBytes = 16;  // 128 bits, as content's tokens

absl::Status Invalid(absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("page_token: ", why, " (pass next_page_token as given, with the same request)"));
}

}  // namespace

PageTokenSigner::PageTokenSigner(std::string key)
    : key_(key.empty() ? RandomToken(32) : std::move(key)) {}

std::string PageTokenSigner::Mac(absl::string_view list, absl::string_view scope,
                                 absl::string_view position) const {
  // Lengths first, so that no (scope, position) pair can be re-split into another.
  return HmacSha256(key_, absl::StrCat(list, "\n", scope.size(), ":", scope, "\n", position))
      .substr(0, kMacBytes);
}

std::string PageTokenSigner::Make(absl::string_view list, absl::string_view scope,
                                  absl::string_view position) const {
  return absl::StrCat(kPrefix, absl::WebSafeBase64Escape(position), ".",
                      absl::WebSafeBase64Escape(Mac(list, scope, position)));
}

absl::StatusOr<std::string> PageTokenSigner::Read(absl::string_view list, absl::string_view scope,
                                                  absl::string_view token) const {
  if (token.size() > kMaxPageToken) {
    return Invalid(absl::StrCat("longer than ", kMaxPageToken, " bytes"));
  }
  if (token.substr(0, kPrefix.size()) != kPrefix) return Invalid("malformed");
  token.remove_prefix(kPrefix.size());
  const size_t dot = token.find('.');
  std::string position, mac;
  // Only the canonical encoding is accepted: base64 decoders ignore some trailing bits, and
  // a token that reads the same after a change would not be "any alteration refused".
  if (dot == absl::string_view::npos ||
      !absl::WebSafeBase64Unescape(token.substr(0, dot), &position) ||
      !absl::WebSafeBase64Unescape(token.substr(dot + 1), &mac) || mac.size() != kMacBytes ||
      absl::WebSafeBase64Escape(position) != token.substr(0, dot) ||
      absl::WebSafeBase64Escape(mac) != token.substr(dot + 1)) {
    return Invalid("malformed");
  }
  const std::string expected = Mac(list, scope, position);
  if (CRYPTO_memcmp(expected.data(), mac.data(), kMacBytes) != 0) {
    return Invalid("altered, or made for another request or by another server key");
  }
  return position;
}

}  // namespace bulletin::notify
