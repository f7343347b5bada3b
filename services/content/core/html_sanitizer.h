// Article body HTML made safe on write: parsed with gumbo (an HTML5 parser, as browsers
// parse) and re-serialised with an allow-list of tags and attributes. Script, style,
// iframe, object, form controls and the like are dropped with their content, other
// unknown tags unwrapped; on* / style / class attributes and URLs not http(s) or mailto
// are dropped. Work is bounded: input is parsed only after html_nesting.h has bounded how
// deeply it nests, within a time budget (html_parse.h), and the tree is walked without
// recursion. Pure functions, thread-safe.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bulletin::content {

// The allow-listed, re-serialised form of an HTML fragment (text kept, entities escaped),
// nesting allow-listed elements at most kMaxHtmlDepth deep (deeper ones are unwrapped).
// InvalidArgument without a field path when CheckHtmlNesting refuses `html` or it does
// not parse within ParseBudget (html_parse.h).
absl::StatusOr<std::string> SanitizeBody(absl::string_view html);

// SanitizeBody for callers that cannot fail: a refused fragment gives the empty string.
std::string SanitizeHtml(absl::string_view html);

// The visible text of an HTML fragment: tags removed, entities decoded, block elements
// separated by a newline, runs of whitespace collapsed. Used for search and snippets.
// A fragment SanitizeBody would refuse gives its text between tags, entities as written.
std::string HtmlToText(absl::string_view html);

// `text` with &, <, >, " and ' escaped for HTML.
std::string EscapeHtml(absl::string_view text);

}  // namespace bulletin::content
