// Which events a subscription receives: SubscriptionFilter applied to an ArticleEvent.
// An empty list matches everything; an event matches when it matches every non-empty
// list. Pure function, thread-safe.
#pragma once

#include "bulletin/events/v1/events.pb.h"
#include "services/notifications/core/subscriptions/subscription.h"

namespace bulletin::notify {

// event_types: the event's type is listed. category_ids: the article's category is
// listed, or (include_subcategories) one of its category_ancestor_ids is. locales: the
// article has a translation in one of them.
bool Matches(const SubscriptionFilter& filter, const events::v1::ArticleEvent& event);

}  // namespace bulletin::notify
