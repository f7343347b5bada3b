// The demo data of `bulletin-content --seed-demo`: the categories Home > News and the
// published article of ../shared/seed/000_419be77ec12ca5d4.txt in English (default) with a
// Simplified Chinese translation. Idempotent: it looks everything up by slug first and
// uses fixed request_ids, so a second run creates nothing. The publish goes through the
// outbox like any other, so a running server's relay sends its event.
#pragma once

#include "absl/status/statusor.h"
#include "services/content/core/article_store.h"
#include "services/content/core/content_core.h"

namespace bulletin::content {

inline constexpr char kDemoArticleSlug[] =
    "tripartite-meeting-first-quarter-2018-un-volunteer-service-cooperation-project";

// Returns the demo article (PUBLISHED), creating and publishing what is missing.
absl::StatusOr<Article> SeedDemo(ContentCore& core, ArticleStore& store);

}  // namespace bulletin::content
