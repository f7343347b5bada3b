// Which views never count: known bots and crawlers by user agent, and addresses the
// operator excludes (staff networks, uptime monitors).
//
// Bot patterns are case-insensitive substrings of the User-Agent: a built-in list
// (search engine crawlers, HTTP libraries, headless browsers, monitors) plus the
// operator's. Excluded addresses are IPv4/IPv6 addresses or CIDR ranges; an IPv4-mapped
// IPv6 address matches IPv4 ranges. Immutable after construction; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/analytics/core/view_store.h"

namespace bulletin::analytics {

class ViewFilter {
 public:
  // The built-in list only, no excluded addresses.
  ViewFilter();

  // `extra_bot_patterns` are added to the built-in list (empty entries ignored);
  // `excluded` is a comma-separated list such as "10.0.0.0/8,192.0.2.7,2001:db8::/32".
  // INVALID_ARGUMENT naming --exclude-addresses and the bad entry.
  static absl::StatusOr<ViewFilter> Create(const std::vector<std::string>& extra_bot_patterns,
                                           absl::string_view excluded);

  // Reads a patterns file: one pattern per line; blank lines and '#' comments ignored.
  // INVALID_ARGUMENT naming --bot-patterns-file when it cannot be read.
  static absl::StatusOr<std::vector<std::string>> LoadPatterns(const std::string& path);

  bool IsBot(absl::string_view user_agent) const;
  bool IsExcluded(absl::string_view ip) const;

  // kBot, kExcludedAddress or kNone (bots first).
  NotCounted Classify(const View& view) const;

 private:
  struct Range {
    int family;  // AF_INET or AF_INET6
    std::array<unsigned char, 16> addr;
    int prefix;  // bits
  };

  static uint64_t NextId();

  uint64_t id_;  // names this pattern list in the per-thread verdict cache of IsBot
  std::vector<std::string> patterns_;  // lower case
  std::vector<Range> ranges_;
};

}  // namespace bulletin::analytics
