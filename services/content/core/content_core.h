// ContentCore: the content service's rules in plain C++ (who may write, validation, slugs,
// request_id idempotency, locale fallback, visibility and preview tokens, update_mask and
// etags, the state machine, lists, search, categories), over an ArticleStore and a cache
// of published articles. Every change of a published article writes its ArticleEvent to
// the outbox in the same store transaction. Errors follow content.proto, an
// INVALID_ARGUMENT message starting with the field path; the store's UNAVAILABLE is passed
// on unchanged. Thread-safe (state lives in the store and the cache).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bulletin/events/v1/events.pb.h"
#include "common/base/auth.h"
#include "common/base/etag.h"
#include "services/content/core/article_cache.h"
#include "services/content/core/article_store.h"
#include "services/content/core/content_requests.h"
#include "services/content/core/content_types.h"
#include "services/content/core/signed_token.h"

namespace bulletin::content {

struct ContentOptions {
  // Site base URL without a trailing '/', for canonical URLs; empty: none.
  std::string site_base_url;
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // Called after a transaction that wrote an outbox event commits (wakes the relay).
  std::function<void()> on_event_committed;
  // Called after an article was scheduled or its schedule changed (wakes the scheduler).
  std::function<void()> on_schedule_changed;
  // Secret signing page and preview tokens. Empty: a random key per process (tokens then
  // do not survive a restart or work across replicas).
  std::string token_key;
  size_t cache_entries = 10000;
  absl::Duration cache_ttl = absl::Seconds(60);
};

class ContentCore {
 public:
  // `store` must outlive the core.
  ContentCore(ArticleStore& store, ContentOptions options);

  // Roles editor/admin: the check every article and category write starts with
  // (UNAUTHENTICATED when anonymous, PERMISSION_DENIED for another role). An adapter that
  // cannot convert a write request calls it first, so callers see the same order of
  // errors as from the core.
  static absl::Status RequireEditor(const Caller& caller);

  // ---- categories (content_core_categories.cc) ----
  // Roles editor/admin. ALREADY_EXISTS (slug); FAILED_PRECONDITION (parent missing).
  // A request_id seen in the last 24 h returns the category created then.
  absl::StatusOr<Category> CreateCategory(const Caller& caller, Category input,
                                          const std::string& request_id);
  // Public. By id or slug (exactly one), with its ancestors. NOT_FOUND.
  absl::StatusOr<CategoryRead> GetCategory(const std::string& id, const std::string& slug);
  // Public. The whole tree depth-first (siblings by sort_order, slug), or parent_id's
  // children. NOT_FOUND (parent_id).
  absl::StatusOr<CategoryPage> ListCategories(const CategoryListQuery& query);
  // Roles editor/admin. ABORTED (etag); ALREADY_EXISTS; FAILED_PRECONDITION (parent).
  absl::StatusOr<Category> UpdateCategory(const Caller& caller, CategoryUpdate update);
  // Role admin. ABORTED (etag); FAILED_PRECONDITION while articles or children refer to it.
  absl::Status DeleteCategory(const Caller& caller, const std::string& id, const std::string& etag);

  // ---- articles (content_core.cc, content_core_update.cc) ----
  // Roles editor/admin. Creates a DRAFT with revision 1; derives a unique slug when none is
  // given. ALREADY_EXISTS (given slug taken); FAILED_PRECONDITION (category missing).
  absl::StatusOr<Article> CreateArticle(const Caller& caller, Article input,
                                        const std::string& request_id);
  // Public for published articles (served from the cache); others need editor/admin or a
  // preview token for the article (PERMISSION_DENIED when it is invalid), else NOT_FOUND.
  absl::StatusOr<ArticleRead> GetArticle(const Caller& caller, ArticleQuery query);
  // Roles editor/admin. Applies update_mask paths; see content.proto UpdateArticle.
  absl::StatusOr<Article> UpdateArticle(const Caller& caller, UpdateCommand command);
  // Roles editor/admin. Publishes now (event now) or schedules a future time (SCHEDULED;
  // the scheduler publishes it and emits the event then). FAILED_PRECONDITION when already
  // published or the default translation lacks a title/body.
  absl::StatusOr<Article> PublishArticle(const Caller& caller, const PublishCommand& command);
  // Roles editor/admin. PUBLISHED/SCHEDULED -> DRAFT. FAILED_PRECONDITION otherwise.
  absl::StatusOr<Article> UnpublishArticle(const Caller& caller, const StateCommand& command);
  // Roles editor/admin. Any state but ARCHIVED -> ARCHIVED.
  absl::StatusOr<Article> ArchiveArticle(const Caller& caller, const StateCommand& command);
  // Roles editor/admin. Soft delete; NOT_FOUND when already deleted.
  absl::StatusOr<Article> DeleteArticle(const Caller& caller, const StateCommand& command);
  // Roles editor/admin. A signed token for reading one article that is not deleted;
  // ttl 0 means 1 hour, at most 24 hours.
  absl::StatusOr<PreviewGrant> CreatePreviewToken(const Caller& caller,
                                                  const std::string& article_id,
                                                  absl::Duration ttl);
  // The scheduler's step: publishes every SCHEDULED article whose time has come (author
  // "scheduler", event PUBLISHED now) and returns how many.
  absl::StatusOr<int> PublishDueArticles();

  // ---- reads of many (content_core_lists.cc, content_core_search.cc) ----
  absl::StatusOr<ArticlePage> ListArticles(const Caller& caller, ListArticlesQuery query);
  // Roles editor/admin. Newest first, the current revision included.
  absl::StatusOr<RevisionPage> ListArticleRevisions(const Caller& caller, RevisionsQuery query);
  // Public. Published articles ranked by BM25 with snippets.
  absl::StatusOr<SearchPage> SearchArticles(SearchQuery query);
  // Public for a published article (editors: any visible article). Never the article itself.
  absl::StatusOr<std::vector<ArticleRead>> ListRelatedArticles(const Caller& caller,
                                                               RelatedQuery query);

  ArticleCache& cache() { return cache_; }
  const ContentOptions& options() const { return options_; }
  // Bumped after every category write made through this core (create, update, delete).
  uint64_t category_generation() const { return category_generation_.load(); }

 private:
  // Runs `mutate` in the store's transaction for article `id` (must exist, not deleted,
  // etag current when given), then erases the cache entry and fires the callbacks.
  using Mutation = std::function<absl::StatusOr<ArticleChange>(Article&, const AncestorLookup&)>;
  absl::StatusOr<Article> Mutate(const std::string& id, const std::string& etag_field,
                                 const std::string& etag, const Mutation& mutate);
  // The article by id or slug: from the cache when published, else from the store.
  absl::StatusOr<Article> Load(const std::string& id, const std::string& slug);
  // The articles of `ids` as Load gives them, by id: the cached ones, the rest read from the
  // store together; one not found (deleted since it was listed) is missing from the answer.
  // The store's error when it failed (asked once, not again for each id).
  absl::StatusOr<std::map<std::string, Article>> LoadMany(const std::vector<std::string>& ids);
  // Caches `a` (read from the store at cache generation `generation`) when it is public.
  void CacheIfPublic(const Article& a, uint64_t generation, absl::Time now);
  // The event of `type` for `a` as it is now, ready for the outbox.
  OutboxEvent EventFor(const Article& a, events::v1::ArticleEventType type,
                       const std::vector<std::string>& ancestors);
  // Expands `category_id` (validated, must exist) to itself plus, optionally, descendants.
  absl::StatusOr<std::vector<std::string>> CategoryScope(const std::string& field,
                                                         const std::string& category_id,
                                                         bool include_subcategories);

  ArticleStore& store_;
  ContentOptions options_;
  TokenSigner signer_;
  ArticleCache cache_;
  std::atomic<uint64_t> category_generation_{0};
};

}  // namespace bulletin::content
