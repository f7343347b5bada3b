#include "services/content/events/cache_invalidation.h"

#include <utility>
#include <vector>

namespace bulletin::content {

std::unique_ptr<StreamFollower> CacheInvalidator(RedisClient& redis, ArticleCache& cache,
                                                 StreamFollowerOptions options) {
  return std::make_unique<StreamFollower>(
      redis, std::move(options),
      [&cache](const std::vector<StreamEntry>& batch) {
        for (const StreamEntry& entry : batch) {
          if (entry.event != nullptr) cache.Erase(entry.event->article().id());
        }
      },
      [&cache] { cache.Clear(); });
}

}  // namespace bulletin::content
