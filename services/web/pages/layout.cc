#include "services/web/pages/layout.h"

#include <kainjow/mustache.hpp>

#include "absl/strings/match.h"
#include "services/web/core/locale.h"

namespace bulletin::web {
namespace {

using kainjow::mustache::data;
using kainjow::mustache::mustache;

constexpr char kLayout[] = R"(<!DOCTYPE html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}}</title>
{{#description}}<meta name="description" content="{{description}}">
{{/description}}<link rel="canonical" href="{{canonical}}">
{{#alternates}}<link rel="alternate" hreflang="{{hreflang}}" href="{{href}}">
{{/alternates}}{{#feed}}<link rel="alternate" type="application/atom+xml" href="{{feed}}">
{{/feed}}<meta property="og:type" content="{{og_type}}">
<meta property="og:title" content="{{title}}">
<meta property="og:url" content="{{canonical}}">
<meta property="og:site_name" content="{{site_name}}">
<meta property="og:locale" content="{{og_locale}}">
{{#description}}<meta property="og:description" content="{{description}}">
{{/description}}{{#og_image}}<meta property="og:image" content="{{og_image}}">
{{/og_image}}{{#json_ld}}<script type="application/ld+json">{{{json_ld}}}</script>
{{/json_ld}}<style>
body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:60rem;margin:0 auto;padding:0 1rem;color:#222;line-height:1.6}
header.site-header{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;justify-content:space-between;border-bottom:2px solid #b22;padding:.5rem 0}
.site-name{font-weight:bold;font-size:1.3rem;color:#b22;text-decoration:none}
.breadcrumb{margin:1rem 0;color:#555}.article-title{text-align:center}
.article-meta{text-align:center;color:#666}.article-meta>span{margin:0 1rem}
figure.cover{text-align:center}figure.cover img{max-width:100%}
.article-body img{max-width:100%}mark{background:#fe8}
footer.site-footer{border-top:1px solid #ccc;margin-top:2rem;padding:1rem 0;text-align:center;color:#666}
</style>
</head>
<body>
<header class="site-header">
<a class="site-name" href="/{{lang}}/">{{site_name}}</a>
<nav class="lang-switch" id="lang-switch">{{#switch}}{{#current}}<strong lang="{{locale}}" aria-current="page">{{name}}</strong>{{/current}}{{^current}}<a href="{{href}}" hreflang="{{locale}}" lang="{{locale}}">{{name}}</a>{{/current}}{{^last}} | {{/last}}{{/switch}}</nav>
<form class="search" action="/{{lang}}/search" method="get" role="search"><input type="search" name="q" aria-label="{{search}}" maxlength="200"> <button type="submit">{{search}}</button></form>
</header>
<main id="main">
{{{main}}}
</main>
<footer class="site-footer">{{footer}}</footer>
{{#script}}<script>{{{script}}}</script>
{{/script}}</body>
</html>
)";

// mustache::render is not const: one parsed copy per thread.
mustache& Template() {
  thread_local mustache t(kLayout);
  return t;
}

}  // namespace

std::string Absolute(const std::string& public_url, const std::string& path_or_url) {
  if (absl::StartsWith(path_or_url, "http://") || absl::StartsWith(path_or_url, "https://")) {
    return path_or_url;
  }
  return public_url + path_or_url;
}

std::string RenderLayout(const PageMeta& meta, const std::string& main_html) {
  const Labels& labels = LabelsFor(meta.locale);
  data d;
  d.set("lang", meta.locale);
  d.set("title", meta.title);
  if (!meta.description.empty()) d.set("description", meta.description);
  d.set("canonical", Absolute(meta.public_url, meta.path));
  data alternates{data::type::list};
  for (const auto& [locale, path] : meta.alternates) {
    data a;
    a.set("hreflang", locale);
    a.set("href", Absolute(meta.public_url, path));
    alternates.push_back(a);
  }
  if (!meta.alternates.empty()) {
    data x;
    x.set("hreflang", "x-default");
    x.set("href", Absolute(meta.public_url, meta.alternates.front().second));
    alternates.push_back(x);
  }
  d.set("alternates", alternates);
  if (!meta.feed_path.empty()) d.set("feed", meta.feed_path);
  d.set("og_type", meta.og_type);
  d.set("site_name", labels.site_name);
  d.set("og_locale", meta.locale == "zh-CN" ? "zh_CN" : "en_US");
  if (!meta.og_image.empty()) d.set("og_image", Absolute(meta.public_url, meta.og_image));
  if (!meta.json_ld.empty()) d.set("json_ld", meta.json_ld);
  data links{data::type::list};
  for (size_t i = 0; i < meta.switch_links.size(); ++i) {
    const LangLink& l = meta.switch_links[i];
    data link;
    link.set("locale", l.locale);
    link.set("href", l.href);
    link.set("name", LabelsFor(l.locale).lang_name);
    link.set("current", l.locale == meta.locale);
    link.set("last", i + 1 == meta.switch_links.size());
    links.push_back(link);
  }
  d.set("switch", links);
  d.set("search", labels.search);
  d.set("main", main_html);
  d.set("footer", labels.footer);
  if (!meta.script.empty()) d.set("script", meta.script);
  return Template().render(d);
}

}  // namespace bulletin::web
