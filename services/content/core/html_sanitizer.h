// Article body HTML made safe on write: parsed with gumbo (an HTML5 parser, as browsers
// parse) and re-serialised with an allow-list of tags and attributes. Script, style,
// iframe, object, form controls and the like are dropped with their content, other
// unknown tags unwrapped; on* / style / class attributes and URLs not http(s) or mailto
// are dropped. Pure functions, thread-safe.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace bulletin::content {

// The allow-listed, re-serialised form of an HTML fragment (text kept, entities escaped).
std::string SanitizeHtml(absl::string_view html);

// The visible text of an HTML fragment: tags removed, entities decoded, block elements
// separated by a newline, runs of whitespace collapsed. Used for search and snippets.
std::string HtmlToText(absl::string_view html);

// `text` with &, <, >, " and ' escaped for HTML.
std::string EscapeHtml(absl::string_view text);

}  // namespace bulletin::content
