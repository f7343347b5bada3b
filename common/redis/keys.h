// Redis key names shared across services: the article event stream.
//
// Every key carries a hash tag so that multi-key commands stay in one Redis Cluster
// slot: `{bulletin}` for the stream and service-wide keys, `{a:<id>}` per article.
// Per-service key families live next to the service's store; this file holds only
// what crosses services.
#pragma once

#include <string>

namespace bulletin::keys {

// The stream of article events (entries: field "event" = serialized
// bulletin.events.v1.ArticleEvent, plus "event_id", "type" and "article_id" for humans).
inline constexpr char kEventStream[] = "{bulletin}:events";

// Stream entry field names.
inline constexpr char kFieldEvent[] = "event";
inline constexpr char kFieldEventId[] = "event_id";
inline constexpr char kFieldType[] = "type";
inline constexpr char kFieldArticleId[] = "article_id";

// Per-article hash-tagged prefix: "{a:<id>}:".
inline std::string ArticlePrefix(const std::string& article_id) {
  return "{a:" + article_id + "}:";
}

}  // namespace bulletin::keys
