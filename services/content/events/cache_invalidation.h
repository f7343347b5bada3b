// Cache coherence between content replicas: each replica follows the whole event stream
// (StreamFollower, not a consumer group) and drops its cached copy of every article an event
// names, so a change committed through another replica is read here as soon as its event
// is relayed (in well under a second while Redis is up). When the follower could not read
// for a while, events may have passed unseen, so the whole cache is dropped. While Redis is
// down, a replica's cached copies can be as old as the cache TTL (--cache-ttl). Thread-safe.
#pragma once

#include <memory>

#include "common/redis/redis_client.h"
#include "common/redis/stream_follower.h"
#include "services/content/core/article_cache.h"

namespace bulletin::content {

// A follower (not started) that keeps `cache` coherent with the stream. `redis` and
// `cache` must outlive it.
std::unique_ptr<StreamFollower> CacheInvalidator(RedisClient& redis, ArticleCache& cache,
                                                 StreamFollowerOptions options = {});

}  // namespace bulletin::content
