#include "services/notifications/core/subscriptions/page_token.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/base/ids.h"
#include "common/base/signed_token.h"

namespace bulletin::notify {
namespace {

constexpr absl::string_view kPrefix = "p1.";

absl::Status Invalid(absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("page_token: ", why, " (pass next_page_token as given, with the same request)"));
}

}  // namespace

PageTokenSigner::PageTokenSigner(std::string key)
    : key_(key.empty() ? RandomToken(32) : std::move(key)) {}

std::string PageTokenSigner::Purpose(absl::string_view list, absl::string_view scope) {
  // The scope's length first, so that no (scope, position) pair can be re-split into another.
  return absl::StrCat(list, "\n", scope.size(), ":", scope);
}

std::string PageTokenSigner::Make(absl::string_view list, absl::string_view scope,
                                  absl::string_view position) const {
  return absl::StrCat(kPrefix, SignToken(key_, Purpose(list, scope), position));
}

absl::StatusOr<std::string> PageTokenSigner::Read(absl::string_view list, absl::string_view scope,
                                                  absl::string_view token) const {
  if (token.size() > kMaxPageToken) {
    return Invalid(absl::StrCat("longer than ", kMaxPageToken, " bytes"));
  }
  if (!absl::ConsumePrefix(&token, kPrefix)) return Invalid("malformed");
  if (token.find('.') == absl::string_view::npos) return Invalid("malformed");
  std::optional<std::string> position = VerifyToken(key_, Purpose(list, scope), token);
  if (!position) {
    return Invalid("malformed, altered, or made for another request or by another server key");
  }
  return *std::move(position);
}

}  // namespace bulletin::notify
