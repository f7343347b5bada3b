#include "services/notifications/core/subscriptions/event_filter.h"

#include <algorithm>

namespace bulletin::notify {
namespace {

template <typename List, typename Value>
bool Contains(const List& list, const Value& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

}  // namespace

bool Matches(const SubscriptionFilter& filter, const events::v1::ArticleEvent& event) {
  if (!filter.event_types.empty() && !Contains(filter.event_types, event.type())) return false;
  const events::v1::ArticleSnapshot& article = event.article();
  if (!filter.category_ids.empty()) {
    bool hit =
        !article.category_id().empty() && Contains(filter.category_ids, article.category_id());
    if (!hit && filter.include_subcategories) {
      for (const std::string& ancestor : article.category_ancestor_ids()) {
        if (Contains(filter.category_ids, ancestor)) {
          hit = true;
          break;
        }
      }
    }
    if (!hit) return false;
  }
  if (!filter.locales.empty()) {
    bool hit = false;
    for (const events::v1::LocalizedSummary& t : article.translations()) {
      if (Contains(filter.locales, t.locale())) {
        hit = true;
        break;
      }
    }
    if (!hit) return false;
  }
  return true;
}

}  // namespace bulletin::notify
