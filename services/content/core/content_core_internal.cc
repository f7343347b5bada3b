#include "services/content/core/content_core_internal.h"

#include "absl/strings/str_cat.h"
#include "common/base/ids.h"
#include "common/base/text_rules.h"
#include "services/content/core/article_events.h"

namespace bulletin::content::internal {

bool IsEditor(const Caller& caller) {
  return caller && (caller->role == Role::kEditor || caller->role == Role::kAdmin);
}

std::string NewEtag() { return RandomHex(8); }

std::string AuthorOf(const Caller& caller) {
  return caller ? std::string(RoleName(caller->role)) : "anonymous";
}

std::string PickLocale(const Article& a, const std::string& wanted) {
  if (a.translations.count(wanted)) return wanted;
  const std::string primary = PrimaryLanguage(wanted);
  if (PrimaryLanguage(a.default_locale) == primary) return a.default_locale;
  for (const auto& [locale, tr] : a.translations) {
    if (PrimaryLanguage(locale) == primary) return locale;
  }
  return a.default_locale;
}

ArticleRead MakeRead(Article a, const std::string& locale, bool basic_view,
                     const std::string& site_base_url) {
  ArticleRead read;
  if (a.state == ArticleState::kPublished && !a.delete_time) {
    read.published_locales = LocaleLinks(a, site_base_url);
  }
  if (!locale.empty()) {
    read.returned_locale = PickLocale(a, locale);
    Translation kept = a.translations.at(read.returned_locale);
    a.translations.clear();
    a.translations.emplace(read.returned_locale, std::move(kept));
  }
  if (basic_view) {
    for (auto& [l, tr] : a.translations) tr.body.clear();
  }
  read.article = std::move(a);
  return read;
}

absl::StatusOr<int> PageSize(int requested, int default_size, int max_size) {
  if (requested < 0) return absl::InvalidArgumentError("page_size: must not be negative");
  if (requested == 0) return default_size;
  return requested > max_size ? max_size : requested;
}

absl::Status BadPageToken(const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat("page_token: ", why));
}

}  // namespace bulletin::content::internal
