// Small text helpers every page renderer uses: HTML escaping for text and attributes,
// JSON string escaping that is also safe inside <script> (so "</script>" in a title cannot
// end a JSON-LD block), dates as pages print them, and absolute URLs. Pure; thread-safe.
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace bulletin::web {

// & < > " ' as entities.
std::string HtmlEscape(absl::string_view text);
// A JSON string literal (quotes included) with <, >, &, U+2028 and U+2029 as \u escapes.
std::string JsonString(absl::string_view text);
// "2018-02-05" (the date in Beijing time, UTC+8: the site's time zone).
std::string PageDate(const google::protobuf::Timestamp& t);
// RFC 3339, e.g. "2018-02-05T02:00:00Z".
std::string IsoTime(const google::protobuf::Timestamp& t);
absl::Time ToTime(const google::protobuf::Timestamp& t);

}  // namespace bulletin::web
