// The content service's storage seam: articles, categories and the transactional outbox,
// in domain verbs. SqliteArticleStore is the implementation (PostgreSQL later); tests run
// against it on a real database file. Implementations are thread-safe.
//
// Error codes: NOT_FOUND for a missing id/slug, ALREADY_EXISTS for a slug clash (message
// naming the field), FAILED_PRECONDITION for a missing parent/category, UNAVAILABLE when
// the database cannot be reached or stays locked; INTERNAL only for a broken invariant.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/content/content_types.h"

namespace bulletin::content {

// How long a request_id makes a create idempotent.
inline constexpr absl::Duration kRequestIdWindow = absl::Hours(24);

// One event waiting in (or already relayed from) the outbox.
struct OutboxEvent {
  int64_t seq = 0;  // assigned by the store; relay order
  std::string event_id;
  std::string type;  // enum name, e.g. "ARTICLE_EVENT_TYPE_PUBLISHED"
  std::string article_id;
  std::string payload;  // serialized bulletin.events.v1.ArticleEvent
  absl::Time create_time = absl::UnixEpoch();
  std::optional<absl::Time> sent_time;
  std::string stream_id;  // Redis stream entry id once sent
};

struct NewArticleOptions {
  std::string request_id;  // empty: not idempotent
  // The slug was derived, not given: on a clash, try "<slug>-2", "<slug>-3", ...
  bool derived_slug = false;
  absl::Time now;
};

// Changes `article` in place inside the store's transaction and returns the event to write
// to the outbox with it (nullopt: none). `category_ancestor_ids` are the ancestors of
// article.category_id as stored, root first. A non-OK result rolls back and is returned.
using ArticleMutation = std::function<absl::StatusOr<std::optional<OutboxEvent>>(
    Article& article, const std::vector<std::string>& category_ancestor_ids)>;

class ArticleStore {
 public:
  virtual ~ArticleStore() = default;

  // Inserts `category` (id and times set by the caller). With a request_id seen within
  // kRequestIdWindow, returns that category instead and inserts nothing. ALREADY_EXISTS
  // for a taken slug; FAILED_PRECONDITION when parent_id names no category.
  virtual absl::StatusOr<Category> CreateCategory(const Category& category,
                                                  const std::string& request_id,
                                                  absl::Time now) = 0;
  virtual absl::StatusOr<Category> GetCategory(const std::string& id) = 0;
  virtual absl::StatusOr<Category> GetCategoryBySlug(const std::string& slug) = 0;
  // The ancestors of category `id`, root first, excluding it. NOT_FOUND if it is missing.
  virtual absl::StatusOr<std::vector<Category>> GetCategoryAncestors(const std::string& id) = 0;

  // Inserts `article` (every field set by the caller). With a request_id seen within the
  // window, returns that article instead. ALREADY_EXISTS when a given slug (article or
  // translation) belongs to another article; FAILED_PRECONDITION for a missing category.
  virtual absl::StatusOr<Article> CreateArticle(const Article& article,
                                                const NewArticleOptions& options) = 0;
  virtual absl::StatusOr<Article> GetArticle(const std::string& id) = 0;
  // By the article slug or any of its translation slugs.
  virtual absl::StatusOr<Article> GetArticleBySlug(const std::string& slug) = 0;
  // Reads article `id`, applies `mutate`, writes the article and the returned outbox event
  // in one transaction, and returns the article as written.
  virtual absl::StatusOr<Article> UpdateArticle(const std::string& id,
                                                const ArticleMutation& mutate) = 0;
};

// The relay's view of the outbox. Events keep their order (seq).
class OutboxStore {
 public:
  virtual ~OutboxStore() = default;

  // Unsent events, oldest first, at most `limit`.
  virtual absl::StatusOr<std::vector<OutboxEvent>> PendingEvents(int limit) = 0;
  // Records that event `seq` was added to the stream as entry `stream_id` at `now`.
  virtual absl::Status MarkEventSent(int64_t seq, const std::string& stream_id, absl::Time now) = 0;
  // Sent events with sent_time >= since and seq > after_seq, oldest first, at most limit.
  virtual absl::StatusOr<std::vector<OutboxEvent>> SentEventsSince(absl::Time since,
                                                                   int64_t after_seq,
                                                                   int limit) = 0;
  // Deletes sent events with sent_time < cutoff; returns how many.
  virtual absl::StatusOr<int64_t> DeleteSentEventsBefore(absl::Time cutoff) = 0;
  // The Redis run_id the relay last sent to ("" at first start), persisted so a Redis
  // restart during a content restart is still noticed.
  virtual absl::StatusOr<std::string> LoadRelayRunId() = 0;
  virtual absl::Status SaveRelayRunId(const std::string& run_id) = 0;
};

}  // namespace bulletin::content
