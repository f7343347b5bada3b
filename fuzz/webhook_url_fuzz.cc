// Fuzz target webhook_url: the subscription input checks of notifications
// (services/notifications/core/subscriptions/validation.h): webhook URLs, display names,
// owners and filters. Besides not crashing: an accepted URL is https (http only for a
// private host when allowed), has no space, control character or user info, and when
// private hosts are not allowed its host is not one by an independent reading (inet_aton,
// which takes every IPv4 form the resolver does, inet_pton for IPv6, "localhost" names);
// error messages are short. Input: a byte (options), a chunk (URL), a chunk (display name),
// a chunk (owner), then the filter: event type bytes, NUL, ids and locales separated by NUL.
#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "fuzz/fuzz_support.h"
#include "services/notifications/core/subscriptions/validation.h"

namespace bulletin::fuzz {
namespace {

bool LocalV4(uint32_t a) {
  const uint32_t top = a >> 24;
  return top == 0 || top == 10 || top == 127 || (a >> 20) == 0xAC1 || (a >> 16) == 0xC0A8 ||
         (a >> 16) == 0xA9FE || (a >> 22) == (0x64400000u >> 22);
}

// Whether a client connecting to `host` (as written in a URL) reaches this machine or
// its private networks.
bool LocalHost(std::string host) {
  absl::AsciiStrToLower(&host);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost" || absl::EndsWith(host, ".localhost")) return true;
  in_addr v4{};
  if (inet_aton(host.c_str(), &v4) != 0) return LocalV4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) != 1) return false;
  const uint8_t* b = v6.s6_addr;
  static const uint8_t kZero[16] = {};
  if (std::memcmp(b, kZero, 15) == 0 && (b[15] == 0 || b[15] == 1)) return true;  // :: and ::1
  if ((b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)) return true;
  if (std::memcmp(b, kZero, 10) == 0 && b[10] == 0xff && b[11] == 0xff) {
    return LocalV4((uint32_t{b[12]} << 24) | (uint32_t{b[13]} << 16) | (uint32_t{b[14]} << 8) |
                   b[15]);
  }
  return false;
}

void CheckShort(const absl::Status& s, absl::string_view what) {
  FUZZ_CHECK(s.ok() || s.code() == absl::StatusCode::kInvalidArgument,
             absl::StrCat(what, ": ", s.ToString().substr(0, 200)));
  FUZZ_CHECK(s.message().size() <= 300,
             absl::StrCat(what, ": message of ", s.message().size(), " bytes"));
}

void CheckUrl(const std::string& url, bool allow_private) {
  const absl::Status st = notify::CheckWebhookUrl(url, allow_private, "subscription.webhook_url");
  CheckShort(st, "CheckWebhookUrl");
  if (!st.ok()) return;
  FUZZ_CHECK(url.size() <= notify::kMaxWebhookUrl, "an accepted URL is too long");
  for (char c : url) {
    FUZZ_CHECK(static_cast<unsigned char>(c) > ' ' && c != 0x7F, "an accepted URL has a space");
  }
  const bool https = absl::StartsWithIgnoreCase(url, "https://");
  FUZZ_CHECK(https || (allow_private && absl::StartsWithIgnoreCase(url, "http://")),
             "an accepted URL is not https: " + url.substr(0, 100));
  const std::string rest = url.substr(https ? 8 : 7);
  const std::string authority = rest.substr(0, rest.find_first_of("/?#\\"));
  FUZZ_CHECK(authority.find('@') == std::string::npos, "an accepted URL has user info");
  std::string host = authority;
  if (!host.empty() && host[0] == '[') {
    host = host.substr(0, host.find(']') + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  FUZZ_CHECK(!host.empty(), "an accepted URL has no host");
  if (!allow_private) {
    FUZZ_CHECK(!LocalHost(host), "a URL to a local host is accepted: " + url.substr(0, 100));
  }
}

}  // namespace
}  // namespace bulletin::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bulletin;          // NOLINT
  using namespace bulletin::notify;  // NOLINT
  using namespace bulletin::fuzz;    // NOLINT
  Quiet();
  FuzzInput in(data, size);
  const uint8_t options = in.Byte();
  const std::string url(in.Chunk());
  const std::string display_name(in.Chunk());
  const std::string owner(in.Chunk());

  CheckUrl(url, (options & 1) != 0);
  (void)IsPrivateHost(url);
  CheckShort(CheckDisplayName(display_name, "subscription.display_name"), "CheckDisplayName");
  CheckShort(CheckOwner(owner, "subscription.owner"), "CheckOwner");

  SubscriptionFilter filter;
  const absl::string_view types = in.Take(8);
  for (char t : types) filter.event_types.push_back(static_cast<EventType>(t));
  filter.include_subcategories = (options & 2) != 0;
  bool ids = true;
  for (absl::string_view part : absl::StrSplit(in.Rest(), '\0')) {
    if (part.empty()) {
      ids = false;
      continue;
    }
    (ids ? filter.category_ids : filter.locales).emplace_back(part);
  }
  const absl::Status st = CheckFilter(&filter, "subscription.filter");
  CheckShort(st, "CheckFilter");
  if (st.ok()) {
    for (size_t i = 1; i < filter.event_types.size(); ++i) {
      FUZZ_CHECK(filter.event_types[i - 1] < filter.event_types[i], "event types not canonical");
    }
  }
  return 0;
}
