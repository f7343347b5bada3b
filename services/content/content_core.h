// The content service's rules, in plain C++: who may write, input validation, slugs,
// request_id idempotency, locale fallback, visibility of unpublished articles, and
// publishing with its ArticleEvent written to the outbox in the same transaction.
// The gRPC adapter and the seed command call it; tests call it directly. Thread-safe
// (state lives in the ArticleStore).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/base/auth.h"
#include "services/content/article_store.h"
#include "services/content/content_types.h"

namespace bulletin::content {

// An ABORTED status (stale etag) carries the current etag as a payload under this key,
// which the adapter sends as trailing metadata of the same name.
inline constexpr char kCurrentEtagKey[] = "bulletin-current-etag";

struct ContentOptions {
  // Site base URL without a trailing '/', for canonical URLs; empty: none.
  std::string site_base_url;
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // Called after a transaction that wrote an outbox event commits (wakes the relay).
  std::function<void()> on_event_committed;
};

struct CategoryRead {
  Category category;
  std::vector<Category> ancestors;  // root first, excluding `category`
};

struct ArticleQuery {
  std::string id;  // exactly one of id and slug
  std::string slug;
  std::string locale;  // optional: read in this locale, with fallback
  std::string preview_token;
  bool basic_view = false;  // leave bodies out
  bool show_deleted = false;
};

struct ArticleRead {
  Article article;                            // with `locale`: only the returned translation
  std::string returned_locale;                // empty without `locale`
  std::vector<LocaleLink> published_locales;  // empty unless PUBLISHED
};

struct PublishCommand {
  std::string id;
  std::string etag;                        // optional; stale -> ABORTED
  std::optional<absl::Time> publish_time;  // future: schedule; past/unset: publish now
};

class ContentCore {
 public:
  ContentCore(ArticleStore* store, ContentOptions options);

  // Roles editor/admin. INVALID_ARGUMENT naming the field; ALREADY_EXISTS (slug);
  // FAILED_PRECONDITION (parent missing); UNAUTHENTICATED; PERMISSION_DENIED.
  // A request_id seen in the last 24 h returns the category created then.
  absl::StatusOr<Category> CreateCategory(const Caller& caller, Category input,
                                          const std::string& request_id);
  // Public. By id or slug (exactly one). INVALID_ARGUMENT; NOT_FOUND.
  absl::StatusOr<CategoryRead> GetCategory(const std::string& id, const std::string& slug);

  // Roles editor/admin. Creates a DRAFT with revision 1; derives a unique slug when none is
  // given. INVALID_ARGUMENT naming the field; ALREADY_EXISTS (given slug taken);
  // FAILED_PRECONDITION (category missing); UNAUTHENTICATED; PERMISSION_DENIED.
  absl::StatusOr<Article> CreateArticle(const Caller& caller, Article input,
                                        const std::string& request_id);
  // Public for published articles; others need editor/admin, else NOT_FOUND.
  // INVALID_ARGUMENT naming the field; NOT_FOUND; UNIMPLEMENTED for preview tokens (#3).
  absl::StatusOr<ArticleRead> GetArticle(const Caller& caller, ArticleQuery query);
  // Roles editor/admin. Publishes now (event to the outbox) or schedules a future time
  // (SCHEDULED, no event yet: the scheduler is issue #3). INVALID_ARGUMENT; NOT_FOUND;
  // ABORTED (stale etag, current one in the message and payload); FAILED_PRECONDITION
  // (already published, default translation without title/body).
  absl::StatusOr<Article> PublishArticle(const Caller& caller, const PublishCommand& command);

 private:
  ArticleStore* store_;
  ContentOptions options_;
};

}  // namespace bulletin::content
