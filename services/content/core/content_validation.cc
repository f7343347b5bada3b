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

// Single-line text allows no line breaks; summaries, descriptions and bodies do.
constexpr TextRule kTitleRule = {/*required=*/true, kMaxTitleLength, /*allow_line_breaks=*/false};
constexpr TextRule kSummaryRule = {false, kMaxSummaryLength, true};
constexpr TextRule kCaptionRule = {false, kMaxCaptionLength, false};
constexpr TextRule kTagRule = {true, kMaxTagLength, false};
constexpr TextRule kCategoryNameRule = {true, kMaxCategoryNameLength, false};
constexpr TextRule kDescriptionRule = {false, kMaxDescriptionLength, true};
constexpr TextRule kBodyRule = {false, 0, true};  // bounded in bytes

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

// Valid UTF-8 first (NFC needs it), then NFC in place, then the shared free-text rule
// (no control characters, not blank when required, the length in code points).
absl::Status NormalizeText(const std::string& field, std::string& value, const TextRule& rule) {
  if (!IsValidUtf8(value)) return Invalid(field, "not valid UTF-8");
  value = ToNfc(value);
  return CheckText(value, field, rule);
}

absl::Status CheckSlug(const std::string& field, const std::string& slug) {
  if (slug.empty() || IsValidSlug(slug)) return absl::OkStatus();
  return Invalid(field, absl::StrCat("\"", Excerpt(slug),
                                     "\" is not a valid slug (lowercase ASCII "
                                     "letters, digits and single '-', 1..100 characters)"));
}

bool IsHexDigit(char c) { return absl::ascii_isxdigit(static_cast<unsigned char>(c)); }

// The host[:port] of an absolute URL: a name or IPv4 address, or an IPv6 literal in [],
// then an optional port of 1..5 digits; no user information.
bool ValidAuthority(absl::string_view authority) {
  if (authority.empty() || absl::StrContains(authority, '@')) return false;
  absl::string_view host = authority, port;
  if (host.front() == '[') {
    const size_t close = host.find(']');
    if (close == absl::string_view::npos || close < 2) return false;
    port = host.substr(close + 1);
    host = host.substr(0, close + 1);
    if (!port.empty() && port.front() != ':') return false;
    if (!port.empty()) port.remove_prefix(1);
  } else if (const size_t colon = host.find(':'); colon != absl::string_view::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
    if (port.empty()) return false;
  }
  if (host.empty() || port.size() > 5) return false;
  return std::all_of(port.begin(), port.end(),
                     [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); });
}

absl::Status CheckUrl(const std::string& field, const std::string& url) {
  if (url.empty()) return absl::OkStatus();
  if (url.size() > kMaxUrlBytes) {
    return Invalid(field, absl::StrCat("longer than ", kMaxUrlBytes, " bytes"));
  }
  if (!IsValidUtf8(url)) return Invalid(field, "not valid UTF-8");
  for (size_t i = 0; i < url.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(url[i]);
    const bool c1 =
        c == 0xC2 && i + 1 < url.size() && (static_cast<unsigned char>(url[i + 1]) & 0xE0) == 0x80;
    if (c <= 0x20 || c == 0x7F || c1) {
      return Invalid(field, absl::StrCat("must not contain spaces or control characters (found "
                                         "at byte ",
                                         i, ")"));
    }
    if (absl::string_view("\"'<>\\`{}|^").find(url[i]) != absl::string_view::npos) {
      return Invalid(field, absl::StrCat("must not contain '", url.substr(i, 1),
                                         "' (found at byte ", i, "); percent-encode it"));
    }
    if (c == '%' && !(i + 2 < url.size() && IsHexDigit(url[i + 1]) && IsHexDigit(url[i + 2]))) {
      return Invalid(field, absl::StrCat("'%' at byte ", i, " does not start a %XX escape"));
    }
  }
  size_t authority_start = 0;
  if (absl::StartsWith(url, "https://")) {
    authority_start = 8;
  } else if (absl::StartsWith(url, "http://")) {
    authority_start = 7;
  } else if (url[0] == '/' && !absl::StartsWith(url, "//")) {
    return absl::OkStatus();  // a path on the site
  } else {
    return Invalid(field, "must be an absolute http(s) URL or a path starting with '/'");
  }
  const size_t authority_end = url.find_first_of("/?#", authority_start);
  const absl::string_view authority = absl::string_view(url).substr(
      authority_start,
      authority_end == std::string::npos ? std::string::npos : authority_end - authority_start);
  if (!ValidAuthority(authority)) {
    return Invalid(field, "must name a host (and optionally a port), without user information");
  }
  return absl::OkStatus();
}

// Normalises the keys of a per-locale map; names the field "<prefix>[<key>]".
template <typename T>
absl::Status NormalizeKeys(const std::string& prefix, std::map<std::string, T>& by_locale) {
  if (by_locale.empty()) return Invalid(prefix, "at least one translation is required");
  if (by_locale.size() > kMaxTranslations) {
    return Invalid(prefix, absl::StrCat("at most ", kMaxTranslations, " translations"));
  }
  std::map<std::string, T> normalized;
  for (auto& [key, value] : by_locale) {
    std::optional<std::string> locale = NormalizeLocale(key);
    if (!locale) {
      return Invalid(absl::StrCat(prefix, "[", Excerpt(key), "]"), "not a valid BCP-47 locale tag");
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
  RETURN_IF_ERROR(NormalizeText(f + "title", tr.title, kTitleRule));
  RETURN_IF_ERROR(NormalizeText(f + "summary", tr.summary, kSummaryRule));
  RETURN_IF_ERROR(CheckUrl(f + "cover_image_url", tr.cover_image_url));
  RETURN_IF_ERROR(NormalizeText(f + "cover_image_caption", tr.cover_image_caption, kCaptionRule));
  RETURN_IF_ERROR(NormalizeText(f + "cover_image_alt", tr.cover_image_alt, kCaptionRule));
  RETURN_IF_ERROR(CheckSlug(f + "slug", tr.slug));
  // The parser's work is bounded before it runs; the stored size after sanitising.
  if (tr.body.size() > 2 * kMaxBodyBytes) {
    return Invalid(f + "body", absl::StrCat("larger than ", 2 * kMaxBodyBytes, " bytes"));
  }
  RETURN_IF_ERROR(NormalizeText(f + "body", tr.body, kBodyRule));
  absl::StatusOr<std::string> body = SanitizeBody(tr.body);
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
    RETURN_IF_ERROR(NormalizeText(f, tag, kTagRule));
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
    RETURN_IF_ERROR(NormalizeText(f + "name", tr.name, kCategoryNameRule));
    RETURN_IF_ERROR(NormalizeText(f + "description", tr.description, kDescriptionRule));
  }
  return CheckDefaultLocale("category.default_locale", "category.translations", c.default_locale,
                            keys);
}

}  // namespace bulletin::content
