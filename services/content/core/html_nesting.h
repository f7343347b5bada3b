// How deeply an HTML fragment nests, found in one linear scan before any parser sees it: an
// HTML5 tree builder spends time proportional to the depth of its stack of open elements on
// many tokens, so a body of 100,000 nested <div> would cost seconds to parse. The scan follows
// the HTML5 tokenizer's tags, comments and raw text, and models the tree builder's stack of
// open elements and list of active formatting elements, closing an element only where the
// tree builder surely closes it; so its estimate is at least the depth the parser builds,
// except for crafted misnesting that can raise the real depth by a small factor (the
// sanitiser measures the parsed tree again). Pure functions, thread-safe.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace bulletin::content {

// Elements may nest at most this deep in an article body.
inline constexpr int kMaxHtmlDepth = 256;

// The scan's estimate of the deepest nesting of elements under <body> that parsing `html`
// builds; the scan stops and returns `limit + 1` as soon as the estimate exceeds `limit`.
// Linear in the size of `html`.
int EstimateHtmlDepth(absl::string_view html, int limit = kMaxHtmlDepth);

// OK, or InvalidArgument "HTML nested deeper than 256 elements" (no field path: the caller
// prefixes its own) when EstimateHtmlDepth exceeds kMaxHtmlDepth.
absl::Status CheckHtmlNesting(absl::string_view html);

}  // namespace bulletin::content
