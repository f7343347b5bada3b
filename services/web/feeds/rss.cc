// RSS 2.0 with the content module (full HTML in <content:encoded>) and atom:link for self
// and the WebSub hub. Titles are plain text escaped once; <description> is HTML by the
// RSS spec, so the plain-text summary is HTML-escaped before it is XML-escaped (a
// "<script>" in a summary reaches the reader as text, never as markup).
#include "absl/strings/str_cat.h"
#include "services/web/feeds/feed_entries.h"
#include "services/web/feeds/feeds.h"
#include "services/web/feeds/text_escape.h"

namespace bulletin::web::feeds {
namespace {

void AppendElement(absl::string_view name, absl::string_view text, std::string* out) {
  absl::StrAppend(out, "<", name, ">");
  AppendXmlEscaped(text, out);
  absl::StrAppend(out, "</", name, ">\n");
}

}  // namespace

std::string RenderRssFeed(const FeedContext& ctx, absl::Span<const Article> articles) {
  const std::vector<FeedEntry> entries = FeedEntries(ctx, articles);
  const FeedVersion version = FeedVersionOf(ctx, articles);
  std::string out =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" "
      "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\n<channel>\n";
  AppendElement("title", ctx.title, &out);
  AppendElement("link", FeedHomeUrl(ctx), &out);
  AppendElement("description", XmlEscaped(ctx.subtitle.empty() ? ctx.title : ctx.subtitle), &out);
  AppendElement("language", ctx.locale, &out);
  AppendElement("lastBuildDate", FormatRfc822(version.last_modified), &out);
  AppendElement("generator", kGenerator, &out);
  absl::StrAppend(&out, "<atom:link rel=\"self\" type=\"application/rss+xml\" href=\"",
                  XmlEscaped(FeedSelfUrl(ctx)), "\"/>\n");
  if (!ctx.hub_url.empty()) {
    absl::StrAppend(&out, "<atom:link rel=\"hub\" href=\"", XmlEscaped(ctx.hub_url), "\"/>\n");
  }
  for (const FeedEntry& e : entries) {
    out.append("<item>\n");
    AppendElement("title", e.title, &out);
    AppendElement("link", e.url, &out);
    absl::StrAppend(&out, "<guid isPermaLink=\"false\">", XmlEscaped(e.id), "</guid>\n");
    AppendElement("pubDate", FormatRfc822(e.published), &out);
    if (!e.summary.empty()) AppendElement("description", XmlEscaped(e.summary), &out);
    AppendElement("content:encoded", e.content_html, &out);
    for (const std::string& tag : e.tags) AppendElement("category", tag, &out);
    out.append("</item>\n");
  }
  out.append("</channel>\n</rss>\n");
  return out;
}

}  // namespace bulletin::web::feeds
