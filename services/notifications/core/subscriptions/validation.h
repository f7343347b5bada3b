// Input checks of the notifications service. Each returns OK or InvalidArgument whose
// message starts with the field path it was given (e.g. "subscription.webhook_url: ...").
// Pure functions, thread-safe.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/notifications/core/subscriptions/subscription.h"

namespace bulletin::notify {

// Opaque ids (subscription ids, category ids, request ids): 1..64 of [A-Za-z0-9_-].
absl::Status CheckId(absl::string_view value, absl::string_view field);

// Normalised BCP-47 tag: language (2-3 lower-case letters), optional script (Title
// case, 4 letters), optional region (2 upper-case letters or 3 digits): "en", "zh-CN",
// "zh-Hans-CN".
absl::Status CheckLocale(absl::string_view value, absl::string_view field);

// 1..kMaxDisplayName characters (UTF-8 code points), no control characters.
absl::Status CheckDisplayName(absl::string_view value, absl::string_view field);

// 1..kMaxOwner printable ASCII characters without spaces.
absl::Status CheckOwner(absl::string_view value, absl::string_view field);

// Checks the filter and canonicalises it (event types sorted, duplicates dropped).
// `field` is the path of the filter, e.g. "subscription.filter".
absl::Status CheckFilter(SubscriptionFilter* filter, absl::string_view field);

// A webhook URL: https://HOST[:PORT][/PATH...], at most kMaxWebhookUrl characters, no
// user info, no whitespace. A literal loopback/private/link-local address (or
// "localhost") is refused unless `allow_private`; plain http is accepted only for such
// a host and only when `allow_private`. Host names are not resolved here.
absl::Status CheckWebhookUrl(absl::string_view url, bool allow_private, absl::string_view field);

// True when `host` (without brackets) is a literal loopback, private, link-local,
// unspecified or otherwise non-public address, or "localhost".
bool IsPrivateHost(absl::string_view host);

}  // namespace bulletin::notify
