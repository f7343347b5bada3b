// The list pages: a locale's home (featured, latest, most read, trending), a category's
// articles (newest first, paginated by content's page tokens, with its breadcrumb) and
// search results with highlighted snippets.
#include <kainjow/mustache.hpp>

#include "absl/strings/str_cat.h"
#include "services/web/core/locale.h"
#include "services/web/core/url.h"
#include "services/web/pages/html.h"
#include "services/web/pages/layout.h"
#include "services/web/pages/pages.h"

namespace bulletin::web {
namespace {

using kainjow::mustache::data;
using kainjow::mustache::mustache;

constexpr char kList[] =
    R"({{#crumbs_on}}<nav class="breadcrumb" id="breadcrumb" aria-label="breadcrumb">{{#crumbs}}<a href="{{href}}">{{name}}</a> &gt; {{/crumbs}}<span aria-current="page">{{heading}}</span></nav>
{{/crumbs_on}}<h1 class="page-title">{{heading}}</h1>
{{#sections}}<section class="{{css}}" id="{{css}}">
{{#title}}<h2>{{title}}</h2>
{{/title}}<ul class="article-list">{{#items}}<li><a href="{{href}}">{{title}}</a>{{#date}} <time>{{date}}</time>{{/date}}{{#snippet}}<p class="snippet">{{{snippet}}}</p>{{/snippet}}</li>
{{/items}}</ul>
{{#empty}}<p class="empty">{{empty}}</p>
{{/empty}}</section>
{{/sections}}{{#pager}}<nav class="pager">{{#prev}}<a rel="prev" href="{{prev}}">{{newer}}</a> {{/prev}}{{#next}}<a rel="next" href="{{next}}">{{older}}</a>{{/next}}</nav>
{{/pager}})";

mustache& Template() {
  thread_local mustache t(kList);
  return t;
}

data Item(const std::string& locale, const content::v1::Article& a) {
  data item;
  item.set("href", ArticlePath(locale, SlugIn(a, locale)));
  item.set("title", TranslationOf(a, locale).title());
  std::string date = PageDate(a.publish_time());
  if (!date.empty()) item.set("date", date);
  return item;
}

std::string CategoryName(const content::v1::Category& c, const std::string& locale) {
  auto it = c.translations().find(locale);
  if (it != c.translations().end()) return it->second.name();
  return c.translations().empty() ? c.slug() : c.translations().begin()->second.name();
}

PageMeta BaseMeta(const SiteInfo& site, const std::string& locale, const std::string& title,
                  const std::string& suffix) {
  PageMeta meta;
  meta.locale = locale;
  meta.title = title;
  meta.public_url = site.public_url;
  meta.path = absl::StrCat("/", locale, suffix);
  for (const std::string& l : SiteLocales()) {
    meta.alternates.emplace_back(l, absl::StrCat("/", l, suffix));
  }
  for (const char* l : {"zh-CN", "en"})
    meta.switch_links.push_back({l, absl::StrCat("/", l, suffix)});
  meta.feed_path = absl::StrCat("/", locale, "/feed.atom");
  meta.script =
      "document.querySelectorAll('#lang-switch a').forEach(function(l){l.addEventListener("
      "'click',function(){document.cookie='bulletin_lang='+l.getAttribute('hreflang')+"
      "';path=/;max-age=31536000;samesite=lax';});});";
  return meta;
}

}  // namespace

std::string HighlightSnippet(const content::v1::Snippet& snippet) {
  const std::string& text = snippet.text();
  std::string out;
  size_t pos = 0;
  for (const content::v1::TextRange& r : snippet.highlights()) {
    size_t start = static_cast<size_t>(std::max(0, r.start()));
    size_t end = static_cast<size_t>(std::max(0, r.end()));
    if (start < pos || end <= start || end > text.size()) continue;  // overlapping or out of range
    out += HtmlEscape(text.substr(pos, start - pos));
    out += "<mark>" + HtmlEscape(text.substr(start, end - start)) + "</mark>";
    pos = end;
  }
  out += HtmlEscape(text.substr(std::min(pos, text.size())));
  return out;
}

std::string RenderHomePage(const SiteInfo& site, const HomePageData& page) {
  const Labels& labels = LabelsFor(page.locale);
  PageMeta meta = BaseMeta(site, page.locale, labels.site_name, "/");
  data d;
  d.set("heading", labels.home);
  data sections{data::type::list};
  for (const ListSection& s : page.sections) {
    data section;
    section.set("title", s.title);
    section.set("css", s.css_class);
    data items{data::type::list};
    for (const content::v1::Article& a : s.articles) items.push_back(Item(page.locale, a));
    for (const analytics::v1::TopArticle& t : s.top) {
      data item;
      item.set("href", ArticlePath(page.locale, t.slug()));
      item.set("title", t.title().empty() ? t.slug() : t.title());
      items.push_back(item);
    }
    section.set("items", items);
    if (s.articles.empty() && s.top.empty()) section.set("empty", "-");
    sections.push_back(section);
  }
  d.set("sections", sections);
  return RenderLayout(meta, Template().render(d));
}

std::string RenderCategoryPage(const SiteInfo& site, const CategoryPageData& page) {
  const Labels& labels = LabelsFor(page.locale);
  const content::v1::Category& category = page.categories.back();
  const std::string heading = CategoryName(category, page.locale);
  PageMeta meta = BaseMeta(site, page.locale, heading, "/categories/" + category.slug());
  meta.feed_path = absl::StrCat("/", page.locale, "/categories/", category.slug(), "/feed.atom");
  data d;
  d.set("crumbs_on", true);
  data crumbs{data::type::list};
  data home;
  home.set("href", absl::StrCat("/", page.locale, "/"));
  home.set("name", labels.home);
  crumbs.push_back(home);
  for (size_t i = 0; i + 1 < page.categories.size(); ++i) {
    const content::v1::Category& c = page.categories[i];
    if (c.parent_id().empty() && c.slug() == "home") continue;
    data crumb;
    crumb.set("href", absl::StrCat("/", page.locale, "/categories/", c.slug()));
    crumb.set("name", CategoryName(c, page.locale));
    crumbs.push_back(crumb);
  }
  d.set("crumbs", crumbs);
  d.set("heading", heading);
  data section;
  section.set("css", "category-articles");
  data items{data::type::list};
  for (const content::v1::Article& a : page.articles) items.push_back(Item(page.locale, a));
  section.set("items", items);
  if (page.articles.empty()) section.set("empty", labels.no_results);
  data sections{data::type::list};
  sections.push_back(section);
  d.set("sections", sections);
  if (!page.next_page_token.empty() || page.has_previous) {
    data pager;
    if (page.has_previous) pager.set("prev", meta.path);
    if (!page.next_page_token.empty()) {
      pager.set("next", meta.path + "?page_token=" + PercentEncode(page.next_page_token));
    }
    pager.set("newer", labels.newer);
    pager.set("older", labels.older);
    d.set("pager", pager);
  }
  return RenderLayout(meta, Template().render(d));
}

std::string RenderSearchPage(const SiteInfo& site, const SearchPageData& page) {
  const Labels& labels = LabelsFor(page.locale);
  PageMeta meta = BaseMeta(site, page.locale, absl::StrCat(labels.search, ": ", page.query),
                           "/search?q=" + PercentEncode(page.query));
  data d;
  d.set("heading", absl::StrCat(labels.results_for, ": ", page.query));
  data section;
  section.set("css", "search-results");
  data items{data::type::list};
  for (const content::v1::SearchResult& r : page.results) {
    data item = Item(page.locale, r.article());
    std::string snippets;
    for (const content::v1::Snippet& s : r.snippets()) {
      if (!snippets.empty()) snippets += " … ";
      snippets += HighlightSnippet(s);
    }
    if (!snippets.empty()) item.set("snippet", snippets);
    items.push_back(item);
  }
  section.set("items", items);
  if (page.results.empty()) section.set("empty", labels.no_results);
  data sections{data::type::list};
  sections.push_back(section);
  d.set("sections", sections);
  if (!page.next_page_token.empty()) {
    data pager;
    pager.set("next", absl::StrCat(meta.path, "&page_token=", PercentEncode(page.next_page_token)));
    pager.set("older", labels.older);
    d.set("pager", pager);
  }
  return RenderLayout(meta, Template().render(d));
}

}  // namespace bulletin::web
