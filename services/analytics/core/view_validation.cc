#include "services/analytics/core/view_validation.h"

#include <arpa/inet.h>

#include <cctype>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace bulletin::analytics {
namespace {

absl::Status Invalid(absl::string_view prefix, absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(prefix, field, ": ", why));
}

bool AllOf(absl::string_view s, int (*pred)(int)) {
  for (unsigned char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

}  // namespace

absl::Status ValidateId(absl::string_view id, absl::string_view field) {
  if (id.empty()) return Invalid("", field, "must not be empty");
  bool ok = id.size() <= kMaxIdLength;
  for (char c : id) ok = ok && (absl::ascii_isalnum(c) || c == '_' || c == '-');
  if (!ok) return Invalid("", field, "must be 1..64 characters of [A-Za-z0-9_-]");
  return absl::OkStatus();
}

absl::Status ValidateLocale(absl::string_view locale, absl::string_view field) {
  constexpr absl::string_view kWhy =
      "must be a normalised BCP-47 tag such as \"en\", \"zh-CN\" or \"zh-Hans-CN\"";
  if (locale.size() > kMaxLocaleLength) return Invalid("", field, kWhy);
  std::vector<absl::string_view> parts = absl::StrSplit(locale, '-');
  const absl::string_view lang = parts[0];
  if (lang.size() < 2 || lang.size() > 3 || !AllOf(lang, islower)) {
    return Invalid("", field, kWhy);
  }
  for (size_t i = 1; i < parts.size(); ++i) {
    absl::string_view p = parts[i];
    bool ok = !p.empty() && p.size() <= 8 && AllOf(p, isalnum);
    if (ok && p.size() == 2 && AllOf(p, isalpha)) ok = AllOf(p, isupper);  // region
    if (ok && i == 1 && p.size() == 4 && AllOf(p, isalpha)) {              // script
      ok = isupper(static_cast<unsigned char>(p[0])) && AllOf(p.substr(1), islower);
    }
    if (!ok) return Invalid("", field, kWhy);
  }
  return absl::OkStatus();
}

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

absl::Status ValidateView(const View& v, absl::Time now, absl::string_view prefix) {
  if (absl::Status s = ValidateId(v.article_id, absl::StrCat(prefix, "article_id")); !s.ok()) {
    return s;
  }
  if (v.visitor_id.size() > kMaxVisitorIdLength) {
    return Invalid(prefix, "visitor_id", "must be at most 128 bytes");
  }
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
  if (!v.locale.empty()) {
    if (absl::Status s = ValidateLocale(v.locale, absl::StrCat(prefix, "locale")); !s.ok()) {
      return s;
    }
  }
  if (v.referrer.size() > kMaxReferrerLength) {
    return Invalid(prefix, "referrer", "must be at most 2048 bytes");
  }
  if (!v.request_id.empty()) {
    if (absl::Status s = ValidateId(v.request_id, absl::StrCat(prefix, "request_id")); !s.ok()) {
      return s;
    }
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
