// The escaping and date formats every feed document shares: XML text and attribute values
// (characters XML 1.0 cannot carry -- C0 controls but tab and line breaks, DEL, C1,
// U+FFFE/U+FFFF -- are dropped, and invalid UTF-8 becomes U+FFFD), HTML text inside XML,
// JSON strings safe to embed in HTML, and RFC 822 / RFC 3339 / HTTP dates. Pure functions,
// thread-safe. The pages' JSON-LD uses AppendJsonString too.
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace bulletin::web::feeds {

// `text` as XML character data or a double-quoted attribute value: & < > " ' as entities,
// tab and line breaks as character references (kept through attribute normalisation).
void AppendXmlEscaped(absl::string_view text, std::string* out);
std::string XmlEscaped(absl::string_view text);

// `text` as a JSON string literal, quotes included: " \ and controls escaped, and < > &
// U+2028 U+2029 as \u escapes so the JSON can sit inside an HTML <script>.
void AppendJsonString(absl::string_view text, std::string* out);

// "2018-02-05T08:00:00Z" (RFC 3339, UTC, whole seconds).
std::string FormatRfc3339(absl::Time t);
// "Mon, 05 Feb 2018 08:00:00 +0000" (RFC 822 with a four-digit year, as RSS 2.0 wants).
std::string FormatRfc822(absl::Time t);

}  // namespace bulletin::web::feeds
