// Request targets as bulletin-web reads them: the path split into percent-decoded segments
// and the query into decoded parameters, refusing what no page can mean -- bad
// percent-encoding, invalid UTF-8, control characters, too many parameters -- with an
// InvalidArgument that names the part ("path", "query parameter q") so the answer is a 400.
// Pure functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bulletin::web {

struct ParsedTarget {
  std::string path;                   // decoded, e.g. "/zh-CN/articles/a-b"
  std::vector<std::string> segments;  // decoded, empty ones dropped: {"zh-CN","articles","a-b"}
  bool trailing_slash = false;        // the path ends in '/' (the root "/" too)
  std::map<std::string, std::string> query;  // decoded; a repeated name keeps the first
};

inline constexpr size_t kMaxQueryParams = 32;

// Decodes %XX escapes (and '+' as a space when `plus_is_space`). InvalidArgument naming
// `field` for a truncated or non-hex escape, invalid UTF-8, or a control character.
absl::StatusOr<std::string> PercentDecode(absl::string_view in, absl::string_view field,
                                          bool plus_is_space);

// Percent-encodes everything but unreserved characters (RFC 3986), for query values.
std::string PercentEncode(absl::string_view in);

// Parses an origin-form target ("/path?query"). InvalidArgument when it does not start
// with '/', or a segment or parameter does not decode (see PercentDecode), or there are
// more than kMaxQueryParams parameters.
absl::StatusOr<ParsedTarget> ParseTarget(absl::string_view target);

}  // namespace bulletin::web
