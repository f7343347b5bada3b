// Atom 1.0 (RFC 4287): text constructs typed "text" (titles, summaries) and the full body
// as type="html" escaped once; the feed's author is the site (Article carries no author),
// which satisfies the rule that every entry have one.
#include "absl/strings/str_cat.h"
#include "services/web/feeds/feed_entries.h"
#include "services/web/feeds/feeds.h"
#include "services/web/feeds/text_escape.h"

namespace bulletin::web::feeds {
namespace {

void AppendElement(absl::string_view name, absl::string_view attrs, absl::string_view text,
                   std::string* out) {
  absl::StrAppend(out, "<", name, attrs, ">");
  AppendXmlEscaped(text, out);
  absl::StrAppend(out, "</", name, ">\n");
}

void AppendLink(absl::string_view rel, absl::string_view type, absl::string_view href,
                std::string* out) {
  absl::StrAppend(out, "<link rel=\"", rel, "\"");
  if (!type.empty()) absl::StrAppend(out, " type=\"", type, "\"");
  absl::StrAppend(out, " href=\"", XmlEscaped(href), "\"/>\n");
}

}  // namespace

std::string RenderAtomFeed(const FeedContext& ctx, absl::Span<const Article> articles) {
  const std::vector<FeedEntry> entries = FeedEntries(ctx, articles);
  const FeedVersion version = FeedVersionOf(ctx, articles);
  std::string out = absl::StrCat(
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"",
      XmlEscaped(ctx.locale), "\">\n");
  AppendElement("id", "", FeedSelfUrl(ctx), &out);
  AppendElement("title", " type=\"text\"", ctx.title, &out);
  if (!ctx.subtitle.empty()) AppendElement("subtitle", " type=\"text\"", ctx.subtitle, &out);
  AppendElement("updated", "", FormatRfc3339(version.last_modified), &out);
  AppendLink("self", "application/atom+xml", FeedSelfUrl(ctx), &out);
  AppendLink("alternate", "text/html", FeedHomeUrl(ctx), &out);
  if (!ctx.hub_url.empty()) AppendLink("hub", "", ctx.hub_url, &out);
  absl::StrAppend(&out, "<author><name>", XmlEscaped(ctx.title), "</name><uri>",
                  XmlEscaped(ctx.public_url), "/</uri></author>\n");
  AppendElement("generator", "", kGenerator, &out);
  for (const FeedEntry& e : entries) {
    out.append("<entry>\n");
    AppendElement("id", "", e.id, &out);
    AppendElement("title", " type=\"text\"", e.title, &out);
    AppendLink("alternate", "text/html", e.url, &out);
    AppendElement("published", "", FormatRfc3339(e.published), &out);
    AppendElement("updated", "", FormatRfc3339(e.updated), &out);
    for (const std::string& tag : e.tags) {
      absl::StrAppend(&out, "<category term=\"", XmlEscaped(tag), "\"/>\n");
    }
    if (!e.summary.empty()) AppendElement("summary", " type=\"text\"", e.summary, &out);
    AppendElement("content", " type=\"html\"", e.content_html, &out);
    out.append("</entry>\n");
  }
  out.append("</feed>\n");
  return out;
}

}  // namespace bulletin::web::feeds
