// The site's languages and the words of its pages: the locales bulletin-web serves ("en",
// "zh-CN", as content normalises them), the label set of each (Home > News > Content,
// 首页 > 新闻 > 正文, Date/日期, Visitors/访问量, ...), and the reader's choice from the
// path, the language cookie or Accept-Language. Constant data and pure functions;
// thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace bulletin::web {

// The served locales; the first is the x-default.
const std::vector<std::string>& SiteLocales();
// `segment` when it is a served locale (exact tag), nullopt otherwise.
std::optional<std::string> SiteLocale(absl::string_view segment);

// The cookie that remembers an explicit language choice.
inline constexpr char kLangCookie[] = "bulletin_lang";

// The reader's locale: the cookie's when it names a served locale, else the best match of
// Accept-Language (q-values honoured; "zh", "zh-Hans", "zh-TW" -> zh-CN), else the default.
std::string PreferredLocale(std::optional<absl::string_view> accept_language,
                            std::optional<absl::string_view> cookie_header);

// The value of cookie `name` in a Cookie header.
std::optional<std::string> CookieValue(std::optional<absl::string_view> cookie_header,
                                       absl::string_view name);

struct Labels {
  const char* lang_name;  // "English", "简体中文"
  const char* site_name;
  const char* home;
  const char* news;
  const char* content;
  const char* date;
  const char* visitors;
  const char* related;
  const char* featured;
  const char* latest;
  const char* most_read;
  const char* trending;
  const char* search;
  const char* search_button;
  const char* results_for;
  const char* no_results;
  const char* stats;
  const char* daily_views;
  const char* views;
  const char* newer;
  const char* older;
  const char* page;
  const char* footer;
  const char* not_found_title;
  const char* not_found_text;
  const char* gone_title;
  const char* gone_text;
  const char* bad_request_title;
  const char* bad_request_text;
  const char* too_large_title;
  const char* unavailable_title;
  const char* unavailable_text;
  const char* back_home;
};

// The labels of `locale` (English for anything else).
const Labels& LabelsFor(absl::string_view locale);

}  // namespace bulletin::web
