// The frame of every HTML page: <html lang>, title, canonical link, hreflang alternates
// with x-default, OpenGraph tags, optional JSON-LD, the header with the language switch
// (简体中文 | English) and search form, the footer, and the page's main part. Rendered
// with kainjow mustache, which escapes every {{value}}; only `main_html` and the JSON-LD
// (built with JsonString) go in unescaped. Pure; thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace bulletin::web {

struct LangLink {
  std::string locale;  // "zh-CN"
  std::string href;    // where the switch leads: the same page in that language, or its home
};

struct PageMeta {
  std::string locale;       // the page's language
  std::string title;        // <title> and og:title (plain text)
  std::string description;  // optional
  std::string public_url;   // origin, no trailing '/'
  std::string path;         // this page's path: canonical = public_url + path
  // hreflang alternates (locale -> path), x-default added from the first entry.
  std::vector<std::pair<std::string, std::string>> alternates;
  std::vector<LangLink> switch_links;  // in display order
  std::string og_type = "website";
  std::string og_image;   // absolute or site path; optional
  std::string json_ld;    // a JSON object built with JsonString; optional
  std::string feed_path;  // optional: the Atom feed for <link rel=alternate>
  std::string script;     // inline script (trusted, built by the server); optional
};

std::string RenderLayout(const PageMeta& meta, const std::string& main_html);

// The absolute form of `path_or_url` under `public_url` (unchanged when already absolute).
std::string Absolute(const std::string& public_url, const std::string& path_or_url);

}  // namespace bulletin::web
