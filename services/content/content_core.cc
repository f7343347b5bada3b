#include "services/content/content_core.h"

#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/base/ids.h"
#include "services/content/article_events.h"
#include "services/content/content_validation.h"
#include "services/content/text_rules.h"

namespace bulletin::content {
namespace {

bool IsEditor(const Caller& caller) {
  return caller && (caller->role == Role::kEditor || caller->role == Role::kAdmin);
}

std::string NewEtag() { return RandomHex(8); }

// The locale a read in `wanted` returns: exact, else the same primary language (the
// default locale first), else the default locale.
std::string PickLocale(const Article& a, const std::string& wanted) {
  if (a.translations.count(wanted)) return wanted;
  const std::string primary = PrimaryLanguage(wanted);
  if (PrimaryLanguage(a.default_locale) == primary) return a.default_locale;
  for (const auto& [locale, tr] : a.translations) {
    if (PrimaryLanguage(locale) == primary) return locale;
  }
  return a.default_locale;
}

// The title a slug is derived from: English if present, else the default locale's.
const std::string& SlugSourceTitle(const Article& a) {
  auto en = a.translations.find("en");
  if (en != a.translations.end()) return en->second.title;
  for (const auto& [locale, tr] : a.translations) {
    if (PrimaryLanguage(locale) == "en") return tr.title;
  }
  return a.translations.at(a.default_locale).title;
}

absl::Status NotFound(const ArticleQuery& q) {
  return absl::NotFoundError(
      absl::StrCat("article \"", q.id.empty() ? q.slug : q.id, "\" not found"));
}

}  // namespace

ContentCore::ContentCore(ArticleStore* store, ContentOptions options)
    : store_(store), options_(std::move(options)) {}

absl::StatusOr<Category> ContentCore::CreateCategory(const Caller& caller, Category input,
                                                     const std::string& request_id) {
  if (absl::Status s = RequireRole(caller, {Role::kEditor, Role::kAdmin}); !s.ok()) return s;
  if (absl::Status s = ValidateRequestId(request_id); !s.ok()) return s;
  if (absl::Status s = ValidateNewCategory(input); !s.ok()) return s;
  if (!input.parent_id.empty()) {
    absl::StatusOr<std::vector<Category>> path = store_->GetCategoryAncestors(input.parent_id);
    if (absl::IsNotFound(path.status())) {
      return absl::FailedPreconditionError(
          absl::StrCat("category.parent_id: no category with id \"", input.parent_id, "\""));
    }
    if (!path.ok()) return path.status();
    // The parent's ancestors, the parent, and the new category.
    if (path->size() + 2 > 8) {
      return absl::InvalidArgumentError("category.parent_id: the tree would be deeper than 8");
    }
  }
  const absl::Time now = options_.clock();
  input.id = NewId();
  input.create_time = input.update_time = now;
  input.etag = NewEtag();
  return store_->CreateCategory(input, request_id, now);
}

absl::StatusOr<CategoryRead> ContentCore::GetCategory(const std::string& id,
                                                      const std::string& slug) {
  if (id.empty() && slug.empty()) {
    return absl::InvalidArgumentError("id: one of id or slug is required");
  }
  if (!id.empty() && !slug.empty()) {
    return absl::InvalidArgumentError("id: give only one of id or slug");
  }
  if (!id.empty()) {
    if (absl::Status s = ValidateId("id", id); !s.ok()) return s;
  } else if (!IsValidSlug(slug)) {
    return absl::InvalidArgumentError(absl::StrCat("slug: \"", slug, "\" is not a valid slug"));
  }
  absl::StatusOr<Category> c =
      id.empty() ? store_->GetCategoryBySlug(slug) : store_->GetCategory(id);
  if (!c.ok()) return c.status();
  absl::StatusOr<std::vector<Category>> path = store_->GetCategoryAncestors(c->id);
  if (!path.ok()) return path.status();
  return CategoryRead{*std::move(c), *std::move(path)};
}

absl::StatusOr<Article> ContentCore::CreateArticle(const Caller& caller, Article input,
                                                   const std::string& request_id) {
  if (absl::Status s = RequireRole(caller, {Role::kEditor, Role::kAdmin}); !s.ok()) return s;
  if (absl::Status s = ValidateRequestId(request_id); !s.ok()) return s;
  if (absl::Status s = ValidateNewArticle(input); !s.ok()) return s;

  const absl::Time now = options_.clock();
  Article a = std::move(input);
  a.id = NewId();
  a.state = ArticleState::kDraft;
  a.publish_time.reset();
  a.delete_time.reset();
  a.create_time = a.update_time = now;
  a.revision = 1;
  a.etag = NewEtag();
  for (auto& [locale, tr] : a.translations) {
    tr.outdated = false;
    tr.update_time = now;
  }
  NewArticleOptions options{request_id, /*derived_slug=*/a.slug.empty(), now};
  if (a.slug.empty()) {
    a.slug = SlugFromTitle(SlugSourceTitle(a));
    if (a.slug.empty()) {
      // No Latin letters or digits in the title (e.g. Chinese only): an id-based slug.
      std::string compact = absl::StrReplaceAll(a.id, {{"-", ""}});
      a.slug = absl::StrCat("article-", compact.substr(compact.size() - 8));
    }
  }
  return store_->CreateArticle(a, options);
}

absl::StatusOr<ArticleRead> ContentCore::GetArticle(const Caller& caller, ArticleQuery q) {
  if (q.id.empty() && q.slug.empty()) {
    return absl::InvalidArgumentError("id: one of id or slug is required");
  }
  if (!q.id.empty() && !q.slug.empty()) {
    return absl::InvalidArgumentError("id: give only one of id or slug");
  }
  if (!q.id.empty()) {
    if (absl::Status s = ValidateId("id", q.id); !s.ok()) return s;
  } else if (!IsValidSlug(q.slug)) {
    return absl::InvalidArgumentError(absl::StrCat("slug: \"", q.slug, "\" is not a valid slug"));
  }
  if (absl::Status s = ValidateLocale("locale", q.locale); !s.ok()) return s;
  if (q.preview_token.size() > 1024) {
    return absl::InvalidArgumentError("preview_token: longer than 1024 characters");
  }

  absl::StatusOr<Article> a =
      q.id.empty() ? store_->GetArticleBySlug(q.slug) : store_->GetArticle(q.id);
  if (!a.ok()) return absl::IsNotFound(a.status()) ? NotFound(q) : a.status();
  const bool is_public = a->state == ArticleState::kPublished && !a->delete_time;
  if (!is_public) {
    if (a->delete_time && !(IsEditor(caller) && q.show_deleted)) return NotFound(q);
    if (!IsEditor(caller)) {
      if (!q.preview_token.empty()) {
        return absl::UnimplementedError(
            "GetArticle.preview_token is not implemented yet (issue #3)");
      }
      return NotFound(q);
    }
  }

  ArticleRead read;
  read.article = *std::move(a);
  Article& art = read.article;
  if (art.state == ArticleState::kPublished) {
    read.published_locales = LocaleLinks(art, options_.site_base_url);
  }
  if (!q.locale.empty()) {
    read.returned_locale = PickLocale(art, q.locale);
    Translation kept = art.translations.at(read.returned_locale);
    art.translations.clear();
    art.translations.emplace(read.returned_locale, std::move(kept));
  }
  if (q.basic_view) {
    for (auto& [locale, tr] : art.translations) tr.body.clear();
  }
  return read;
}

absl::StatusOr<Article> ContentCore::PublishArticle(const Caller& caller,
                                                    const PublishCommand& cmd) {
  if (absl::Status s = RequireRole(caller, {Role::kEditor, Role::kAdmin}); !s.ok()) return s;
  if (absl::Status s = ValidateId("id", cmd.id); !s.ok()) return s;
  const absl::Time now = options_.clock();
  if (cmd.publish_time && *cmd.publish_time > now + absl::Hours(24 * 365)) {
    return absl::InvalidArgumentError("publish_time: more than 1 year ahead");
  }
  bool wrote_event = false;
  absl::StatusOr<Article> result = store_->UpdateArticle(
      cmd.id,
      [&](Article& a, const std::vector<std::string>& ancestor_ids)
          -> absl::StatusOr<std::optional<OutboxEvent>> {
        if (a.delete_time) {
          return absl::NotFoundError(absl::StrCat("article \"", cmd.id, "\" not found"));
        }
        if (!cmd.etag.empty() && cmd.etag != a.etag) {
          absl::Status aborted = absl::AbortedError(absl::StrCat(
              "etag: \"", cmd.etag, "\" is stale; the current etag is \"", a.etag, "\""));
          aborted.SetPayload(kCurrentEtagKey, absl::Cord(a.etag));
          return aborted;
        }
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
        a.update_time = now;
        a.revision += 1;
        a.etag = NewEtag();
        if (schedule) return std::optional<OutboxEvent>();
        wrote_event = true;
        return std::optional<OutboxEvent>(
            ToOutboxEvent(BuildArticleEvent(a, events::v1::ARTICLE_EVENT_TYPE_PUBLISHED,
                                            ancestor_ids, options_.site_base_url, NewId(), now),
                          now));
      });
  if (absl::IsNotFound(result.status())) {
    return absl::NotFoundError(absl::StrCat("article \"", cmd.id, "\" not found"));
  }
  if (result.ok() && wrote_event && options_.on_event_committed) options_.on_event_committed();
  return result;
}

}  // namespace bulletin::content
