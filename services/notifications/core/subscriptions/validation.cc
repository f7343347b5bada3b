#include "services/notifications/core/subscriptions/validation.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"

namespace bulletin::notify {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

bool PrivateV4(uint32_t a) {  // host byte order
  auto in = [a](uint32_t net, int bits) { return (a >> (32 - bits)) == (net >> (32 - bits)); };
  return in(0x00000000, 8) || in(0x0A000000, 8) || in(0x64400000, 10) || in(0x7F000000, 8) ||
         in(0xA9FE0000, 16) || in(0xAC100000, 12) || in(0xC0000000, 24) || in(0xC0A80000, 16) ||
         in(0xC6120000, 15) || in(0xE0000000, 3);  // multicast, reserved and broadcast
}

// RFC 3986 unreserved and reserved characters, and '%' (checked for its two hex digits).
bool IsUrlChar(unsigned char c) {
  return absl::ascii_isalnum(c) || std::strchr("-._~:/?#[]@!$&'()*+,;=%", c) != nullptr;
}

}  // namespace

absl::Status CheckDisplayName(absl::string_view value, absl::string_view field) {
  TextRule rule;
  rule.required = true;
  rule.max_code_points = kMaxDisplayName;
  return CheckText(value, field, rule);
}

absl::Status CheckPauseReason(absl::string_view value, absl::string_view field) {
  TextRule rule;
  rule.max_code_points = kMaxPauseReason;
  return CheckText(value, field, rule);
}

absl::Status CheckOwner(absl::string_view value, absl::string_view field) {
  if (value.empty()) return Invalid(field, "must not be empty");
  if (value.size() > static_cast<size_t>(kMaxOwner)) {
    return Invalid(field, absl::StrCat("longer than ", kMaxOwner, " characters"));
  }
  for (char c : value) {
    if (c <= ' ' || c >= 0x7F) return Invalid(field, "must be printable ASCII without spaces");
  }
  return absl::OkStatus();
}

absl::Status CheckFilter(SubscriptionFilter* filter, absl::string_view field) {
  std::vector<EventType>& types = filter->event_types;
  if (types.size() > static_cast<size_t>(kMaxEventTypes)) {
    return Invalid(absl::StrCat(field, ".event_types"),
                   absl::StrCat("at most ", kMaxEventTypes, " entries"));
  }
  for (size_t i = 0; i < types.size(); ++i) {
    if (types[i] == events::v1::ARTICLE_EVENT_TYPE_UNSPECIFIED ||
        !events::v1::ArticleEventType_IsValid(types[i])) {
      return Invalid(absl::StrCat(field, ".event_types[", i, "]"),
                     absl::StrCat("unknown event type ", static_cast<int>(types[i])));
    }
  }
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  if (filter->category_ids.size() > static_cast<size_t>(kMaxCategoryIds)) {
    return Invalid(absl::StrCat(field, ".category_ids"),
                   absl::StrCat("at most ", kMaxCategoryIds, " entries"));
  }
  for (size_t i = 0; i < filter->category_ids.size(); ++i) {
    RETURN_IF_ERROR(
        CheckId(filter->category_ids[i], absl::StrCat(field, ".category_ids[", i, "]")));
  }
  if (filter->locales.size() > static_cast<size_t>(kMaxLocales)) {
    return Invalid(absl::StrCat(field, ".locales"),
                   absl::StrCat("at most ", kMaxLocales, " entries"));
  }
  for (size_t i = 0; i < filter->locales.size(); ++i) {
    RETURN_IF_ERROR(CheckLocale(&filter->locales[i], absl::StrCat(field, ".locales[", i, "]")));
  }
  return absl::OkStatus();
}

bool IsPrivateHost(absl::string_view host) {
  std::string h = absl::AsciiStrToLower(host);
  if (h == "localhost" || absl::EndsWith(h, ".localhost") || absl::EndsWith(h, ".localhost.")) {
    return true;
  }
  in_addr v4{};
  // inet_aton accepts every form the resolver does ("127.1", "0x7f000001", octal).
  if (inet_aton(h.c_str(), &v4) != 0) return PrivateV4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (inet_pton(AF_INET6, h.c_str(), &v6) != 1) return false;
  const uint8_t* b = v6.s6_addr;
  static const uint8_t kZero[16] = {};
  bool v4_mapped = std::memcmp(b, kZero, 10) == 0 && b[10] == 0xff && b[11] == 0xff;
  bool v4_compat = std::memcmp(b, kZero, 12) == 0;  // ::a.b.c.d, :: and ::1
  if (v4_mapped || v4_compat) {
    uint32_t a = (uint32_t{b[12]} << 24) | (uint32_t{b[13]} << 16) | (uint32_t{b[14]} << 8) | b[15];
    return v4_compat || PrivateV4(a);
  }
  return (b[0] & 0xfe) == 0xfc ||                                           // fc00::/7 unique local
         (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||                         // fe80::/10 link-local
         b[0] == 0xff ||                                                    // multicast
         (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) ||  // documentation
         (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b);    // NAT64
}

absl::Status CheckWebhookUrl(absl::string_view url, bool allow_private, absl::string_view field) {
  if (url.size() > static_cast<size_t>(kMaxWebhookUrl)) {
    return Invalid(field, absl::StrCat("longer than ", kMaxWebhookUrl, " characters"));
  }
  for (size_t i = 0; i < url.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(url[i]);
    if (c <= ' ' || c >= 0x7F) {
      return Invalid(field, absl::StrCat("must not contain spaces, control or non-ASCII "
                                         "characters (percent-encode them; found at byte ",
                                         i, ")"));
    }
    if (!IsUrlChar(c)) {
      return Invalid(field, absl::StrCat("'", std::string(1, static_cast<char>(c)),
                                         "' is not allowed in a URL (RFC 3986; percent-encode "
                                         "it; found at byte ",
                                         i, ")"));
    }
    if (c == '%' && (i + 2 >= url.size() || !absl::ascii_isxdigit(url[i + 1]) ||
                     !absl::ascii_isxdigit(url[i + 2]))) {
      return Invalid(field, absl::StrCat("'%' must start a %XX escape (found at byte ", i, ")"));
    }
  }
  bool https = absl::StartsWithIgnoreCase(url, "https://");
  bool http = absl::StartsWithIgnoreCase(url, "http://");
  if (!https && !http) return Invalid(field, "must be an https:// URL");
  absl::string_view rest = url.substr(https ? 8 : 7);
  absl::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != absl::string_view::npos) {
    return Invalid(field, "must not contain user info (user@host)");
  }
  absl::string_view host = authority;
  absl::string_view port;
  if (!host.empty() && host[0] == '[') {
    size_t close = host.find(']');
    if (close == absl::string_view::npos) return Invalid(field, "unterminated [IPv6] host");
    port = host.substr(close + 1);
    host = host.substr(1, close - 1);
    if (!port.empty() && port[0] != ':') return Invalid(field, "malformed host");
  } else {
    size_t colon = host.find(':');
    if (colon != absl::string_view::npos) {
      port = host.substr(colon);
      host = host.substr(0, colon);
    }
  }
  if (host.empty()) return Invalid(field, "missing host");
  if (!port.empty()) {
    int p = 0;
    if (!absl::SimpleAtoi(port.substr(1), &p) || p < 1 || p > 65535) {
      return Invalid(field, "bad port");
    }
  }
  for (char c : host) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != ':' &&
        c != '_') {
      return Invalid(field, "malformed host");
    }
  }
  bool is_private = IsPrivateHost(host);
  if (is_private && !allow_private) {
    return Invalid(field,
                   "points at a loopback or private address (refused unless the operator sets "
                   "--allow-private-webhooks)");
  }
  if (http && !is_private) return Invalid(field, "must be an https:// URL");
  return absl::OkStatus();
}

}  // namespace bulletin::notify
