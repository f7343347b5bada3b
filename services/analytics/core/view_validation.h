// Input rules of the analytics contract: article ids, views, locales, addresses.
//
// Each check returns OK or INVALID_ARGUMENT whose message starts with the field's full
// name as the caller spelt it ("article_id: ...", "views[12].client_ip: ..."), so one
// rule serves RecordView, RecordViews, GetStats and ImportViews. Pure functions.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/analytics/core/view_store.h"

namespace bulletin::analytics {

inline constexpr size_t kMaxIdLength = 64;
inline constexpr size_t kMaxVisitorIdLength = 128;
inline constexpr size_t kMaxUserAgentLength = 1024;
inline constexpr size_t kMaxReferrerLength = 2048;
inline constexpr size_t kMaxLocaleLength = 35;
inline constexpr absl::Duration kMaxViewAge = absl::Hours(24);
inline constexpr absl::Duration kMaxViewLead = absl::Minutes(5);

// 1..64 characters of [A-Za-z0-9_-] (article ids and request ids).
absl::Status ValidateId(absl::string_view id, absl::string_view field);

// A normalised BCP-47 tag: "en", "zh-CN", "zh-Hans-CN" (language lower case, script
// title case, region upper case).
absl::Status ValidateLocale(absl::string_view locale, absl::string_view field);

// Every field of `view`, each named `prefix` + field name; `now` bounds view_time.
absl::Status ValidateView(const View& view, absl::Time now, absl::string_view prefix);

// The canonical text of an IPv4/IPv6 address ("::ffff:1.2.3.4" stays distinct from
// "1.2.3.4"; "0:0::1" becomes "::1"); empty when `ip` is not an address.
std::string CanonicalIp(const std::string& ip);

}  // namespace bulletin::analytics
