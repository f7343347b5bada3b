// ContentCore: creating and reading articles, the state machine (publish, schedule,
// unpublish, archive, delete), preview tokens, and the shared write path (Mutate).
#include "services/content/core/content_core.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/base/ids.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"
#include "services/content/core/article_events.h"
#include "services/content/core/content_core_internal.h"
#include "services/content/core/content_validation.h"

namespace bulletin::content {

using internal::IsEditor;

namespace {

constexpr char kPreviewPurpose[] = "preview";
// The start of google.protobuf.Timestamp's range (common/proto/time.h), which every stored
// time can be written back to.
constexpr absl::Time kEarliestPublishTime = absl::FromUnixSeconds(-62135596800);

// The title a slug is derived from: English if present, else the default locale's.
const std::string& SlugSourceTitle(const Article& a) {
  auto en = a.translations.find("en");
  if (en != a.translations.end()) return en->second.title;
  for (const auto& [locale, tr] : a.translations) {
    if (PrimaryLanguage(locale) == "en") return tr.title;
  }
  return a.translations.at(a.default_locale).title;
}

absl::Status NotFound(const std::string& key) {
  return absl::NotFoundError(absl::StrCat("article \"", Excerpt(key), "\" not found"));
}

// The ancestors of the article's category, root first; none without a category.
absl::StatusOr<std::vector<std::string>> AncestorsOf(const Article& a,
                                                     const AncestorLookup& ancestors_of) {
  if (a.category_id.empty()) return std::vector<std::string>();
  return ancestors_of(a.category_id);
}

}  // namespace

absl::Status ContentCore::RequireEditor(const Caller& caller) {
  return RequireRole(caller, {Role::kEditor, Role::kAdmin});
}

ContentCore::ContentCore(ArticleStore& store, ContentOptions options)
    : store_(store),
      options_(std::move(options)),
      signer_(options_.token_key.empty() ? RandomToken(32) : options_.token_key),
      cache_(options_.cache_entries, options_.cache_ttl) {}

OutboxEvent ContentCore::EventFor(const Article& a, events::v1::ArticleEventType type,
                                  const std::vector<std::string>& ancestors) {
  const absl::Time now = options_.clock();
  return ToOutboxEvent(BuildArticleEvent(a, type, ancestors, options_.site_base_url, NewId(), now),
                       now);
}

absl::StatusOr<Article> ContentCore::Mutate(const std::string& id, const std::string& etag_field,
                                            const std::string& etag, const Mutation& mutate) {
  bool wrote_event = false;
  bool schedule_changed = false;
  absl::StatusOr<Article> result = store_.UpdateArticle(
      id, [&](Article& a, const AncestorLookup& ancestors_of) -> absl::StatusOr<ArticleChange> {
        if (a.delete_time) return NotFound(id);
        if (!etag.empty() && etag != a.etag) return StaleEtag(etag_field, etag, a.etag);
        const ArticleState state = a.state;
        const std::optional<absl::Time> publish_time = a.publish_time;
        a.revision += 1;
        a.etag = internal::NewEtag();
        a.update_time = options_.clock();
        ASSIGN_OR_RETURN(ArticleChange change, mutate(a, ancestors_of));
        wrote_event = change.event.has_value();
        schedule_changed = (state == ArticleState::kScheduled) ||
                           (a.state == ArticleState::kScheduled && a.publish_time != publish_time);
        return change;
      });
  if (absl::IsNotFound(result.status())) return NotFound(id);
  RETURN_IF_ERROR(result);
  cache_.Erase(id);
  if (wrote_event && options_.on_event_committed) options_.on_event_committed();
  if (schedule_changed && options_.on_schedule_changed) options_.on_schedule_changed();
  return result;
}

absl::StatusOr<Article> ContentCore::CreateArticle(const Caller& caller, Article input,
                                                   const std::string& request_id) {
  RETURN_IF_ERROR(RequireEditor(caller));
  RETURN_IF_ERROR(CheckRequestId(request_id));
  RETURN_IF_ERROR(ValidateArticle(input));

  const absl::Time now = options_.clock();
  Article a = std::move(input);
  a.id = NewId();
  a.state = ArticleState::kDraft;
  a.publish_time.reset();
  a.delete_time.reset();
  a.create_time = a.update_time = now;
  a.revision = 1;
  a.etag = internal::NewEtag();
  for (auto& [locale, tr] : a.translations) {
    tr.outdated = false;
    tr.update_time = now;
  }
  NewArticleOptions options{request_id, internal::AuthorOf(caller),
                            /*derived_slug=*/a.slug.empty(), now};
  if (a.slug.empty()) {
    a.slug = SlugFromTitle(SlugSourceTitle(a));
    if (a.slug.empty()) {
      // No Latin letters or digits in the title (e.g. Chinese only): an id-based slug.
      std::string compact = absl::StrReplaceAll(a.id, {{"-", ""}});
      a.slug = absl::StrCat("article-", compact.substr(compact.size() - 8));
    }
  }
  return store_.CreateArticle(a, options);
}

absl::StatusOr<Article> ContentCore::Load(const std::string& id, const std::string& slug) {
  const absl::Time now = options_.clock();
  std::optional<Article> cached = id.empty() ? cache_.GetBySlug(slug, now) : cache_.Get(id, now);
  if (cached) return *std::move(cached);
  const uint64_t generation = cache_.Generation();
  absl::StatusOr<Article> a = id.empty() ? store_.GetArticleBySlug(slug) : store_.GetArticle(id);
  if (a.ok()) CacheIfPublic(*a, generation, now);
  return a;
}

void ContentCore::CacheIfPublic(const Article& a, uint64_t generation, absl::Time now) {
  if (a.state == ArticleState::kPublished && !a.delete_time) cache_.Put(a, generation, now);
}

absl::StatusOr<std::map<std::string, Article>> ContentCore::LoadMany(
    const std::vector<std::string>& ids) {
  const absl::Time now = options_.clock();
  std::map<std::string, Article> out;
  std::vector<std::string> missing;
  for (const std::string& id : ids) {
    std::optional<Article> cached = cache_.Get(id, now);
    if (cached) {
      out.emplace(id, *std::move(cached));
    } else {
      missing.push_back(id);
    }
  }
  if (missing.empty()) return out;
  const uint64_t generation = cache_.Generation();
  ASSIGN_OR_RETURN(std::vector<Article> read, store_.GetArticles(missing));
  for (Article& a : read) {
    CacheIfPublic(a, generation, now);
    std::string id = a.id;
    out.emplace(std::move(id), std::move(a));
  }
  return out;
}

absl::StatusOr<ArticleRead> ContentCore::GetArticle(const Caller& caller, ArticleQuery q) {
  if (q.id.empty() && q.slug.empty()) {
    return absl::InvalidArgumentError("id: one of id or slug is required");
  }
  if (!q.id.empty() && !q.slug.empty()) {
    return absl::InvalidArgumentError("id: give only one of id or slug");
  }
  if (!q.id.empty()) {
    RETURN_IF_ERROR(CheckId(q.id, "id"));
  } else if (!IsValidSlug(q.slug)) {
    return absl::InvalidArgumentError(
        absl::StrCat("slug: \"", Excerpt(q.slug), "\" is not a valid slug"));
  }
  RETURN_IF_ERROR(CheckOptionalLocale(&q.locale, "locale"));
  if (q.preview_token.size() > 1024) {
    return absl::InvalidArgumentError("preview_token: longer than 1024 characters");
  }
  const std::string key = q.id.empty() ? q.slug : q.id;
  absl::StatusOr<Article> a = Load(q.id, q.slug);
  if (absl::IsNotFound(a.status())) return NotFound(key);
  RETURN_IF_ERROR(a);
  const bool is_public = a->state == ArticleState::kPublished && !a->delete_time;
  if (!is_public) {
    if (a->delete_time && !(IsEditor(caller) && q.show_deleted)) return NotFound(key);
    if (!IsEditor(caller)) {
      if (q.preview_token.empty()) return NotFound(key);
      std::optional<std::vector<std::string>> fields =
          signer_.Verify(kPreviewPurpose, q.preview_token);
      int64_t expire = 0;
      if (!fields || fields->size() != 2 || !absl::SimpleAtoi((*fields)[1], &expire)) {
        return absl::PermissionDeniedError("preview_token: not a valid preview token");
      }
      if ((*fields)[0] != a->id) {
        return absl::PermissionDeniedError("preview_token: made for another article");
      }
      if (absl::FromUnixSeconds(expire) <= options_.clock()) {
        return absl::PermissionDeniedError("preview_token: expired");
      }
    }
  }
  return internal::MakeRead(*std::move(a), q.locale, q.basic_view, options_.site_base_url);
}

absl::StatusOr<Article> ContentCore::PublishArticle(const Caller& caller,
                                                    const PublishCommand& cmd) {
  RETURN_IF_ERROR(RequireEditor(caller));
  RETURN_IF_ERROR(CheckId(cmd.id, "id"));
  const absl::Time now = options_.clock();
  // The adapter's conversion checks the Timestamp range too; a caller of the core may not.
  if (cmd.publish_time && *cmd.publish_time < kEarliestPublishTime) {
    return absl::InvalidArgumentError("publish_time: before 0001-01-01T00:00:00Z");
  }
  if (cmd.publish_time && *cmd.publish_time > now + absl::Hours(24 * 365)) {
    return absl::InvalidArgumentError("publish_time: more than 1 year ahead");
  }
  return Mutate(
      cmd.id, "etag", cmd.etag,
      [&](Article& a, const AncestorLookup& ancestors_of) -> absl::StatusOr<ArticleChange> {
        if (a.state == ArticleState::kPublished) {
          return absl::FailedPreconditionError(
              absl::StrCat("article \"", a.id, "\" is already published"));
        }
        const Translation& def = a.translations.at(a.default_locale);
        const std::string f = absl::StrCat("article.translations[", a.default_locale, "].");
        if (def.title.empty()) {
          return absl::FailedPreconditionError(f + "title: must not be empty to publish");
        }
        if (def.body.empty()) {
          return absl::FailedPreconditionError(f + "body: must not be empty to publish");
        }
        const bool schedule = cmd.publish_time && *cmd.publish_time > now;
        a.state = schedule ? ArticleState::kScheduled : ArticleState::kPublished;
        a.publish_time = cmd.publish_time ? *cmd.publish_time : now;
        ArticleChange change{std::nullopt, internal::AuthorOf(caller), {"state", "publish_time"}};
        if (schedule) return change;
        ASSIGN_OR_RETURN(std::vector<std::string> ancestors, AncestorsOf(a, ancestors_of));
        change.event = EventFor(a, events::v1::ARTICLE_EVENT_TYPE_PUBLISHED, ancestors);
        return change;
      });
}

absl::StatusOr<int> ContentCore::PublishDueArticles() {
  const absl::Time now = options_.clock();
  ASSIGN_OR_RETURN(std::vector<std::string> due, store_.DueScheduledArticles(now, 100));
  int published = 0;
  for (const std::string& id : due) {
    absl::StatusOr<Article> done = Mutate(
        id, "etag", "",
        [&](Article& a, const AncestorLookup& ancestors_of) -> absl::StatusOr<ArticleChange> {
          // Re-checked inside the transaction: an editor may have changed it meanwhile.
          if (a.state != ArticleState::kScheduled || !a.publish_time || *a.publish_time > now) {
            return absl::FailedPreconditionError("no longer due");
          }
          a.state = ArticleState::kPublished;
          ASSIGN_OR_RETURN(std::vector<std::string> ancestors, AncestorsOf(a, ancestors_of));
          return ArticleChange{EventFor(a, events::v1::ARTICLE_EVENT_TYPE_PUBLISHED, ancestors),
                               "scheduler",
                               {"state"}};
        });
    if (done.ok()) {
      ++published;
    } else if (!absl::IsFailedPrecondition(done.status()) && !absl::IsNotFound(done.status())) {
      return done.status();
    }
  }
  return published;
}

absl::StatusOr<Article> ContentCore::UnpublishArticle(const Caller& caller,
                                                      const StateCommand& cmd) {
  RETURN_IF_ERROR(RequireEditor(caller));
  RETURN_IF_ERROR(CheckId(cmd.id, "id"));
  return Mutate(
      cmd.id, "etag", cmd.etag,
      [&](Article& a, const AncestorLookup& ancestors_of) -> absl::StatusOr<ArticleChange> {
        if (a.state != ArticleState::kPublished && a.state != ArticleState::kScheduled) {
          return absl::FailedPreconditionError(
              absl::StrCat("article \"", a.id, "\" is neither published nor scheduled"));
        }
        const bool was_public = a.state == ArticleState::kPublished;
        a.state = ArticleState::kDraft;
        ArticleChange change{std::nullopt, internal::AuthorOf(caller), {"state"}};
        if (!was_public) return change;
        ASSIGN_OR_RETURN(std::vector<std::string> ancestors, AncestorsOf(a, ancestors_of));
        change.event = EventFor(a, events::v1::ARTICLE_EVENT_TYPE_UNPUBLISHED, ancestors);
        return change;
      });
}

absl::StatusOr<Article> ContentCore::ArchiveArticle(const Caller& caller, const StateCommand& cmd) {
  RETURN_IF_ERROR(RequireEditor(caller));
  RETURN_IF_ERROR(CheckId(cmd.id, "id"));
  return Mutate(
      cmd.id, "etag", cmd.etag,
      [&](Article& a, const AncestorLookup& ancestors_of) -> absl::StatusOr<ArticleChange> {
        if (a.state == ArticleState::kArchived) {
          return absl::FailedPreconditionError(
              absl::StrCat("article \"", a.id, "\" is already archived"));
        }
        const bool was_public = a.state == ArticleState::kPublished;
        a.state = ArticleState::kArchived;
        ArticleChange change{std::nullopt, internal::AuthorOf(caller), {"state"}};
        if (!was_public) return change;
        ASSIGN_OR_RETURN(std::vector<std::string> ancestors, AncestorsOf(a, ancestors_of));
        change.event = EventFor(a, events::v1::ARTICLE_EVENT_TYPE_UNPUBLISHED, ancestors);
        return change;
      });
}

absl::StatusOr<Article> ContentCore::DeleteArticle(const Caller& caller, const StateCommand& cmd) {
  RETURN_IF_ERROR(RequireEditor(caller));
  RETURN_IF_ERROR(CheckId(cmd.id, "id"));
  return Mutate(
      cmd.id, "etag", cmd.etag,
      [&](Article& a, const AncestorLookup& ancestors_of) -> absl::StatusOr<ArticleChange> {
        a.delete_time = a.update_time;
        ArticleChange change{std::nullopt, internal::AuthorOf(caller), {"delete_time"}};
        if (a.state != ArticleState::kPublished) return change;
        ASSIGN_OR_RETURN(std::vector<std::string> ancestors, AncestorsOf(a, ancestors_of));
        change.event = EventFor(a, events::v1::ARTICLE_EVENT_TYPE_DELETED, ancestors);
        return change;
      });
}

absl::StatusOr<PreviewGrant> ContentCore::CreatePreviewToken(const Caller& caller,
                                                             const std::string& article_id,
                                                             absl::Duration ttl) {
  RETURN_IF_ERROR(RequireEditor(caller));
  RETURN_IF_ERROR(CheckId(article_id, "article_id"));
  if (ttl < absl::ZeroDuration() || ttl > absl::Hours(24)) {
    return absl::InvalidArgumentError("ttl: must be between 0 and 24 hours");
  }
  if (ttl == absl::ZeroDuration()) ttl = absl::Hours(1);
  absl::StatusOr<Article> a = store_.GetArticle(article_id);
  if (absl::IsNotFound(a.status()) || (a.ok() && a->delete_time)) return NotFound(article_id);
  RETURN_IF_ERROR(a);
  // Whole seconds: the token carries Unix seconds.
  const absl::Time expire = absl::FromUnixSeconds(
      absl::ToUnixSeconds(options_.clock() + ttl + absl::Seconds(1) - absl::Nanoseconds(1)));
  PreviewGrant grant;
  grant.article_id = article_id;
  grant.expire_time = expire;
  grant.token =
      signer_.Sign(kPreviewPurpose, {article_id, absl::StrCat(absl::ToUnixSeconds(expire))});
  return grant;
}

}  // namespace bulletin::content
