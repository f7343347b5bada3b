#include "services/analytics/core/view_validation.h"

#include <arpa/inet.h>

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"

namespace bulletin::analytics {
namespace {

absl::Status Invalid(absl::string_view prefix, absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(prefix, field, ": ", why));
}

}  // namespace

std::string CanonicalIp(const std::string& ip) {
  unsigned char buf[sizeof(in6_addr)];
  char text[INET6_ADDRSTRLEN];
  for (int family : {AF_INET, AF_INET6}) {
    if (inet_pton(family, ip.c_str(), buf) == 1 &&
        inet_ntop(family, buf, text, sizeof(text)) != nullptr) {
      return text;
    }
  }
  return "";
}

absl::Status ValidateView(View& v, absl::Time now, absl::string_view prefix) {
  RETURN_IF_ERROR(CheckId(v.article_id, absl::StrCat(prefix, "article_id")));
  // Free text is checked by its length first (bytes: what it costs), then by the shared
  // rule (UTF-8, no control characters); no message quotes it.
  if (v.visitor_id.size() > kMaxVisitorIdLength) {
    return Invalid(prefix, "visitor_id", "must be at most 128 bytes");
  }
  RETURN_IF_ERROR(CheckText(v.visitor_id, absl::StrCat(prefix, "visitor_id"), {}));
  if (v.visitor_id.empty() && v.client_ip.empty()) {
    return Invalid(prefix, "client_ip", "required when visitor_id is empty");
  }
  if (!v.client_ip.empty() &&
      (v.client_ip.size() > INET6_ADDRSTRLEN || CanonicalIp(v.client_ip).empty())) {
    return Invalid(prefix, "client_ip", "must be an IPv4 or IPv6 address");
  }
  if (v.user_agent.size() > kMaxUserAgentLength) {
    return Invalid(prefix, "user_agent", "must be at most 1024 bytes");
  }
  RETURN_IF_ERROR(CheckText(v.user_agent, absl::StrCat(prefix, "user_agent"), {}));
  if (!v.locale.empty()) RETURN_IF_ERROR(CheckLocale(&v.locale, absl::StrCat(prefix, "locale")));
  if (v.referrer.size() > kMaxReferrerLength) {
    return Invalid(prefix, "referrer", "must be at most 2048 bytes");
  }
  RETURN_IF_ERROR(CheckText(v.referrer, absl::StrCat(prefix, "referrer"), {}));
  if (!v.request_id.empty()) {
    RETURN_IF_ERROR(CheckId(v.request_id, absl::StrCat(prefix, "request_id")));
  }
  if (v.view_time.has_value()) {
    if (*v.view_time < now - kMaxViewAge) {
      return Invalid(prefix, "view_time", "must be at most 24 hours ago");
    }
    if (*v.view_time > now + kMaxViewLead) {
      return Invalid(prefix, "view_time", "must be at most 5 minutes ahead");
    }
  }
  return absl::OkStatus();
}

}  // namespace bulletin::analytics
