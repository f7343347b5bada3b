// What the three feed formats share: each shown article reduced to one FeedEntry in the
// feed's locale (absolute URLs, a stable tag: id, dates, full HTML content with the cover
// image), and the feed's own links. Pure functions, thread-safe; internal to
// bulletin_web_feeds.
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "services/web/feeds/feeds.h"

namespace bulletin::web::feeds {

struct FeedEntry {
  std::string id;            // "tag:HOST,YYYY-MM-DD:articles/ID/LOCALE"
  std::string url;           // absolute URL of the article page in the feed's locale
  std::string title;         // plain text
  std::string summary;       // plain text, may be empty
  std::string content_html;  // the cover figure then the body; site-relative URLs made absolute
  std::string image_url;     // absolute cover image URL, may be empty
  absl::Time published;      // publish_time (update time when unset)
  absl::Time updated;        // update_time (published when unset)
  std::vector<std::string> tags;
};

// The entries of `articles` that have a translation keyed ctx.locale and are neither
// deleted nor in a non-published state, in the given order.
std::vector<FeedEntry> FeedEntries(const FeedContext& ctx, absl::Span<const Article> articles);

// public_url + path for a site-relative path ("/x", not "//x"); any other URL as it is.
std::string AbsoluteUrl(absl::string_view public_url, absl::string_view url);

// The HTML page the feed mirrors: the locale's home or the category's page.
std::string FeedHomeUrl(const FeedContext& ctx);
// public_url + self_path.
std::string FeedSelfUrl(const FeedContext& ctx);

// The name feeds give as their generator.
inline constexpr char kGenerator[] = "Bulletin";

}  // namespace bulletin::web::feeds
