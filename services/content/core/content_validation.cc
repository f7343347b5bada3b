#include "services/content/core/content_validation.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"
#include "services/content/core/html_sanitizer.h"
#include "services/content/core/unicode_text.h"

namespace bulletin::content {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

absl::Status CheckLength(const std::string& field, const std::string& value, size_t max,
                         bool required) {
  if (required && value.empty()) return Invalid(field, "must not be empty");
  if (CodePoints(value) > max) {
    return Invalid(field, absl::StrCat("longer than ", max, " characters"));
  }
  return absl::OkStatus();
}

// Checks that `value` is UTF-8, normalises it to NFC in place, then checks its length.
absl::Status NormalizeText(const std::string& field, std::string& value, size_t max,
                           bool required) {
  if (!IsValidUtf8(value)) return Invalid(field, "not valid UTF-8");
  value = ToNfc(value);
  return CheckLength(field, value, max, required);
}

absl::Status CheckSlug(const std::string& field, const std::string& slug) {
  if (slug.empty() || IsValidSlug(slug)) return absl::OkStatus();
  return Invalid(field, absl::StrCat("\"", Excerpt(slug),
                                     "\" is not a valid slug (lowercase ASCII "
                                     "letters, digits and single '-', 1..100 characters)"));
}

absl::Status CheckUrl(const std::string& field, const std::string& url) {
  if (url.empty()) return absl::OkStatus();
  if (url.size() > 2048) return Invalid(field, "longer than 2048 characters");
  bool ok = absl::StartsWith(url, "https://") || absl::StartsWith(url, "http://") ||
            (url[0] == '/' && !absl::StartsWith(url, "//"));
  if (!ok) return Invalid(field, "must be an http(s) URL or a path starting with '/'");
  return absl::OkStatus();
}

// Normalises the keys of a per-locale map; names the field "<prefix>[<key>]".
template <typename T>
absl::Status NormalizeKeys(const std::string& prefix, std::map<std::string, T>& by_locale) {
  if (by_locale.empty()) return Invalid(prefix, "at least one translation is required");
  if (by_locale.size() > 10) return Invalid(prefix, "at most 10 translations");
  std::map<std::string, T> normalized;
  for (auto& [key, value] : by_locale) {
    std::optional<std::string> locale = NormalizeLocale(key);
    if (!locale) {
      return Invalid(absl::StrCat(prefix, "[", key, "]"), "not a valid BCP-47 locale tag");
    }
    if (!normalized.emplace(*locale, std::move(value)).second) {
      return Invalid(absl::StrCat(prefix, "[", *locale, "]"), "the locale is given twice");
    }
  }
  by_locale = std::move(normalized);
  return absl::OkStatus();
}

absl::Status CheckDefaultLocale(const std::string& field, const std::string& map_field,
                                std::string& locale, const std::set<std::string>& keys) {
  RETURN_IF_ERROR(CheckLocale(&locale, field));
  if (!keys.count(locale)) {
    return Invalid(field, absl::StrCat("\"", locale, "\" is not a key of ", map_field));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckRequestId(const std::string& request_id) {
  if (request_id.empty()) return absl::OkStatus();
  return CheckId(request_id, "request_id");
}

absl::Status CheckOptionalLocale(std::string* locale, absl::string_view field) {
  if (locale->empty()) return absl::OkStatus();
  return CheckLocale(locale, field);
}

absl::Status NormalizeTranslation(const std::string& prefix, Translation& tr) {
  const std::string f = prefix + ".";
  RETURN_IF_ERROR(NormalizeText(f + "title", tr.title, kMaxTitleLength, /*required=*/true));
  RETURN_IF_ERROR(NormalizeText(f + "summary", tr.summary, 1000, false));
  RETURN_IF_ERROR(CheckUrl(f + "cover_image_url", tr.cover_image_url));
  RETURN_IF_ERROR(NormalizeText(f + "cover_image_caption", tr.cover_image_caption, 500, false));
  RETURN_IF_ERROR(NormalizeText(f + "cover_image_alt", tr.cover_image_alt, 500, false));
  RETURN_IF_ERROR(CheckSlug(f + "slug", tr.slug));
  // The parser's work is bounded before it runs; the stored size after sanitising.
  if (tr.body.size() > 2 * kMaxBodyBytes) {
    return Invalid(f + "body", absl::StrCat("larger than ", 2 * kMaxBodyBytes, " bytes"));
  }
  if (!IsValidUtf8(tr.body)) return Invalid(f + "body", "not valid UTF-8");
  absl::StatusOr<std::string> body = SanitizeBody(ToNfc(tr.body));
  if (!body.ok()) return Invalid(f + "body", body.status().message());
  tr.body = *std::move(body);
  if (tr.body.size() > kMaxBodyBytes) {
    return Invalid(f + "body", absl::StrCat("larger than ", kMaxBodyBytes, " bytes"));
  }
  return absl::OkStatus();
}

absl::Status ValidateArticle(Article& a) {
  RETURN_IF_ERROR(NormalizeKeys("article.translations", a.translations));
  std::set<std::string> keys;
  for (auto& [locale, tr] : a.translations) {
    keys.insert(locale);
    RETURN_IF_ERROR(NormalizeTranslation(absl::StrCat("article.translations[", locale, "]"), tr));
  }
  RETURN_IF_ERROR(
      CheckDefaultLocale("article.default_locale", "article.translations", a.default_locale, keys));
  RETURN_IF_ERROR(CheckSlug("article.slug", a.slug));
  if (!a.category_id.empty()) RETURN_IF_ERROR(CheckId(a.category_id, "article.category_id"));
  if (a.tags.size() > kMaxTags) {
    return Invalid("article.tags", absl::StrCat("at most ", kMaxTags, " tags"));
  }
  std::vector<std::string> tags;
  for (size_t i = 0; i < a.tags.size(); ++i) {
    std::string tag(absl::StripAsciiWhitespace(a.tags[i]));
    absl::AsciiStrToLower(&tag);
    const std::string f = absl::StrCat("article.tags[", i, "]");
    RETURN_IF_ERROR(NormalizeText(f, tag, 50, /*required=*/true));
    if (std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(std::move(tag));
  }
  a.tags = std::move(tags);
  return absl::OkStatus();
}

absl::Status ValidateCategory(Category& c) {
  if (c.slug.empty()) return Invalid("category.slug", "required");
  RETURN_IF_ERROR(CheckSlug("category.slug", c.slug));
  if (!c.parent_id.empty()) RETURN_IF_ERROR(CheckId(c.parent_id, "category.parent_id"));
  RETURN_IF_ERROR(NormalizeKeys("category.translations", c.translations));
  std::set<std::string> keys;
  for (auto& [locale, tr] : c.translations) {
    keys.insert(locale);
    const std::string f = absl::StrCat("category.translations[", locale, "].");
    RETURN_IF_ERROR(NormalizeText(f + "name", tr.name, 100, true));
    RETURN_IF_ERROR(NormalizeText(f + "description", tr.description, 1000, false));
  }
  return CheckDefaultLocale("category.default_locale", "category.translations", c.default_locale,
                            keys);
}

}  // namespace bulletin::content
