// Input checks of subscriptions. Each returns OK or InvalidArgument whose message starts
// with the field path it was given (e.g. "subscription.webhook_url: ..."). Ids and locales
// follow the one rule set of common/base/text_rules.h (CheckId, CheckLocale). Pure
// functions, thread-safe.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/base/text_rules.h"
#include "services/notifications/core/subscriptions/subscription.h"

namespace bulletin::notify {

// The shared free-text rule (CheckText): required, at most kMaxDisplayName characters
// (UTF-8 code points), valid UTF-8, no control characters, not whitespace-only.
absl::Status CheckDisplayName(absl::string_view value, absl::string_view field);

// PauseSubscription's reason: optional free text (CheckText), at most kMaxPauseReason
// characters, no control characters or line breaks.
absl::Status CheckPauseReason(absl::string_view value, absl::string_view field);

// 1..kMaxOwner printable ASCII characters without spaces.
absl::Status CheckOwner(absl::string_view value, absl::string_view field);

// Checks the filter and canonicalises it: event types sorted, duplicates dropped; locales
// normalised ("zh_cn" -> "zh-CN", as content stores them). `field` is the path of the
// filter, e.g. "subscription.filter".
absl::Status CheckFilter(SubscriptionFilter* filter, absl::string_view field);

// A webhook URL: https://HOST[:PORT][/PATH...], at most kMaxWebhookUrl characters, only
// RFC 3986 characters (no spaces, quotes, control or non-ASCII bytes: percent-encoded
// instead, '%' only as %XX), no user info. Messages never quote the URL. A literal
// loopback/private/link-local address (or "localhost") is refused unless `allow_private`; plain
// http is accepted only for such a host and only when `allow_private`. Host names are not resolved
// here.
absl::Status CheckWebhookUrl(absl::string_view url, bool allow_private, absl::string_view field);

// True when `host` (without brackets) is a literal loopback, private, link-local,
// unspecified or otherwise non-public address, or "localhost".
bool IsPrivateHost(absl::string_view host);

}  // namespace bulletin::notify
