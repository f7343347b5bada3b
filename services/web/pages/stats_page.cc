// The statistics page: the most read articles, each with a 30-day bar chart of daily views
// drawn on the server as inline SVG (readable without script), and the error pages.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/web/core/locale.h"
#include "services/web/pages/html.h"
#include "services/web/pages/layout.h"
#include "services/web/pages/pages.h"

namespace bulletin::web {

std::string RenderViewsSvg(const std::vector<analytics::v1::TimeSeriesPoint>& days,
                           const std::string& label) {
  constexpr int kWidth = 600, kHeight = 120, kBar = 18, kGap = 2;
  int64_t max = 1;
  for (const auto& p : days) max = std::max<int64_t>(max, p.views());
  std::string svg = absl::StrFormat(
      "<svg class=\"views-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\"><title>%s</title>",
      kWidth, kHeight + 20, kWidth, kHeight + 20, HtmlEscape(label), HtmlEscape(label));
  int x = 0;
  for (const auto& p : days) {
    int h = static_cast<int>(p.views() * kHeight / max);
    std::string day = PageDate(p.start_time());
    absl::StrAppendFormat(&svg,
                          "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#b22\">"
                          "<title>%s: %d</title></rect>",
                          x, kHeight - h, kBar, h, day, p.views());
    x += kBar + kGap;
  }
  absl::StrAppendFormat(&svg, "<line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>",
                        kHeight, kWidth, kHeight);
  if (!days.empty()) {
    absl::StrAppendFormat(&svg, "<text x=\"0\" y=\"%d\" font-size=\"11\">%s</text>", kHeight + 15,
                          PageDate(days.front().start_time()));
    absl::StrAppendFormat(&svg,
                          "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>",
                          kWidth, kHeight + 15, PageDate(days.back().start_time()));
  }
  svg += "</svg>";
  return svg;
}

std::string RenderStatsPage(const SiteInfo& site, const StatsPageData& page) {
  const Labels& labels = LabelsFor(page.locale);
  PageMeta meta;
  meta.locale = page.locale;
  meta.title = labels.stats;
  meta.public_url = site.public_url;
  meta.path = absl::StrCat("/", page.locale, "/stats");
  for (const std::string& l : SiteLocales()) meta.alternates.emplace_back(l, "/" + l + "/stats");
  for (const char* l : {"zh-CN", "en"})
    meta.switch_links.push_back({l, absl::StrCat("/", l, "/stats")});
  std::string main =
      absl::StrCat("<h1 class=\"page-title\">", HtmlEscape(labels.stats), "</h1>\n<h2>",
                   HtmlEscape(labels.most_read), "</h2>\n<ol class=\"stats\" id=\"stats\">\n");
  for (const StatsEntry& e : page.entries) {
    absl::StrAppend(&main, "<li><a href=\"", HtmlEscape(ArticlePath(page.locale, e.top.slug())),
                    "\">", HtmlEscape(e.top.title().empty() ? e.top.slug() : e.top.title()),
                    "</a> <span class=\"views\">", e.top.views(), " ", HtmlEscape(labels.views),
                    "</span>\n<figure>", RenderViewsSvg(e.days, labels.daily_views), "<figcaption>",
                    HtmlEscape(labels.daily_views), "</figcaption></figure></li>\n");
  }
  main += "</ol>";
  return RenderLayout(meta, main);
}

std::string RenderErrorPage(const SiteInfo& site, const std::string& locale, int status,
                            const std::string& path) {
  const Labels& labels = LabelsFor(locale);
  const char* title = labels.not_found_title;
  const char* text = labels.not_found_text;
  switch (status) {
    case 410:
      title = labels.gone_title;
      text = labels.gone_text;
      break;
    case 400:
      title = labels.bad_request_title;
      text = labels.bad_request_text;
      break;
    case 413:
    case 414:
    case 431:
      title = labels.too_large_title;
      text = labels.bad_request_text;
      break;
    case 503:
      title = labels.unavailable_title;
      text = labels.unavailable_text;
      break;
    default:
      break;
  }
  PageMeta meta;
  meta.locale = locale;
  meta.title = absl::StrCat(status, " ", title);
  meta.public_url = site.public_url;
  meta.path = path.empty() ? absl::StrCat("/", locale, "/") : path;
  for (const char* l : {"zh-CN", "en"}) meta.switch_links.push_back({l, absl::StrCat("/", l, "/")});
  std::string main =
      absl::StrCat("<h1 class=\"page-title error\">", HtmlEscape(title),
                   "</h1>\n<p class=\"error-text\">", HtmlEscape(text), "</p>\n<p><a href=\"/",
                   locale, "/\">", HtmlEscape(labels.back_home), "</a></p>");
  return RenderLayout(meta, main);
}

}  // namespace bulletin::web
