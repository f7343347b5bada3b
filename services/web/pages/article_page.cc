// The article page (the seed page): breadcrumb, title, date, visitors, cover, body,
// Related News, with OpenGraph and JSON-LD NewsArticle, the language switch, and the view
// beacon (script plus <noscript> pixel) that counts a view on a cached copy.
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

constexpr char kArticle[] =
    R"(<nav class="breadcrumb" id="breadcrumb" aria-label="breadcrumb">{{#crumbs}}<a href="{{href}}">{{name}}</a> &gt; {{/crumbs}}<span aria-current="page">{{content}}</span></nav>
<article class="article" id="article" data-article-id="{{id}}" data-view-token="{{token}}">
<h1 class="article-title" id="article-title">{{title}}</h1>
<p class="article-meta"><span class="article-date" id="article-date">{{date_label}}{{colon}}<time datetime="{{date_iso}}">{{date}}</time></span> <span class="visitors" id="visitors">{{visitors_label}}{{colon}}<span class="visitors-count" id="visitors-count">{{visitors}}</span></span></p>
{{#cover}}<figure class="cover"><img src="{{cover}}" alt="{{cover_alt}}">{{#caption}}<figcaption>{{caption}}</figcaption>{{/caption}}</figure>
{{/cover}}<div class="article-body">
{{{body}}}
</div>
</article>
<section class="related" id="related">
<h2>{{related_label}}</h2>
<ul>{{#related}}<li><a href="{{href}}">{{title}}</a>{{#date}} <time>{{date}}</time>{{/date}}</li>{{/related}}</ul>
</section>
<noscript><img class="view-pixel" src="/api/v1/views/pixel?token={{token_q}}&amp;locale={{lang}}" alt="" width="1" height="1"></noscript>
)";

// Counts the view, shows the new total and remembers a language chosen in the switch.
constexpr char kBeacon[] =
    "(function(){var a=document.getElementById('article');"
    "document.querySelectorAll('#lang-switch a').forEach(function(l){l.addEventListener('click',"
    "function(){document.cookie='bulletin_lang='+l.getAttribute('hreflang')+"
    "';path=/;max-age=31536000;samesite=lax';});});"
    "if(!a||!window.fetch)return;"
    "fetch('/api/v1/views',{method:'POST',credentials:'same-origin',"
    "headers:{'Content-Type':'application/json'},body:JSON.stringify({token:a.dataset.viewToken,"
    "locale:document.documentElement.lang,referrer:document.referrer})})"
    ".then(function(r){return r.json();}).then(function(j){"
    "if(j.totals&&j.totals.views!==undefined){"
    "document.getElementById('visitors-count').textContent=j.totals.views;}})"
    ".catch(function(){});})();";

mustache& Template() {
  thread_local mustache t(kArticle);
  return t;
}

std::string JsonLd(const SiteInfo& site, const ArticlePageData& page,
                   const content::v1::ArticleTranslation& tr, const std::string& canonical) {
  const content::v1::Article& a = page.article;
  std::string json =
      absl::StrCat("{\"@context\":\"https://schema.org\",\"@type\":\"NewsArticle\",\"headline\":",
                   JsonString(tr.title()), ",\"inLanguage\":", JsonString(page.locale),
                   ",\"mainEntityOfPage\":", JsonString(canonical),
                   ",\"datePublished\":", JsonString(IsoTime(a.publish_time())),
                   ",\"dateModified\":", JsonString(IsoTime(a.update_time())));
  if (!tr.summary().empty()) absl::StrAppend(&json, ",\"description\":", JsonString(tr.summary()));
  if (!tr.cover_image_url().empty()) {
    absl::StrAppend(&json, ",\"image\":[",
                    JsonString(Absolute(site.public_url, tr.cover_image_url())), "]");
  }
  absl::StrAppend(&json, ",\"publisher\":{\"@type\":\"Organization\",\"name\":\"Bulletin\"}}");
  return json;
}

}  // namespace

std::string ArticlePath(const std::string& locale, const std::string& slug) {
  return absl::StrCat("/", locale, "/articles/", slug);
}

const content::v1::ArticleTranslation& TranslationOf(const content::v1::Article& article,
                                                     const std::string& locale) {
  auto it = article.translations().find(locale);
  if (it != article.translations().end()) return it->second;
  it = article.translations().find(article.default_locale());
  if (it != article.translations().end()) return it->second;
  if (!article.translations().empty()) return article.translations().begin()->second;
  return content::v1::ArticleTranslation::default_instance();
}

std::string SlugIn(const content::v1::Article& article, const std::string& locale) {
  for (const content::v1::LocaleLink& l : article.published_locales()) {
    if (l.locale() == locale && !l.slug().empty()) return l.slug();
  }
  auto it = article.translations().find(locale);
  if (it != article.translations().end() && !it->second.slug().empty()) return it->second.slug();
  return article.slug();
}

std::string RenderArticlePage(const SiteInfo& site, const ArticlePageData& page) {
  const Labels& labels = LabelsFor(page.locale);
  const content::v1::Article& a = page.article;
  const content::v1::ArticleTranslation& tr = TranslationOf(a, page.locale);
  PageMeta meta;
  meta.locale = page.locale;
  meta.title = tr.title();
  meta.description = tr.summary();
  meta.public_url = site.public_url;
  meta.path = ArticlePath(page.locale, SlugIn(a, page.locale));
  meta.og_type = "article";
  meta.og_image = tr.cover_image_url();
  meta.feed_path = absl::StrCat("/", page.locale, "/feed.atom");
  for (const content::v1::LocaleLink& l : a.published_locales()) {
    meta.alternates.emplace_back(l.locale(), ArticlePath(l.locale(), l.slug()));
  }
  if (meta.alternates.empty()) meta.alternates.emplace_back(page.locale, meta.path);
  // x-default: the default locale's URL first.
  for (size_t i = 1; i < meta.alternates.size(); ++i) {
    if (meta.alternates[i].first == a.default_locale())
      std::swap(meta.alternates[0], meta.alternates[i]);
  }
  for (const char* l : {"zh-CN", "en"}) {
    std::string href = absl::StrCat("/", l, "/");
    for (const content::v1::LocaleLink& link : a.published_locales()) {
      if (link.locale() == l) href = ArticlePath(l, link.slug());
    }
    if (l == page.locale) href = meta.path;
    meta.switch_links.push_back({l, href});
  }
  meta.json_ld = JsonLd(site, page, tr, Absolute(site.public_url, meta.path));
  meta.script = kBeacon;

  data d;
  d.set("lang", page.locale);
  data crumbs{data::type::list};
  data home;
  home.set("href", absl::StrCat("/", page.locale, "/"));
  home.set("name", labels.home);
  crumbs.push_back(home);
  for (const content::v1::Category& c : page.categories) {
    if (c.parent_id().empty() && c.slug() == "home") continue;
    data crumb;
    crumb.set("href", absl::StrCat("/", page.locale, "/categories/", c.slug()));
    auto name = c.translations().find(page.locale);
    crumb.set("name", name != c.translations().end() ? name->second.name()
                      : c.translations().empty()     ? c.slug()
                                                     : c.translations().begin()->second.name());
    crumbs.push_back(crumb);
  }
  d.set("crumbs", crumbs);
  d.set("content", labels.content);
  d.set("id", a.id());
  d.set("token", page.view_token);
  d.set("token_q", PercentEncode(page.view_token));
  d.set("title", tr.title());
  d.set("date_label", labels.date);
  d.set("colon", page.locale == "zh-CN" ? "：" : ": ");
  d.set("date_iso", IsoTime(a.publish_time()));
  d.set("date", PageDate(a.publish_time()));
  d.set("visitors_label", labels.visitors);
  d.set("visitors", page.visitors_known ? std::to_string(page.visitors) : std::string("-"));
  if (!tr.cover_image_url().empty()) {
    d.set("cover", tr.cover_image_url());
    d.set("cover_alt",
          tr.cover_image_alt().empty() ? tr.cover_image_caption() : tr.cover_image_alt());
    if (!tr.cover_image_caption().empty()) d.set("caption", tr.cover_image_caption());
  }
  d.set("body", tr.body());
  d.set("related_label", labels.related);
  data related{data::type::list};
  for (const content::v1::Article& r : page.related) {
    data item;
    item.set("href", ArticlePath(page.locale, SlugIn(r, page.locale)));
    item.set("title", TranslationOf(r, page.locale).title());
    std::string date = PageDate(r.publish_time());
    if (!date.empty()) item.set("date", date);
    related.push_back(item);
  }
  d.set("related", related);
  return RenderLayout(meta, Template().render(d));
}

}  // namespace bulletin::web
