// The content service's storage seam in domain verbs: articles, categories and the
// transactional outbox. Implemented by store/sqlite, store/memory (the fake of the unit
// tests, with its fault-injecting wrapper); tests/article_store_test.cc holds them to this
// contract. Each call is atomic and thread-safe. Errors: NOT_FOUND (missing id/slug),
// ALREADY_EXISTS (slug clash, naming the field), FAILED_PRECONDITION (missing parent/category),
// UNAVAILABLE (database unreachable or locked); INTERNAL only for a broken invariant.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/content/core/content_types.h"
#include "services/content/core/search_query.h"

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
  std::string author;      // of revision 1
  // The slug was derived, not given: on a clash, try SuffixedSlug(slug, 2), (slug, 3), ...
  bool derived_slug = false;
  absl::Time now;
};

// "<base>-<n>", `base` cut (and stripped of trailing '-') so the result fits in
// kMaxSlugLength.
std::string SuffixedSlug(const std::string& base, int n);

// What a mutation did, recorded by the store in the same transaction.
struct ArticleChange {
  std::optional<OutboxEvent> event;  // written to the outbox; nullopt: none
  std::string author;                // of the revision written with the change
  std::vector<std::string> changed_fields;
};

// Changes `article` in place inside the store's transaction and says what it did.
// `ancestors_of` looks up the ancestors of a category as stored, root first (NOT_FOUND when
// it does not exist). A non-OK result rolls back and is returned.
using AncestorLookup =
    std::function<absl::StatusOr<std::vector<std::string>>(const std::string& category_id)>;
using ArticleMutation = std::function<absl::StatusOr<ArticleChange>(
    Article& article, const AncestorLookup& ancestors_of)>;

// Which articles a list returns. Categories are already expanded to their descendants.
struct ArticleFilter {
  std::vector<std::string> category_ids;  // empty: any category
  std::string tag;                        // empty: any
  std::string require_locale;             // non-empty: only with a translation in it
  ArticleState state = ArticleState::kPublished;
  bool featured_only = false;
  bool featured_first = false;
  bool show_deleted = false;
};

// The position after which a list page starts (keyset): the sort key of the last article.
struct ArticleCursor {
  bool featured = false;  // only meaningful with featured_first
  absl::Time sort_time;   // publish_time, else create_time
  std::string id;
};

// A search hit: one translation of a published article. Lower rank is better (bm25).
struct SearchHit {
  std::string article_id;
  std::string locale;
  double rank = 0;
};

// An article that may be related to another one, with what they share.
struct RelatedCandidate {
  std::string article_id;
  int shared_tags = 0;
  bool same_category = false;
  double text_rank = 0;  // bm25 of the text query; 0 when the text did not match
  absl::Time sort_time;
};

// Changes a category in place inside the store's transaction; a non-OK result rolls back.
using CategoryMutation = std::function<absl::Status(Category& category)>;
// The UPDATED event of a published article whose category ancestry changed.
using CategoryMoveEvent =
    std::function<OutboxEvent(const Article& article, const std::vector<std::string>& ancestors)>;

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
  // The articles of `ids` that exist, in no particular order (an id with no article is left
  // out), read together: a store with round trips reads them in one (a search's page of ten
  // took ten). By default, one GetArticle each.
  virtual absl::StatusOr<std::vector<Article>> GetArticles(const std::vector<std::string>& ids);
  // By the article slug or any of its translation slugs, current or former (a slug an
  // article ever had stays its own; another article taking it is ALREADY_EXISTS).
  virtual absl::StatusOr<Article> GetArticleBySlug(const std::string& slug) = 0;
  // Reads article `id`, applies `mutate`, writes the article, its revision, its search
  // index entries and the returned outbox event in one transaction, and returns the
  // article as written. ALREADY_EXISTS (slug), FAILED_PRECONDITION (category) as on create.
  virtual absl::StatusOr<Article> UpdateArticle(const std::string& id,
                                                const ArticleMutation& mutate) = 0;

  // A page of articles matching `filter`, in list order (featured first when asked, then
  // newest sort time, then id descending), starting after `after`.
  virtual absl::StatusOr<std::vector<Article>> ListArticles(
      const ArticleFilter& filter, const std::optional<ArticleCursor>& after, int limit) = 0;
  virtual absl::StatusOr<int64_t> CountArticles(const ArticleFilter& filter) = 0;
  // Revisions of article `id` older than `before_revision` (0: from the newest), newest
  // first. NOT_FOUND when the article does not exist.
  virtual absl::StatusOr<std::vector<ArticleRevision>> ListRevisions(const std::string& id,
                                                                     int64_t before_revision,
                                                                     int limit) = 0;

  // Ids of SCHEDULED articles with publish_time <= now, oldest first.
  virtual absl::StatusOr<std::vector<std::string>> DueScheduledArticles(absl::Time now,
                                                                        int limit) = 0;
  // The earliest publish_time of a SCHEDULED article; nullopt when none is scheduled.
  virtual absl::StatusOr<std::optional<absl::Time>> NextScheduledTime() = 0;

  // Full-text search of the translations of published, not deleted articles (title,
  // summary and body text, tokenised by TokenizeForSearch, ranked by BM25 with the column
  // weights 5, 2, 1); `locale` (optional) restricts to translations in it, `category_ids`
  // (optional) to those categories. Of the matching translations, the `limit` most
  // recently indexed (an article is indexed when published and on every change while
  // published) are ranked, best first (ties by article id): a query's cost is bounded by
  // `limit`, not by the size of the archive.
  virtual absl::StatusOr<std::vector<SearchHit>> Search(
      const TextQuery& query, const std::string& locale,
      const std::vector<std::string>& category_ids, int limit) = 0;
  // Published articles other than `article` that share a tag or its category (at most
  // `limit` of each, newest first), or whose text matches `text` (no phrases: none; at
  // most `limit` translations, best first; a store may rank only the matches of the
  // title's rarest words, PostgreSQL only the 50 of the highest idf sum of those).
  virtual absl::StatusOr<std::vector<RelatedCandidate>> RelatedCandidates(const Article& article,
                                                                          const TextQuery& text,
                                                                          int limit) = 0;

  // Every category, in no particular order.
  virtual absl::StatusOr<std::vector<Category>> ListCategories() = 0;
  // `id` and every category below it. NOT_FOUND when it does not exist.
  virtual absl::StatusOr<std::vector<std::string>> CategorySubtree(const std::string& id) = 0;
  // Reads category `id`, applies `mutate`, checks the tree (parent exists:
  // FAILED_PRECONDITION; no cycle, depth <= 8: INVALID_ARGUMENT naming
  // category.parent_id; slug free: ALREADY_EXISTS) and writes it. When its parent changed,
  // writes `moved(article)` to the outbox for every published article in its subtree.
  virtual absl::StatusOr<Category> UpdateCategory(const std::string& id,
                                                  const CategoryMutation& mutate,
                                                  const CategoryMoveEvent& moved) = 0;
  // Deletes category `id` after `check` accepted it. FAILED_PRECONDITION while articles
  // (soft-deleted included) or child categories refer to it.
  virtual absl::Status DeleteCategory(
      const std::string& id, const std::function<absl::Status(const Category&)>& check) = 0;
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
  // Number of events in the outbox, sent or not (tests and metrics).
  virtual absl::StatusOr<int64_t> CountOutboxEvents() = 0;
  // Whether this process's relay may send now. Replicas that share a database take turns
  // (one holds a lease), so events go out once and in order; a store that only one process
  // opens is always its own relay's.
  virtual absl::StatusOr<bool> HoldRelayLease() { return true; }
};

}  // namespace bulletin::content
