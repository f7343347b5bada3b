// bulletin-web's reader of the article event stream. Every replica must see every event
// (each holds its own response cache and list of deleted slugs), so it is a StreamFollower
// (plain XREAD, not a consumer group) that reads the retained stream from its start once
// (which also learns which slugs were deleted), then what is added. After an outage it
// reports the gap (the owner drops its cache) and goes on from the last entry it read, so
// no retained deletion is skipped. It keeps no state in Redis and acknowledges nothing.
// Handlers run on the follower's thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bulletin/events/v1/events.pb.h"
#include "common/redis/redis_client.h"
#include "common/redis/stream_follower.h"

namespace bulletin::web {

using EventHandler = std::function<void(const events::v1::ArticleEvent& event)>;

// A follower (not started) that hands each event to `handler`. `redis` must outlive it.
// `options.from_start` and `options.resume` are set.
std::unique_ptr<StreamFollower> FollowEvents(RedisClient& redis, EventHandler handler,
                                             StreamFollower::GapHandler on_gap,
                                             StreamFollowerOptions options = {});

// The surrogate keys an event makes stale: the article, its slugs, its categories and
// every list ("lists").
std::vector<std::string> KeysOf(const events::v1::ArticleEvent& event);
// Every slug of the article in the event (article slug and translation slugs).
std::vector<std::string> SlugsOf(const events::v1::ArticleEvent& event);

}  // namespace bulletin::web
