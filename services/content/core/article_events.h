// The article's public projections: its locale links (the language switch), canonical
// URLs, and the bulletin.events.v1.ArticleEvent written to the outbox on a change.
// Pure functions of their arguments, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "bulletin/events/v1/events.pb.h"
#include "services/content/core/article_store.h"
#include "services/content/core/content_types.h"

namespace bulletin::content {

// "<base>/<locale>/articles/<slug>"; empty when `base_url` is empty.
std::string CanonicalUrl(const std::string& base_url, const std::string& locale,
                         const std::string& slug);

// The article's locales: the default locale first, then the others by tag (byte order).
std::vector<std::string> LocaleOrder(const Article& article);

// The slug of `locale`: the translation's own, else the article slug.
std::string LocaleSlug(const Article& article, const std::string& locale);

// One link per locale, in LocaleOrder.
std::vector<LocaleLink> LocaleLinks(const Article& article, const std::string& base_url);

// The event announcing `article` as it is now. `category_ancestor_ids`: root first,
// excluding article.category_id.
events::v1::ArticleEvent BuildArticleEvent(const Article& article,
                                           events::v1::ArticleEventType type,
                                           const std::vector<std::string>& category_ancestor_ids,
                                           const std::string& base_url, const std::string& event_id,
                                           absl::Time occur_time);

// The outbox row carrying `event` (seq unset).
OutboxEvent ToOutboxEvent(const events::v1::ArticleEvent& event, absl::Time now);

}  // namespace bulletin::content
