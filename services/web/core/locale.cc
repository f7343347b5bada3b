#include "services/web/core/locale.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace bulletin::web {
namespace {

constexpr Labels kEnglish = {
    "English",
    "Bulletin",
    "Home",
    "News",
    "Content",
    "Date",
    "Visitors",
    "Related News",
    "Featured",
    "Latest News",
    "Most Read",
    "Trending",
    "Search",
    "Search",
    "Results for",
    "Nothing matched your search.",
    "Statistics",
    "Daily views, last 30 days",
    "views",
    "Newer",
    "Older",
    "Page",
    "\xC2\xA9 2007-2018 Beijing Volunteer Service Federation. All rights reserved",
    "Page not found",
    "There is no page at this address.",
    "Article removed",
    "This article has been removed.",
    "Bad request",
    "The address or request is malformed.",
    "Request too large",
    "Temporarily unavailable",
    "The site cannot reach its data right now. Please try again in a moment.",
    "Back to the home page"};

constexpr Labels kChinese = {"简体中文",
                             "Bulletin",
                             "首页",
                             "新闻",
                             "正文",
                             "日期",
                             "访问量",
                             "相关新闻",
                             "要闻",
                             "最新消息",
                             "最多阅读",
                             "热门",
                             "搜索",
                             "搜索",
                             "搜索结果",
                             "没有找到相关内容。",
                             "统计",
                             "近30天每日访问量",
                             "次访问",
                             "较新",
                             "较早",
                             "第",
                             "\xC2\xA9 2007-2018 北京志愿服务联合会 版权所有",
                             "页面不存在",
                             "此地址没有页面。",
                             "文章已删除",
                             "此文章已被删除。",
                             "请求有误",
                             "地址或请求格式不正确。",
                             "请求过大",
                             "暂时无法访问",
                             "网站暂时无法读取数据，请稍后再试。",
                             "返回首页"};

// The served locale a language range means, if any.
std::optional<std::string> Match(absl::string_view range) {
  std::string lower = absl::AsciiStrToLower(range);
  if (lower == "en" || absl::StartsWith(lower, "en-")) return "en";
  if (lower == "zh" || absl::StartsWith(lower, "zh-")) return "zh-CN";
  return std::nullopt;
}

}  // namespace

const std::vector<std::string>& SiteLocales() {
  static const std::vector<std::string>* locales = new std::vector<std::string>{"en", "zh-CN"};
  return *locales;
}

std::optional<std::string> SiteLocale(absl::string_view segment) {
  for (const std::string& l : SiteLocales()) {
    if (segment == l) return l;
  }
  return std::nullopt;
}

std::optional<std::string> CookieValue(std::optional<absl::string_view> cookie_header,
                                       absl::string_view name) {
  if (!cookie_header) return std::nullopt;
  for (absl::string_view part : absl::StrSplit(*cookie_header, ';')) {
    part = absl::StripAsciiWhitespace(part);
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(part, absl::MaxSplits('=', 1));
    if (kv.first == name) return std::string(kv.second);
  }
  return std::nullopt;
}

std::string PreferredLocale(std::optional<absl::string_view> accept_language,
                            std::optional<absl::string_view> cookie_header) {
  if (std::optional<std::string> chosen = CookieValue(cookie_header, kLangCookie)) {
    if (std::optional<std::string> l = SiteLocale(*chosen)) return *l;
  }
  if (accept_language) {
    double best_q = 0;
    std::string best;
    int parsed = 0;
    for (absl::string_view item : absl::StrSplit(*accept_language, ',')) {
      if (++parsed > 32) break;  // a header of thousands of ranges reads no further
      std::vector<absl::string_view> parts = absl::StrSplit(item, ';');
      double q = 1.0;
      for (size_t i = 1; i < parts.size(); ++i) {
        absl::string_view p = absl::StripAsciiWhitespace(parts[i]);
        if (absl::ConsumePrefix(&p, "q=") && !absl::SimpleAtod(p, &q)) q = 0;
      }
      std::optional<std::string> l = Match(absl::StripAsciiWhitespace(parts[0]));
      if (l && q > best_q) {
        best_q = q;
        best = *l;
      }
    }
    if (!best.empty()) return best;
  }
  return SiteLocales().front();
}

const Labels& LabelsFor(absl::string_view locale) {
  return locale == "zh-CN" ? kChinese : kEnglish;
}

}  // namespace bulletin::web
