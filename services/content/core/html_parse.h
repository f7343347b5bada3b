// One parse of an HTML fragment with gumbo, as a browser parses it, with its cost bounded:
// gumbo's memory comes from an arena released at once (gumbo_destroy_output frees a tree
// recursively, which a deep tree would overflow), and a parse that outlives its time
// budget is abandoned (a safety net behind html_nesting.h, which keeps the work linear for
// all but crafted input). Thread-safe: each call owns its parser and arena.
#pragma once

#include <gumbo.h>

#include <cstddef>
#include <functional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace bulletin::content {

// The time a parse of `bytes` bytes may take: 1 s plus 1 s per megabyte (an ordinary
// 2 MB body parses in about 0.3 s).
absl::Duration ParseBudget(size_t bytes);

// Parses `html` and runs `fn` on its <body> element; the tree lives until `fn` returns.
// InvalidArgument "HTML too complex to parse" (no field path) when parsing took longer
// than `budget`; `fn` is then not run.
absl::Status ParseHtmlBody(absl::string_view html, absl::Duration budget,
                           const std::function<void(const GumboNode* body)>& fn);

}  // namespace bulletin::content
