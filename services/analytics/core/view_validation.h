// Input rules of the analytics contract for views: ids, visitor, address, user agent,
// locale, referrer, request id and view time. Ids, locales and free text (visitor id, user
// agent, referrer: UTF-8, no control characters) follow the one rule set of
// common/base/text_rules.h (a locale is normalised in place: "zh_cn" -> "zh-CN").
//
// Each check returns OK or INVALID_ARGUMENT whose message starts with the field's full
// name as the caller spelt it ("article_id: ...", "views[12].client_ip: ..."), so one
// rule serves RecordView and RecordViews. Pure functions.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/analytics/core/view_types.h"

namespace bulletin::analytics {

inline constexpr size_t kMaxVisitorIdLength = 128;
inline constexpr size_t kMaxUserAgentLength = 1024;
inline constexpr size_t kMaxReferrerLength = 2048;
inline constexpr absl::Duration kMaxViewAge = absl::Hours(24);
inline constexpr absl::Duration kMaxViewLead = absl::Minutes(5);

// Every field of `view`, each named `prefix` + field name; `now` bounds view_time. A
// locale is normalised in place.
absl::Status ValidateView(View& view, absl::Time now, absl::string_view prefix);

// The canonical text of an IPv4/IPv6 address ("::ffff:1.2.3.4" stays distinct from
// "1.2.3.4"; "0:0::1" becomes "::1"); empty when `ip` is not an address.
std::string CanonicalIp(const std::string& ip);

}  // namespace bulletin::analytics
