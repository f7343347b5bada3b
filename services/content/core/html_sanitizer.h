// Article body HTML, made safe on write: parsed with a real HTML5 parser (gumbo, the
// algorithm browsers use, so malformed markup cannot smuggle anything past it) and
// re-serialised keeping only an allow-list of tags and attributes. Dropped with their
// content: script, style, iframe, object, embed, template, svg, math, form controls and
// the like. Other unknown tags are unwrapped (their text kept). Attributes outside the
// allow-list (every on*, style, class) are dropped, and so are URLs whose scheme is not
// http, https or mailto (javascript:, data:, vbscript:, ...). Links get rel="noopener
// noreferrer nofollow" when they open a new window. Pure functions, thread-safe.
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
