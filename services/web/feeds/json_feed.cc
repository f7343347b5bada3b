// JSON Feed 1.1 (https://jsonfeed.org/version/1.1): every string through AppendJsonString,
// so the document is valid JSON whatever the text holds and safe inside an HTML page.
#include "absl/strings/str_cat.h"
#include "services/web/feeds/feed_entries.h"
#include "services/web/feeds/feeds.h"
#include "services/web/feeds/text_escape.h"

namespace bulletin::web::feeds {
namespace {

// Appends `"name": "value"` after a comma unless it is the object's first member.
void AppendMember(absl::string_view name, absl::string_view value, bool* first, std::string* out) {
  if (!*first) out->append(",");
  *first = false;
  out->append("\n  ");
  AppendJsonString(name, out);
  out->append(": ");
  AppendJsonString(value, out);
}

void AppendItem(const FeedContext& ctx, const FeedEntry& e, std::string* out) {
  out->append("{");
  bool first = true;
  AppendMember("id", e.id, &first, out);
  AppendMember("url", e.url, &first, out);
  AppendMember("title", e.title, &first, out);
  AppendMember("content_html", e.content_html, &first, out);
  if (!e.summary.empty()) AppendMember("summary", e.summary, &first, out);
  if (!e.image_url.empty()) AppendMember("image", e.image_url, &first, out);
  AppendMember("date_published", FormatRfc3339(e.published), &first, out);
  AppendMember("date_modified", FormatRfc3339(e.updated), &first, out);
  AppendMember("language", ctx.locale, &first, out);
  if (!e.tags.empty()) {
    out->append(",\n  \"tags\": [");
    for (size_t i = 0; i < e.tags.size(); ++i) {
      if (i > 0) out->append(", ");
      AppendJsonString(e.tags[i], out);
    }
    out->append("]");
  }
  out->append("\n}");
}

}  // namespace

std::string RenderJsonFeed(const FeedContext& ctx, absl::Span<const Article> articles) {
  const std::vector<FeedEntry> entries = FeedEntries(ctx, articles);
  std::string out = "{";
  bool first = true;
  AppendMember("version", "https://jsonfeed.org/version/1.1", &first, &out);
  AppendMember("title", ctx.title, &first, &out);
  AppendMember("home_page_url", FeedHomeUrl(ctx), &first, &out);
  AppendMember("feed_url", FeedSelfUrl(ctx), &first, &out);
  if (!ctx.subtitle.empty()) AppendMember("description", ctx.subtitle, &first, &out);
  AppendMember("language", ctx.locale, &first, &out);
  out.append(",\n  \"authors\": [{\"name\": ");
  AppendJsonString(ctx.title, &out);
  out.append(", \"url\": ");
  AppendJsonString(absl::StrCat(ctx.public_url, "/"), &out);
  out.append("}]");
  if (!ctx.hub_url.empty()) {
    out.append(",\n  \"hubs\": [{\"type\": \"WebSub\", \"url\": ");
    AppendJsonString(ctx.hub_url, &out);
    out.append("}]");
  }
  out.append(",\n  \"items\": [");
  for (size_t i = 0; i < entries.size(); ++i) {
    out.append(i == 0 ? "\n" : ",\n");
    AppendItem(ctx, entries[i], &out);
  }
  out.append("]\n}\n");
  return out;
}

}  // namespace bulletin::web::feeds
