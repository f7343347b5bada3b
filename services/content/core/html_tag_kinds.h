// Internal to the HTML nesting scan (html_tree_model.h): what the HTML5 tree builder does
// with an element, by its lower-cased tag name, as bit flags (HTML5 "Parsing HTML
// documents": void and formatting elements, scopes, the "special" category, the tags that
// close a <p>, leave foreign content, or reopen formatting elements). Thread-safe.
#pragma once

#include <cstdint>

#include "absl/strings/string_view.h"

namespace bulletin::content::html_internal {

enum Kind : uint32_t {
  kVoid = 1 << 0,         // never stays open
  kFormatting = 1 << 1,   // goes into the list of active formatting elements
  kMarker = 1 << 2,       // puts a marker into that list
  kBarrier = 1 << 3,      // bounds "in scope" (select, svg, math, frameset: as good as)
  kClosesP = 1 << 4,      // its start tag closes a <p> in button scope
  kScopeCloser = 1 << 5,  // its end tag pops up to it when it is in scope
  kSpecial = 1 << 6,      // the "special" category
  kListBarrier = 1 << 7,  // bounds "in list item scope" besides the barriers
  kCell = 1 << 8,         // td, th
  kSection = 1 << 9,      // tbody, thead, tfoot
  kIgnored = 1 << 10,     // html, head, body: never nest below <body>
  kZone = 1 << 11,        // svg, math, frameset: other rules inside
  kKeepsList = 1 << 12,   // its start tag does not reopen formatting elements first
  kBreakout = 1 << 13,    // in foreign content, an HTML element
};

// The Kind flags of the element named `name` (lower case).
uint32_t TagKind(absl::string_view name);

}  // namespace bulletin::content::html_internal
