// What analytics learns from the article event stream: each article's metadata (published
// or not, categories, locales, titles and slugs), so top lists can filter and title their
// entries and drop unpublished or deleted articles.
//
// The stream is read by the shared ConsumerGroupReader in the "analytics" group; the
// handler here maps each event to an ArticleMeta and stores it with
// ViewStore::ApplyArticle, which keeps the newest revision, so replays are harmless
// (at-least-once). A batch is acknowledged only once all of it is stored. Thread-safe.
#pragma once

#include <optional>
#include <string>

#include "bulletin/events/v1/events.pb.h"
#include "common/redis/stream_reader.h"
#include "services/analytics/core/view_store.h"

namespace bulletin::analytics {

inline constexpr char kConsumerGroup[] = "analytics";

// The metadata an event carries; nullopt for an event analytics ignores (another type, no
// or a malformed article id). What is stored is checked as a request would be: malformed
// category ids and translations with a malformed locale are left out, locales are
// normalised, and a title or slug that breaks the free-text rule (control characters,
// invalid UTF-8, over 1000 / 200 characters) is stored empty (unknown).
std::optional<ArticleMeta> ArticleMetaOf(const events::v1::ArticleEvent& event);

// Stores the metadata of each event of `batch` in order; entries without a usable event
// are skipped. The store's error (e.g. UNAVAILABLE) leaves the batch unacknowledged.
absl::Status ApplyArticleEvents(ViewStore& store, const std::vector<StreamEntry>& batch);

// The reader options of the analytics group for replica `consumer` (empty: host-pid):
// blocks up to 1 s, claims entries another replica left pending for 60 s, 100 per batch.
ConsumerGroupOptions ArticleEventsReaderOptions(std::string consumer);

// The reader's handler: ApplyArticleEvents on `store` (which must outlive the reader).
ConsumerGroupReader::Handler ArticleEventsHandler(ViewStore& store);

}  // namespace bulletin::analytics
