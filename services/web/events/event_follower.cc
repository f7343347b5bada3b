#include "services/web/events/event_follower.h"

#include <utility>

namespace bulletin::web {

std::unique_ptr<StreamFollower> FollowEvents(RedisClient& redis, EventHandler handler,
                                             StreamFollower::GapHandler on_gap,
                                             StreamFollowerOptions options) {
  options.from_start = true;
  options.resume = true;
  return std::make_unique<StreamFollower>(
      redis, std::move(options),
      [handler = std::move(handler)](const std::vector<StreamEntry>& batch) {
        for (const StreamEntry& entry : batch) {
          if (entry.event != nullptr) handler(*entry.event);
        }
      },
      std::move(on_gap));
}

std::vector<std::string> SlugsOf(const events::v1::ArticleEvent& event) {
  std::vector<std::string> slugs;
  if (!event.article().slug().empty()) slugs.push_back(event.article().slug());
  for (const events::v1::LocalizedSummary& t : event.article().translations()) {
    if (!t.slug().empty()) slugs.push_back(t.slug());
  }
  return slugs;
}

std::vector<std::string> KeysOf(const events::v1::ArticleEvent& event) {
  const events::v1::ArticleSnapshot& a = event.article();
  std::vector<std::string> keys = {"lists", "stats", "a:" + a.id()};
  if (!a.category_id().empty()) keys.push_back("c:" + a.category_id());
  for (const std::string& c : a.category_ancestor_ids()) keys.push_back("c:" + c);
  for (const std::string& s : SlugsOf(event)) keys.push_back("slug:" + s);
  return keys;
}

}  // namespace bulletin::web
