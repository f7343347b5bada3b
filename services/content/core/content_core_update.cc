// ContentCore::UpdateArticle: update_mask paths applied to the stored article, the
// outdated-translation rule, a revision per update, and UPDATED for published articles.
#include <set>

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"
#include "services/content/core/content_core.h"
#include "services/content/core/content_core_internal.h"
#include "services/content/core/content_validation.h"
#include "services/content/core/update_mask.h"

namespace bulletin::content {
namespace {

const std::set<std::string>& OutputOnlyPaths() {
  static const auto* paths = new std::set<std::string>{
      "id",       "state", "publish_time", "create_time",     "update_time",
      "revision", "etag",  "delete_time",  "returned_locale", "published_locales"};
  return *paths;
}

// The input's translation for normalised `locale` (the request may spell it "zh-cn").
const Translation* Given(const Article& in, const std::string& locale) {
  for (const auto& [key, tr] : in.translations) {
    if (NormalizeLocale(key) == locale) return &tr;
  }
  return nullptr;
}

absl::Status SetTranslationField(const std::string& field, const Translation& from, Translation& to,
                                 std::set<std::string>& explicit_outdated,
                                 const std::string& locale) {
  if (field == "title") {
    to.title = from.title;
  } else if (field == "summary") {
    to.summary = from.summary;
  } else if (field == "body") {
    to.body = from.body;
  } else if (field == "cover_image_url") {
    to.cover_image_url = from.cover_image_url;
  } else if (field == "cover_image_caption") {
    to.cover_image_caption = from.cover_image_caption;
  } else if (field == "cover_image_alt") {
    to.cover_image_alt = from.cover_image_alt;
  } else if (field == "slug") {
    to.slug = from.slug;
  } else if (field == "outdated") {
    to.outdated = from.outdated;
    explicit_outdated.insert(locale);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("update_mask: unknown translation field \"", Excerpt(field), "\""));
  }
  return absl::OkStatus();
}

// Applies one path from `in` to `a`.
absl::Status ApplyPath(const std::string& path, const Article& in, Article& a,
                       std::set<std::string>& explicit_outdated) {
  std::optional<std::vector<std::string>> seg = SplitMaskPath(path);
  if (!seg) {
    return absl::InvalidArgumentError(
        absl::StrCat("update_mask: malformed path \"", Excerpt(path), "\""));
  }
  const std::string& head = (*seg)[0];
  if (OutputOnlyPaths().count(head)) {
    return absl::InvalidArgumentError(
        absl::StrCat("update_mask: \"", Excerpt(path), "\" is output only"));
  }
  if (seg->size() == 1) {
    if (head == "*") {
      a.slug = in.slug;
      a.category_id = in.category_id;
      a.tags = in.tags;
      a.featured = in.featured;
      a.default_locale = in.default_locale;
      a.translations = in.translations;
    } else if (head == "slug") {
      a.slug = in.slug;
    } else if (head == "category_id") {
      a.category_id = in.category_id;
    } else if (head == "tags") {
      a.tags = in.tags;
    } else if (head == "featured") {
      a.featured = in.featured;
    } else if (head == "default_locale") {
      a.default_locale = in.default_locale;
    } else if (head == "translations") {
      a.translations = in.translations;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("update_mask: unknown path \"", Excerpt(path), "\""));
    }
    return absl::OkStatus();
  }
  if (head != "translations" || seg->size() > 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("update_mask: unknown path \"", Excerpt(path), "\""));
  }
  std::optional<std::string> locale = NormalizeLocale((*seg)[1]);
  if (!locale) {
    return absl::InvalidArgumentError(absl::StrCat("update_mask: \"", Excerpt((*seg)[1]),
                                                   "\" in \"", Excerpt(path),
                                                   "\" is not a locale tag"));
  }
  const Translation* given = Given(in, *locale);
  if (seg->size() == 2) {
    if (given == nullptr) {
      a.translations.erase(*locale);
    } else {
      Translation t = *given;
      t.outdated = false;
      a.translations[*locale] = t;
    }
    return absl::OkStatus();
  }
  const Translation empty;
  return SetTranslationField((*seg)[2], given ? *given : empty, a.translations[*locale],
                             explicit_outdated, *locale);
}

bool TextChanged(const Translation* before, const Translation& after) {
  return before == nullptr || before->title != after.title || before->summary != after.summary ||
         before->body != after.body;
}

bool AnyChanged(const Translation* before, const Translation& after) {
  return TextChanged(before, after) || before->cover_image_url != after.cover_image_url ||
         before->cover_image_caption != after.cover_image_caption ||
         before->cover_image_alt != after.cover_image_alt || before->slug != after.slug;
}

}  // namespace

absl::StatusOr<Article> ContentCore::UpdateArticle(const Caller& caller, UpdateCommand cmd) {
  RETURN_IF_ERROR(RequireEditor(caller));
  RETURN_IF_ERROR(CheckId(cmd.article.id, "article.id"));
  if (cmd.paths.empty()) {
    return absl::InvalidArgumentError("update_mask: at least one path is required");
  }
  const Article& in = cmd.article;
  return Mutate(
      in.id, "article.etag", in.etag,
      [&](Article& a, const AncestorLookup& ancestors_of) -> absl::StatusOr<ArticleChange> {
        const Article before = a;
        std::set<std::string> explicit_outdated;
        for (const std::string& path : cmd.paths) {
          RETURN_IF_ERROR(ApplyPath(path, in, a, explicit_outdated));
        }
        if (a.slug.empty()) return absl::InvalidArgumentError("article.slug: required");
        if (a.default_locale == before.default_locale && !a.translations.count(a.default_locale)) {
          return absl::InvalidArgumentError(
              absl::StrCat("article.translations: the default-locale translation \"",
                           Excerpt(a.default_locale), "\" cannot be removed"));
        }
        RETURN_IF_ERROR(ValidateArticle(a));
        // Outdated translations: the source text changed, the translation did not.
        auto old_of = [&](const std::string& locale) -> const Translation* {
          auto it = before.translations.find(locale);
          return it == before.translations.end() ? nullptr : &it->second;
        };
        const bool source_changed =
            a.default_locale == before.default_locale &&
            TextChanged(old_of(a.default_locale), a.translations.at(a.default_locale));
        for (auto& [locale, tr] : a.translations) {
          const Translation* old = old_of(locale);
          // A translation's time is the server's: now when it changed, else as stored
          // (never what the request carried).
          tr.update_time = AnyChanged(old, tr) ? a.update_time : old->update_time;
          if (locale == a.default_locale) {
            tr.outdated = false;
          } else if (TextChanged(old, tr)) {
            tr.outdated = false;  // edited: up to date with the source again
          } else if (source_changed) {
            tr.outdated = true;
          }
          if (explicit_outdated.count(locale) && locale != a.default_locale) {
            tr.outdated = Given(in, locale) != nullptr && Given(in, locale)->outdated;
          }
        }
        std::vector<std::string> ancestors;
        if (!a.category_id.empty()) {
          absl::StatusOr<std::vector<std::string>> path = ancestors_of(a.category_id);
          if (absl::IsNotFound(path.status())) {
            return absl::FailedPreconditionError(absl::StrCat(
                "article.category_id: no category with id \"", Excerpt(a.category_id), "\""));
          }
          RETURN_IF_ERROR(path);
          ancestors = *std::move(path);
        }
        ArticleChange change{std::nullopt, internal::AuthorOf(caller), cmd.paths};
        if (a.state == ArticleState::kPublished) {
          change.event = EventFor(a, events::v1::ARTICLE_EVENT_TYPE_UPDATED, ancestors);
        }
        return change;
      });
}

}  // namespace bulletin::content
